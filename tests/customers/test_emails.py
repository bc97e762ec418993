"""Emails that reach the customer: verification, invitation and password reset, sent
through the queue's worker to a real SMTP server on loopback, links followed back."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.db import connection, transaction

from customers import services
from customers.emails import VERIFICATION_SALT
from customers.models import Customer, User
from customers.tasks import EMAIL_RETRIES
from events.models import Event
from sites.models import Domain
from tests.conftest import NETWORK_HOST, drop_site_schemas, host_client, network_url
from tests.factories import CustomerFactory, UserFactory
from tests.mail import body, free_port, jobs, link_in, make_retry_due, run_jobs

pytestmark = pytest.mark.usefixtures("email_queue")


def _fields(customer: Customer, **changes) -> dict:
    user = customer.user
    return {
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email_verification": customer.email_verification,
        **changes,
    }


def _path(link: str) -> str:
    return urlsplit(link).path


# --- Verification


def test_setting_pending_sends_a_verification_email_whose_link_verifies(
    admin_client, customer, smtp_server
):
    response = admin_client.post(
        network_url("customers:fields", customer.pk),
        _fields(customer, email_verification="pending"),
    )
    assert response.status_code == 302
    run_jobs()

    message = smtp_server.inbox.next()
    assert message["To"] == "ada@example.com"
    assert message["Subject"] == f"Verify your email address for {NETWORK_HOST}"
    link = link_in(message)
    assert link.startswith(f"http://{NETWORK_HOST}:8000/verify-email/")

    page = host_client().get(_path(link))
    assert page.status_code == 200
    assert "ada@example.com is now verified" in page.content.decode()
    customer.refresh_from_db()
    assert customer.email_verification == Customer.EmailVerification.VERIFIED
    verified = Event.objects.filter(type=Event.Type.EMAIL_VERIFICATION).latest("id")
    assert verified.actor == customer.user
    assert "verified through the link" in verified.message


def test_opening_the_link_again_says_it_is_done_and_records_nothing_more(customer):
    from customers.emails import verification_token

    services.customer_email_verification_send(customer=customer, actor=None)
    token = verification_token(customer)
    host_client().get(f"/verify-email/{token}/")
    events = Event.objects.count()

    again = host_client().get(f"/verify-email/{token}/")

    assert again.status_code == 200
    assert "was verified already" in again.content.decode()
    assert Event.objects.count() == events


def test_the_link_is_built_from_the_configured_host_not_the_request(
    customer, smtp_server, settings, super_admin
):
    settings.EMAIL_LINK_SCHEME, settings.EMAIL_LINK_PORT = "https", ""
    client = host_client(f"{NETWORK_HOST}:4444")
    client.force_login(super_admin)
    client.post(
        network_url("customers:verification_send", customer.pk),
        HTTP_X_FORWARDED_HOST="evil.example",
    )
    run_jobs()

    assert link_in(smtp_server.inbox.next()).startswith(f"https://{NETWORK_HOST}/verify-email/")


def test_an_expired_link_is_refused(customer):
    class TwoWeeksAgo(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - 14 * 24 * 60 * 60)

    services.customer_email_verification_send(customer=customer, actor=None)
    token = TwoWeeksAgo(salt=VERIFICATION_SALT).sign_object(
        {"customer": customer.pk, "email": customer.user.email}
    )

    response = host_client().get(f"/verify-email/{token}/")

    assert response.status_code == 400
    assert "expired" in response.content.decode()
    customer.refresh_from_db()
    assert customer.email_verification == Customer.EmailVerification.PENDING


def test_a_forged_link_is_refused(customer):
    services.customer_email_verification_send(customer=customer, actor=None)
    forged = signing.TimestampSigner(key="not-our-key", salt=VERIFICATION_SALT).sign_object(
        {"customer": customer.pk, "email": customer.user.email}
    )

    response = host_client().get(f"/verify-email/{forged}/")

    assert response.status_code == 400
    customer.refresh_from_db()
    assert customer.email_verification == Customer.EmailVerification.PENDING


def test_a_link_sent_to_an_earlier_address_does_not_verify_the_new_one(customer, smtp_server):
    services.customer_email_verification_send(customer=customer, actor=None)
    run_jobs()
    old_link = link_in(smtp_server.inbox.next())
    services.customer_update_fields(
        customer=customer,
        actor=None,
        username="ada",
        email="ada@new.example",
        email_verification="pending",
    )
    run_jobs()
    new_message = smtp_server.inbox.next()

    assert host_client().get(_path(old_link)).status_code == 400
    assert new_message["To"] == "ada@new.example"
    assert host_client().get(_path(link_in(new_message))).status_code == 200


def test_a_link_no_longer_verifies_once_the_admin_withdrew_the_request(customer):
    from customers.emails import verification_token

    services.customer_email_verification_send(customer=customer, actor=None)
    token = verification_token(customer)
    services.customer_update_fields(
        customer=customer,
        actor=None,
        username="ada",
        email=customer.user.email,
        email_verification="none",
    )

    assert host_client().get(f"/verify-email/{token}/").status_code == 400
    customer.refresh_from_db()
    assert customer.email_verification == Customer.EmailVerification.NONE


def test_resend_is_offered_while_pending_and_sends_again(admin_client, customer, smtp_server):
    detail = network_url("customers:detail", customer.pk)
    assert "Resend verification email" not in admin_client.get(detail).content.decode()
    services.customer_email_verification_send(customer=customer, actor=None)
    assert "Resend verification email" in admin_client.get(detail).content.decode()

    response = admin_client.post(network_url("customers:verification_send", customer.pk))

    assert response.status_code == 302
    run_jobs()
    assert smtp_server.inbox.next()["To"] == "ada@example.com"
    assert smtp_server.inbox.next()["To"] == "ada@example.com"


# --- In the recipient's language


def _speaks(user: User, language: str) -> None:
    user.language = language
    user.save(update_fields=["language"])


def test_a_customer_who_chose_french_gets_the_verification_email_in_french(customer, smtp_server):
    _speaks(customer.user, "fr")

    services.customer_email_verification_send(customer=customer, actor=None)
    run_jobs()

    message = smtp_server.inbox.next()
    # Stripped: a non-ASCII subject is folded onto the header's next line.
    assert message["Subject"].strip() == f"Vérifiez votre adresse e-mail pour {NETWORK_HOST}"
    text = body(message)
    assert text.startswith("Bonjour Ada Lovelace,")
    assert "Veuillez confirmer que ada@example.com est bien votre adresse e-mail" in text
    assert "Le lien fonctionne pendant 3 jours." in text
    assert host_client().get(_path(link_in(message))).status_code == 200


def test_a_new_account_that_speaks_french_gets_its_invitation_in_french(network, smtp_server):
    services.customer_create(username="grace", email="grace@example.com", actor=None, invite=True)
    _speaks(User.objects.get(username="grace"), "fr")

    run_jobs()

    message = smtp_server.inbox.next()
    assert message["Subject"].strip() == (
        f"Vous êtes invité sur {NETWORK_HOST} : choisissez votre mot de passe"
    )
    text = body(message)
    assert "Votre identifiant est grace." in text
    assert "Le lien fonctionne pendant 72 heures et une seule fois." in text
    assert "« Mot de passe oublié ? »" in text


def test_forgot_password_answers_in_the_accounts_language_not_the_browsers(customer, smtp_server):
    _speaks(customer.user, "fr")

    host_client().post(
        "/password-reset/", {"email": "ada@example.com"}, headers={"accept-language": "nb"}
    )
    run_jobs()

    message = smtp_server.inbox.next()
    assert message["Subject"].strip() == f"Réinitialisez votre mot de passe sur {NETWORK_HOST}"
    assert "Quelqu’un a demandé la réinitialisation du mot de passe" in body(message)


def test_a_customer_who_chose_english_gets_english(customer, smtp_server):
    _speaks(customer.user, "en")

    services.customer_email_verification_send(customer=customer, actor=None)
    run_jobs()

    message = smtp_server.inbox.next()
    assert message["Subject"] == f"Verify your email address for {NETWORK_HOST}"
    assert "please confirm that ada@example.com is your email address" in body(message)


def test_without_a_choice_the_email_is_in_the_networks_language_not_the_admins(
    admin_client, customer, smtp_server
):
    admin_client.post(
        network_url("customers:verification_send", customer.pk),
        headers={"accept-language": "fr"},
    )
    run_jobs()

    message = smtp_server.inbox.next()
    assert message["Subject"] == f"Verify your email address for {NETWORK_HOST}"
    assert body(message).startswith("Hello Ada Lovelace,")


# --- How mail is sent


def test_every_email_sent_is_an_event_on_the_customer_with_its_subject(customer, smtp_server):
    services.customer_email_verification_send(customer=customer, actor=None)
    run_jobs()
    subject = smtp_server.inbox.next()["Subject"]

    sent = Event.objects.get(type=Event.Type.EMAIL_SENT)
    assert sent.customer == customer
    assert subject in sent.message
    assert sent.new["subject"] == subject


def test_the_email_is_queued_with_the_change_and_rolled_back_with_it(customer):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.customer_email_verification_send(customer=customer, actor=None)
        raise RuntimeError("the change fails after the email was asked for")

    assert jobs() == []
    customer.refresh_from_db()
    assert customer.email_verification == Customer.EmailVerification.NONE


def test_a_queued_email_waits_for_the_worker_and_is_not_lost(customer, smtp_server):
    services.customer_email_verification_send(customer=customer, actor=None)

    # The web process stops here (a crash, a deploy): the job is in the database.
    assert [job["status"] for job in jobs()] == ["todo"]
    assert smtp_server.inbox.is_empty()

    run_jobs()
    assert smtp_server.inbox.next()["To"] == "ada@example.com"
    assert [job["status"] for job in jobs()] == ["succeeded"]


def test_a_failed_send_is_shown_and_retried(customer, smtp_server, settings):
    settings.EMAIL_PORT = free_port()  # nothing listens there: the SMTP server is down
    services.customer_email_verification_send(customer=customer, actor=None)

    run_jobs()

    failed = Event.objects.get(type=Event.Type.EMAIL_FAILED)
    assert failed.customer == customer
    assert "will retry" in failed.message
    assert "Verify your email address" in failed.message
    assert [(job["status"], job["attempts"]) for job in jobs()] == [("todo", 1)]

    settings.EMAIL_PORT = smtp_server.port  # the server is back
    make_retry_due()
    run_jobs()

    assert smtp_server.inbox.next()["To"] == "ada@example.com"
    assert Event.objects.filter(type=Event.Type.EMAIL_SENT, customer=customer).count() == 1
    assert [job["status"] for job in jobs()] == ["succeeded"]


def test_after_the_last_retry_the_job_stays_failed_and_the_event_says_so(
    customer, smtp_server, settings
):
    settings.EMAIL_PORT = free_port()
    services.customer_email_verification_send(customer=customer, actor=None)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE procrastinate_jobs SET attempts = %s", [EMAIL_RETRIES])

    run_jobs()

    assert [job["status"] for job in jobs()] == ["failed"]
    assert "given up" in Event.objects.get(type=Event.Type.EMAIL_FAILED).message


# --- Invitation


def test_adding_a_new_account_sends_an_invitation_to_choose_a_password(admin_client, smtp_server):
    response = admin_client.post(
        network_url("customers:add"),
        {"mode": "new", "username": "grace", "email": "grace@example.com", "first_name": "Grace"},
    )
    assert response.status_code == 302
    run_jobs()

    message = smtp_server.inbox.next()
    assert message["To"] == "grace@example.com"
    assert "choose your password" in message["Subject"]
    assert "Your username is grace" in body(message)
    link = link_in(message)
    assert link.startswith(f"http://{NETWORK_HOST}:8000/password-reset/")

    browser = host_client()
    form = browser.get(_path(link), follow=True)
    assert form.status_code == 200
    done = browser.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a long new secret 42", "new_password2": "a long new secret 42"},
    )
    assert done.status_code == 302
    assert User.objects.get(username="grace").check_password("a long new secret 42")


def test_a_customer_for_an_existing_account_gets_no_invitation(admin_client, network):
    UserFactory(username="hopper", email="hopper@example.com")

    admin_client.post(network_url("customers:add"), {"mode": "existing", "account": "hopper"})

    assert jobs() == []


# --- Password reset


@pytest.fixture
def acme(customer, make_site):
    """Ada's site. Requests to it leave the connection on its schema: back to public, and
    its schema dropped, before the flush (which lists the current schema's tables)."""
    yield make_site("acme", customer=customer)
    connection.set_schema_to_public()
    drop_site_schemas()


def _reset(client, email: str):
    return client.post("/password-reset/", {"email": email})


def test_forgot_password_on_the_network_sends_a_link_that_sets_a_new_password(
    customer, smtp_server
):
    response = _reset(host_client(), "ADA@example.com")
    assert response.status_code == 302
    assert response["Location"] == "/password-reset/sent/"
    run_jobs()

    message = smtp_server.inbox.next()
    assert message["To"] == "ada@example.com"
    link = link_in(message)
    assert link.startswith(f"http://{NETWORK_HOST}:8000/password-reset/")
    browser = host_client()
    form = browser.get(_path(link), follow=True)
    browser.post(
        form.redirect_chain[-1][0],
        {"new_password1": "another good secret 7", "new_password2": "another good secret 7"},
    )
    customer.user.refresh_from_db()
    assert customer.user.check_password("another good secret 7")
    assert browser.get(_path(link), follow=True).context["validlink"] is False  # used once


def test_an_unknown_address_gets_the_same_answer_and_no_email(network):
    response = _reset(host_client(), "nobody@example.com")

    assert response.status_code == 302
    assert response["Location"] == "/password-reset/sent/"
    assert jobs() == []


def test_on_a_subsite_the_link_is_on_its_primary_domain_whatever_host_was_asked(acme, smtp_server):
    Domain.objects.create(domain="www.acme.localhost", tenant=acme, is_primary=False)

    _reset(host_client("www.acme.localhost"), "ada@example.com")
    run_jobs()

    link = link_in(smtp_server.inbox.next())
    assert link.startswith("http://acme.localhost:8000/password-reset/")
    form = host_client("acme.localhost").get(_path(link), follow=True)
    assert form.context["validlink"] is True


def test_on_a_subsite_only_its_owner_can_reset(acme):
    CustomerFactory(user__username="bob", user__email="bob@example.com")
    UserFactory(username="boss", email="boss@example.com", is_staff=True)

    for email in ("bob@example.com", "boss@example.com"):
        response = _reset(host_client("acme.localhost"), email)
        assert response.status_code == 302
    assert jobs() == []

    _reset(host_client("acme.localhost"), "ada@example.com")
    assert len(jobs()) == 1


def test_the_login_pages_offer_forgot_password(acme):
    for host in (NETWORK_HOST, "acme.localhost"):
        page = host_client(host).get("/login/").content.decode()
        assert 'href="/password-reset/"' in page
        assert "Forgot password?" in page


def test_a_verification_withdrawn_before_the_send_is_not_sent(customer, smtp_server):
    services.customer_email_verification_send(customer=customer, actor=None)
    services.customer_update_fields(
        customer=customer,
        actor=None,
        username="ada",
        email=customer.user.email,
        email_verification="none",
    )

    run_jobs()

    assert smtp_server.inbox.is_empty()
    assert not Event.objects.filter(type=Event.Type.EMAIL_SENT).exists()


def test_an_account_that_never_chose_a_password_can_ask_for_a_link(network, smtp_server):
    services.customer_create(username="grace", email="grace@example.com", actor=None)

    _reset(host_client(), "grace@example.com")
    run_jobs()

    assert smtp_server.inbox.next()["To"] == "grace@example.com"


def test_a_deactivated_account_gets_no_link(customer):
    User.objects.filter(pk=customer.user.pk).update(is_active=False)

    _reset(host_client(), "ada@example.com")

    assert jobs() == []

"""A person's own language: a super admin's "My settings" on the network host, a site
owner's Account page on their site; and the network's default, for invoices."""

from __future__ import annotations

import pytest

from customers.models import User
from customers.services import user_language_set
from events.models import Event
from tests.conftest import network_url, subsite_client
from tests.network.test_settings import run_settings
from tests.switch.conftest import redeem, start

SETTINGS = network_url("my_settings")


def detail(client, customer, **headers):
    return client.get(network_url("customers:detail", customer.pk), headers=headers)


@pytest.fixture
def acme(make_site, customer):
    return make_site("acme", customer=customer, title="Acme Rockets")


@pytest.fixture
def owner_client(acme, customer):
    return subsite_client(acme, customer.user)


# --- The network host: My settings.


def test_it_offers_the_browsers_language_and_each_language_in_its_own_name(admin_client):
    html = admin_client.get(SETTINGS, headers={"accept-language": "nl"}).content.decode()

    assert '<option value="" selected>' in html
    for code, name in [
        ("en", "English"),
        ("fr", "Français"),
        ("nl", "Nederlands"),
        ("nb", "Norsk bokmål"),
        ("ro", "Română"),
    ]:
        assert f'<option value="{code}" lang="{code}">{name}</option>' in html


def test_the_header_links_to_my_settings(admin_client, customer):
    html = detail(admin_client, customer).content.decode()

    assert f'<a href="{SETTINGS}">My settings</a>' in html
    here = admin_client.get(SETTINGS).content.decode()
    assert f'<a href="{SETTINGS}" aria-current="page">My settings</a>' in here


def test_choosing_french_turns_every_page_french(admin_client, super_admin, customer):
    response = admin_client.post(SETTINGS, {"language": "fr"}, headers={"accept-language": "nb"})

    assert response.status_code == 302 and response["Location"] == SETTINGS
    assert User.objects.get(pk=super_admin.pk).language == "fr"
    chosen = admin_client.get(SETTINGS, headers={"accept-language": "nb"}).content.decode()
    assert '<option value="fr" selected lang="fr">Français</option>' in chosen
    html = detail(admin_client, customer, accept_language="nb").content.decode()
    assert '<html lang="fr">' in html
    assert ">Options client<" in html and ">Kundeinnstillinger<" not in html


def test_choosing_the_browsers_language_follows_accept_language_again(
    admin_client, super_admin, customer
):
    super_admin.language = "fr"
    super_admin.save(update_fields=["language"])

    response = admin_client.post(SETTINGS, {"language": ""})

    assert response.status_code == 302
    assert User.objects.get(pk=super_admin.pk).language == ""
    html = detail(admin_client, customer, accept_language="nb").content.decode()
    assert '<html lang="nb">' in html and ">Kundeinnstillinger<" in html


def test_a_language_we_do_not_speak_is_a_field_error_on_the_same_page(admin_client, super_admin):
    response = admin_client.post(SETTINGS, {"language": "de"})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_language_error"' in html
    assert "<h1>My settings</h1>" in html
    assert User.objects.get(pk=super_admin.pk).language == ""


def test_it_sends_anonymous_visitors_to_log_in(anonymous_client):
    for response in (
        anonymous_client.get(SETTINGS),
        anonymous_client.post(SETTINGS, {"language": "fr"}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")


def test_it_refuses_outsiders(outsider_client, staff_client):
    for client in (outsider_client, staff_client):
        assert client.get(SETTINGS).status_code == 403
        assert client.post(SETTINGS, {"language": "fr"}).status_code == 403
    assert not User.objects.exclude(language="").exists()


def test_the_page_reads_a_fixed_number_of_queries(admin_client, django_assert_num_queries):
    """Host, session, account and its two permission reads; saving adds the locked
    account, its update, the customer check and the session's message (with their
    savepoints): nothing grows with the network."""
    with django_assert_num_queries(5):
        assert admin_client.get(SETTINGS).status_code == 200
    with django_assert_num_queries(13):
        assert admin_client.post(SETTINGS, {"language": "ro"}).status_code == 302


# --- The service.


def test_a_super_admins_language_is_their_own_and_leaves_no_event(super_admin):
    assert user_language_set(user=super_admin, language="nl", actor=super_admin) is True
    assert user_language_set(user=super_admin, language="nl", actor=super_admin) is False

    assert User.objects.get(pk=super_admin.pk).language == "nl"
    assert not Event.objects.exists()


def test_a_customers_language_change_is_in_their_history(customer):
    user_language_set(user=customer.user, language="ro", actor=customer.user, ip="203.0.113.5")

    event = Event.objects.get()
    assert event.type == Event.Type.CUSTOMER_UPDATED
    assert event.customer == customer
    assert (event.old, event.new) == ({"language": ""}, {"language": "ro"})


def test_the_service_refuses_a_language_we_do_not_speak(super_admin):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        user_language_set(user=super_admin, language="de", actor=super_admin)
    assert list(caught.value.message_dict) == ["language"]


# --- A subsite: the owner's own choice, and the admin's during Switch to.


def test_the_owner_chooses_their_language_on_their_account_page(owner_client, customer):
    page = owner_client.get("/dashboard/account/").content.decode()
    assert 'action="/dashboard/account/language/"' in page
    assert '<option value="nb" lang="nb">Norsk bokmål</option>' in page

    response = owner_client.post("/dashboard/account/language/", {"language": "ro"})

    assert response.status_code == 302 and response["Location"] == "/dashboard/account/"
    assert User.objects.get(pk=customer.user_id).language == "ro"
    assert Event.objects.get(type=Event.Type.CUSTOMER_UPDATED).new == {"language": "ro"}


def test_the_subsite_speaks_its_owners_language_over_the_browsers(owner_client, customer):
    User.objects.filter(pk=customer.user_id).update(language="ro")

    html = owner_client.get("/dashboard/", headers={"accept-language": "fr"}).content.decode()

    assert '<html lang="ro">' in html


def test_a_bad_language_on_the_account_page_is_a_field_error(owner_client, customer):
    response = owner_client.post("/dashboard/account/language/", {"language": "xx"})

    assert response.status_code == 400
    assert 'id="id_language_error"' in response.content.decode()
    assert User.objects.get(pk=customer.user_id).language == ""


def test_during_switch_to_the_admin_reads_the_site_in_their_own_language(
    admin_client, super_admin, customer, acme
):
    User.objects.filter(pk=customer.user_id).update(language="ro")
    super_admin.language = "nb"
    super_admin.save(update_fields=["language"])
    client, _ = redeem(start(admin_client, customer))

    html = client.get("/dashboard/", headers={"accept-language": "fr"}).content.decode()

    assert '<html lang="nb">' in html


def test_during_switch_to_an_admin_without_a_choice_follows_their_browser(
    admin_client, customer, acme
):
    User.objects.filter(pk=customer.user_id).update(language="ro")
    client, _ = redeem(start(admin_client, customer))

    html = client.get("/dashboard/", headers={"accept-language": "fr"}).content.decode()

    assert '<html lang="fr">' in html


def test_the_subsite_header_has_no_network_settings_link(owner_client):
    assert "My settings" not in owner_client.get("/dashboard/").content.decode()


# --- The network's default language.


def test_an_unknown_default_language_is_refused_at_start():
    result = run_settings(NETWORK_DEFAULT_LANGUAGE="de")

    assert result.returncode != 0
    assert "NETWORK_DEFAULT_LANGUAGE" in result.stderr


def test_the_default_language_comes_from_the_environment():
    show = "import django; django.setup(); from django.conf import settings; "
    result = run_settings("-c", show + "print(settings.NETWORK_DEFAULT_LANGUAGE)")
    assert result.stdout.strip() == "en"
    result = run_settings(
        "-c", show + "print(settings.NETWORK_DEFAULT_LANGUAGE)", NETWORK_DEFAULT_LANGUAGE="nb"
    )
    assert result.stdout.strip() == "nb"

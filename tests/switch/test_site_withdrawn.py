"""A site that stops being the customer's ends the impersonated sessions running on it, at
once and with the reason on record: deactivated, deleted, or given to another customer."""

from __future__ import annotations

from django.contrib.messages import get_messages

from events.models import Event
from memberships.services import membership_reassign
from sites.services import site_delete, sites_reassign
from tests.conftest import network_url
from tests.factories import CustomerFactory, MembershipFactory
from tests.switch.conftest import redeem, start


def ends(reason_words: str) -> Event:
    """The one end recorded, with its reason."""
    event = Event.objects.get(type=Event.Type.SWITCH_BACK)
    assert reason_words in event.new["reason"]
    return event


def assert_signed_out(client, words: str) -> None:
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert any(words in str(m) for m in get_messages(response.wsgi_request))
    assert b"are acting as" not in client.get(response["Location"]).content
    assert client.get("/dashboard/")["Location"].startswith("/login/")


def set_active(admin_client, site, active: bool) -> None:
    response = admin_client.post(
        network_url("sites:active", site.pk), {"active": "1" if active else ""}
    )
    assert response.status_code == 302


def test_deactivating_the_site_records_the_end_at_once(switched, admin_client, super_admin, acme):
    set_active(admin_client, acme, False)

    event = ends("the site was deactivated")
    assert event.actor == super_admin
    assert (event.subject_type, event.subject_id) == ("site", acme.pk)
    assert event.impersonator is None
    assert switched.get("/dashboard/").status_code == 503


def test_a_session_does_not_resume_when_the_site_is_activated_again(switched, admin_client, acme):
    assert b"are acting as" in switched.get("/dashboard/").content
    set_active(admin_client, acme, False)
    set_active(admin_client, acme, True)

    assert_signed_out(switched, "the site was deactivated")
    assert Event.objects.filter(type=Event.Type.SWITCH_BACK).count() == 1


def test_deleting_the_site_records_the_end(switched, super_admin, customer, acme):
    site_delete(site=acme, actor=super_admin)

    event = ends("the site was deleted")
    assert event.customer == customer
    assert (event.subject_type, event.subject_id) == ("site", acme.pk)


def test_giving_the_site_to_another_customer_ends_the_session(
    switched, super_admin, customer, acme
):
    sites_reassign(from_customer=customer, to_customer=CustomerFactory(), actor=super_admin)

    ends("the site was given to another customer")
    assert_signed_out(switched, "the site was given to another customer")
    assert Event.objects.filter(type=Event.Type.SWITCH_BACK).count() == 1


def test_moving_the_sites_membership_to_another_customer_ends_the_session(
    admin_client, super_admin, customer, make_site
):
    membership = MembershipFactory(customer=customer)
    make_site("acme", customer=customer, membership=membership)
    client, _ = redeem(start(admin_client, customer))

    membership_reassign(membership=membership, customer=CustomerFactory(), actor=super_admin)

    ends("the site was given to another customer")
    assert_signed_out(client, "the site was given to another customer")


def test_a_session_on_another_site_keeps_running(admin_client, customer, make_site):
    acme = make_site("acme", customer=customer)
    beta = make_site("beta", customer=customer)
    on_beta, _ = redeem(start(admin_client, customer, site=beta), host="beta.localhost")

    set_active(admin_client, acme, False)

    assert on_beta.get("/dashboard/").status_code == 200
    assert not Event.objects.filter(type=Event.Type.SWITCH_BACK).exists()

"""Switch to, on the network host: who may start it, for whom, and what it hands over."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from events.models import Event
from switch.models import SwitchGrant
from tests.conftest import host_client, network_url
from tests.factories import CustomerFactory, make_super_admin
from tests.switch.conftest import SECRET, start


def _start(client, customer, **data):
    return client.post(network_url("switch:start", customer.pk), data)


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def assert_refused(response, customer, words: str) -> None:
    """Refused: back on the customer's page with a message, and nothing issued."""
    assert response.status_code == 302
    assert response["Location"] == network_url("customers:detail", customer.pk)
    assert any(words in message for message in _messages(response)), _messages(response)
    assert not SwitchGrant.objects.exists()
    assert not Event.objects.filter(type=Event.Type.SWITCH_TO).exists()


def test_it_sends_anonymous_visitors_to_the_login_page(anonymous_client, customer, acme):
    response = _start(anonymous_client, customer)
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert not SwitchGrant.objects.exists()


@pytest.mark.parametrize("client_fixture", ["outsider_client", "staff_client"])
def test_it_rejects_everyone_but_super_admins(request, client_fixture, customer, acme):
    response = _start(request.getfixturevalue(client_fixture), customer)
    assert response.status_code == 403
    assert not SwitchGrant.objects.exists()
    assert not Event.objects.filter(type=Event.Type.SWITCH_TO).exists()


def test_the_access_check_comes_before_the_method_check(
    anonymous_client, outsider_client, customer
):
    """A GET by anyone but a super admin is refused as such, not shown the 405 page."""
    url = network_url("switch:start", customer.pk)
    assert anonymous_client.get(url)["Location"].startswith("/login/?next=")
    assert outsider_client.get(url).status_code == 403


def test_a_get_is_refused_with_a_clear_page(admin_client, customer, acme):
    response = admin_client.get(network_url("switch:start", customer.pk))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert b"Switch to starts from a button" in response.content
    assert not SwitchGrant.objects.exists()


def test_an_unknown_customer_is_a_404(admin_client, network):
    assert admin_client.post(network_url("switch:start", 999_999)).status_code == 404


def test_it_hands_the_secret_to_the_subsite_in_a_post_body(
    admin_client, super_admin, customer, acme
):
    before = timezone.now()
    response = _start(admin_client, customer)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'method="post" action="http://acme.localhost/switch/redeem/"' in html
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    secret = SECRET.search(response.content).group(1).decode()
    assert len(secret) >= 40

    grant = SwitchGrant.objects.get()
    assert (grant.admin, grant.customer, grant.site) == (super_admin, customer, acme)
    assert grant.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in grant.secret_hash
    assert grant.redeemed_at is None
    assert (
        before + timedelta(seconds=59) <= grant.expires_at <= timezone.now() + timedelta(seconds=60)
    )
    assert grant.created_ip == "127.0.0.1"


def test_starting_records_a_switched_to_event_with_the_admin_and_ip(
    admin_client, super_admin, customer, acme
):
    _start(admin_client, customer)
    event = Event.objects.get(type=Event.Type.SWITCH_TO)
    assert event.actor == super_admin
    assert event.customer == customer
    assert (event.subject_type, event.subject_id) == ("site", acme.pk)
    assert event.ip == "127.0.0.1"
    assert "Acme Rockets" in event.message


@pytest.mark.parametrize(
    ("seconds", "words"), [(60, "1 minute"), (120, "2 minutes"), (45, "45 seconds")]
)
def test_the_handoff_page_states_the_configured_lifetime(
    settings, admin_client, customer, acme, seconds, words
):
    settings.SWITCH_TO_GRANT_SECONDS = seconds
    response = _start(admin_client, customer)
    assert f"This link works once, within {words}." in response.content.decode()


def test_the_subsite_address_keeps_the_port_the_admin_uses(super_admin, customer, acme):
    client = host_client("network.localhost:8104")
    client.force_login(super_admin)
    response = _start(client, customer)
    assert b'action="http://acme.localhost:8104/switch/redeem/"' in response.content


def test_behind_a_tls_proxy_the_subsite_address_has_no_app_server_port(
    settings, super_admin, customer, acme
):
    """gunicorn on :8000 behind a proxy on :443: the browser never sees port 8000."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client = Client(HTTP_HOST="network.localhost", SERVER_PORT="8000")
    client.force_login(super_admin)
    response = client.post(
        network_url("switch:start", customer.pk), headers={"x-forwarded-proto": "https"}
    )
    assert b'action="https://acme.localhost/switch/redeem/"' in response.content


def test_each_press_issues_a_new_secret(admin_client, customer, acme):
    assert start(admin_client, customer) != start(admin_client, customer)
    assert SwitchGrant.objects.count() == 2


def test_a_customer_with_several_sites_gets_a_site_picker(admin_client, customer, acme, make_site):
    beta = make_site("beta", customer=customer, title="Beta Labs")
    gamma = make_site("gamma", customer=customer, title="Gamma Inactive")
    gamma.active = False
    gamma.save()

    response = _start(admin_client, customer)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Acme Rockets" in html and "Beta Labs" in html
    assert "Gamma Inactive" not in html
    assert f'name="site" value="{beta.pk}"' in html
    assert "csrfmiddlewaretoken" in html
    assert not SwitchGrant.objects.exists()

    response = _start(admin_client, customer, site=beta.pk)
    assert b'action="http://beta.localhost/switch/redeem/"' in response.content
    assert SwitchGrant.objects.get().site == beta


@pytest.mark.parametrize("extra_sites", [1, 4])
def test_the_site_picker_costs_the_same_queries_with_few_or_many_sites(
    admin_client, customer, acme, make_site, django_assert_num_queries, extra_sites
):
    """The sites' domains are prefetched: no query per site row."""
    for n in range(extra_sites):
        make_site(f"shop{n}", customer=customer)

    # Domain lookup, session, admin, admin's permissions (2), customer, sites, their
    # domains (no SET search_path: the connection is on the public schema already).
    with django_assert_num_queries(8):
        response = _start(admin_client, customer)

    assert response.status_code == 200
    assert response.content.decode().count('name="site"') == 1 + extra_sites


def test_a_staff_target_is_refused(admin_client, customer, acme):
    customer.user.is_staff = True
    customer.user.save()
    assert_refused(_start(admin_client, customer), customer, "never acts as staff")


def test_a_super_admin_target_is_refused(admin_client, acme, make_site):
    other_admin = make_super_admin(username="boss", email="boss@network.localhost")
    target = CustomerFactory(user=other_admin)
    make_site("boss", customer=target)
    assert_refused(_start(admin_client, target), target, "never acts as staff")


def test_a_superuser_target_is_refused(admin_client, customer, acme):
    customer.user.is_superuser = True
    customer.user.save()
    assert_refused(_start(admin_client, customer), customer, "never acts as staff")


def test_an_inactive_customer_is_refused(admin_client, customer, acme):
    customer.user.is_active = False
    customer.user.save()
    assert_refused(_start(admin_client, customer), customer, "account is inactive")


def test_a_customer_without_an_active_site_is_refused(admin_client, customer, acme):
    acme.active = False
    acme.save()
    assert_refused(_start(admin_client, customer), customer, "has no active site")


def test_an_inactive_site_is_refused_even_when_posted(admin_client, customer, acme):
    acme.active = False
    acme.save()
    assert_refused(_start(admin_client, customer, site=acme.pk), customer, "is inactive")


def test_a_site_the_customer_does_not_own_is_refused(admin_client, customer, acme, make_site):
    other = make_site("beta", customer=CustomerFactory())
    assert_refused(_start(admin_client, customer, site=other.pk), customer, "does not belong")


def test_the_main_site_is_refused(admin_client, customer, network, acme):
    assert_refused(_start(admin_client, customer, site=network.pk), customer, "main site")


def test_a_made_up_site_is_refused(admin_client, customer, acme):
    assert_refused(_start(admin_client, customer, site="nope"), customer, "does not exist")


@pytest.mark.parametrize("posted", ["²", "-1", "1.0", "99999999999999999999"])
def test_a_malformed_site_number_is_refused_not_an_error(admin_client, customer, acme, posted):
    assert_refused(_start(admin_client, customer, site=posted), customer, "does not exist")


def test_the_feature_can_be_turned_off_network_wide(settings, admin_client, customer, acme):
    settings.SWITCH_TO_ENABLED = False
    assert_refused(_start(admin_client, customer), customer, "turned off")

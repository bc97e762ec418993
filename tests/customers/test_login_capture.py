"""Every real login of a customer records where it came from; nothing else does."""

from __future__ import annotations

import pytest
from django.contrib.auth import login
from django.test import RequestFactory

from customers.login_capture import country_for_ip, geoip_reader
from customers.models import Customer, LoginRecord
from events.models import Event
from network.http import client_ip
from tests.conftest import NETWORK_HOST, host_client
from tests.factories import PASSWORD

pytestmark = pytest.mark.usefixtures("geoip_db")


def log_in(host: str = NETWORK_HOST, username: str = "ada@example.com", **meta):
    client = host_client(host)
    response = client.post("/login/", {"username": username, "password": PASSWORD}, **meta)
    return response


def test_a_login_on_the_network_host_records_ip_country_and_time(customer):
    response = log_in(REMOTE_ADDR="81.2.69.160", HTTP_USER_AGENT="Firefox/140")
    assert response.status_code == 302
    record = LoginRecord.objects.get(customer=customer)
    assert (record.ip, record.country_code, record.host) == (
        "81.2.69.160",
        "GB",
        NETWORK_HOST,
    )
    assert record.user_agent == "Firefox/140"
    customer.refresh_from_db()
    assert customer.last_login_at is not None
    assert customer.last_seen_at == customer.last_login_at
    event = Event.objects.get(type=Event.Type.LOGIN)
    assert event.customer_ref == customer.pk and event.ip == "81.2.69.160"


def test_a_login_on_a_subsite_is_recorded_too(customer, make_site):
    make_site("acme", customer=customer)
    response = log_in("acme.localhost", REMOTE_ADDR="89.160.20.112")
    assert response.status_code == 302
    record = LoginRecord.objects.get(customer=customer)
    assert (record.ip, record.country_code, record.host) == (
        "89.160.20.112",
        "DE",
        "acme.localhost",
    )


def test_a_forged_forwarded_for_from_an_untrusted_client_is_ignored(customer, settings):
    settings.IPWARE_TRUSTED_PROXIES = []
    log_in(REMOTE_ADDR="89.160.20.112", HTTP_X_FORWARDED_FOR="81.2.69.160")
    record = LoginRecord.objects.get(customer=customer)
    assert (record.ip, record.country_code) == ("89.160.20.112", "DE")


def test_a_trusted_proxy_forwards_the_real_client(customer, settings):
    settings.IPWARE_TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.IPWARE_PROXY_COUNT = 0
    # The client sent its own (forged) header; the proxy appended the real address.
    log_in(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9, 81.2.69.160")
    record = LoginRecord.objects.get(customer=customer)
    assert (record.ip, record.country_code) == ("81.2.69.160", "GB")


def test_a_forwarded_for_is_ignored_when_the_sender_is_not_the_trusted_proxy(settings):
    settings.IPWARE_TRUSTED_PROXIES = ["10.0.0.0/8"]
    request = RequestFactory().get(
        "/", REMOTE_ADDR="89.160.20.112", HTTP_X_FORWARDED_FOR="81.2.69.160"
    )
    assert client_ip(request) == "89.160.20.112"


def test_private_and_unknown_addresses_get_no_country_and_no_error(customer):
    log_in(REMOTE_ADDR="10.1.2.3")
    assert LoginRecord.objects.get(customer=customer).country_code == ""
    assert country_for_ip("8.8.8.8") == ""  # public, but not in the database
    assert country_for_ip("not an ip") == ""
    assert country_for_ip(None) == ""


def test_ipv6_addresses_are_looked_up(customer):
    assert country_for_ip("2a02:c7f:1234::1") == "GB"


def test_a_missing_database_leaves_countries_blank(customer, settings, tmp_path):
    settings.GEOIP_PATH = str(tmp_path / "missing.mmdb")
    response = log_in(REMOTE_ADDR="81.2.69.160")
    assert response.status_code == 302
    record = LoginRecord.objects.get(customer=customer)
    assert (record.ip, record.country_code) == ("81.2.69.160", "")


def test_the_database_is_opened_once(customer, settings):
    geoip_reader.cache_clear()
    for _ in range(3):
        log_in(REMOTE_ADDR="81.2.69.160")
    assert geoip_reader.cache_info().misses == 1
    assert LoginRecord.objects.filter(customer=customer).count() == 3


def test_a_failed_login_records_nothing(customer):
    response = host_client().post(
        "/login/", {"username": "ada@example.com", "password": "wrong"}, REMOTE_ADDR="81.2.69.1"
    )
    assert response.status_code == 200
    assert not LoginRecord.objects.exists()
    assert not Event.objects.exists()


def test_accounts_without_a_customer_profile_are_not_recorded(super_admin):
    response = log_in(username="root@network.localhost", REMOTE_ADDR="81.2.69.160")
    assert response.status_code == 302
    assert not LoginRecord.objects.exists()


def test_logging_someone_in_outside_the_login_form_is_not_their_login(customer):
    """Switch to signs an admin in as the customer with login() directly: that must
    never count as the customer's own login (so no user_logged_in receiver)."""
    request = RequestFactory().get("/", REMOTE_ADDR="81.2.69.160")
    from django.contrib.sessions.backends.db import SessionStore

    request.session = SessionStore()
    login(request, customer.user, backend="django.contrib.auth.backends.ModelBackend")
    assert not LoginRecord.objects.exists()
    assert Customer.objects.get(pk=customer.pk).last_login_at is None

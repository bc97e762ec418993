"""Failed logins are throttled per account and per client IP on every login form: the
network's, each subsite's and Django admin's (django-axes)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import MD5PasswordHasher
from django.utils import timezone

from customers.models import LoginRecord
from events.models import Event
from tests.conftest import NETWORK_HOST, host_client, network_url
from tests.factories import PASSWORD, CustomerFactory

LOCKED = "Too many failed attempts; try again in 15 minutes."
ATTACKER = "198.51.100.66"


class CountingHasher(MD5PasswordHasher):
    """The real MD5 hasher, counting each password it hashes."""

    hashed = 0

    def encode(self, password, salt):
        CountingHasher.hashed += 1
        return super().encode(password, salt)


@pytest.fixture
def counting_hasher(settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    CountingHasher.hashed = 0
    return CountingHasher


def log_in(username, password, *, host=NETWORK_HOST, path="/login/", **meta):
    meta.setdefault("REMOTE_ADDR", ATTACKER)
    return host_client(host).post(path, {"username": username, "password": password}, **meta)


def fail(times, username="ada@example.com", **kwargs):
    for _ in range(times):
        response = log_in(username, "wrong password", **kwargs)
    return response


def logged_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def test_five_wrong_passwords_then_the_right_one_is_refused(customer):
    assert fail(4).status_code == 200
    fifth = fail(1)
    assert fifth.status_code == 429
    assert LOCKED in fifth.content.decode()

    response = log_in("ada@example.com", PASSWORD)
    assert response.status_code == 429
    assert not logged_in(response)
    page = response.content.decode()
    assert LOCKED in page and "<form" in page  # the login form, saying why; no bare 403
    assert not LoginRecord.objects.exists()


def test_four_wrong_passwords_still_let_the_right_one_in(customer):
    fail(4)
    assert logged_in(log_in("ada@example.com", PASSWORD))


def test_the_account_is_locked_whatever_handle_and_address_the_guesses_used(customer):
    for number, handle in enumerate(["ada", "ADA@example.com", "Ada", "ada@EXAMPLE.com", "ADA"]):
        fail(1, handle, REMOTE_ADDR=f"203.0.113.{number + 1}")
    response = log_in("ada", PASSWORD, REMOTE_ADDR="192.0.2.200")
    assert response.status_code == 429 and not logged_in(response)


def test_an_address_is_locked_whichever_accounts_it_guessed_at(customer):
    for name in ("bob", "carol", "dave", "erin", "frank"):
        fail(1, name)
    assert log_in("ada@example.com", PASSWORD).status_code == 429
    assert logged_in(log_in("ada@example.com", PASSWORD, REMOTE_ADDR="192.0.2.7"))


def test_a_locked_out_attempt_hashes_no_password(customer, counting_hasher):
    fail(5)
    counting_hasher.hashed = 0
    for password in (PASSWORD, "another guess", "and another"):
        assert log_in("ada@example.com", password).status_code == 429
    log_in("nobody@example.com", "guess")  # an unknown account, from the locked address
    assert counting_hasher.hashed == 0


def test_an_attempt_that_is_not_locked_out_still_costs_one_hash(customer, counting_hasher):
    """The spy does see hashes: the test above is not passing for want of them."""
    fail(1)
    fail(1, "nobody@example.com")
    assert counting_hasher.hashed == 2


def test_the_lockout_is_recorded_once_on_the_customer(customer):
    fail(8)
    log_in("ada", PASSWORD)
    event = Event.objects.get(type=Event.Type.LOGIN_LOCKED)
    assert event.customer == customer
    assert event.ip == ATTACKER
    assert event.new["failures"] == 5
    assert "locked after 5 failed attempts" in event.message


def test_an_address_lockout_is_recorded_without_a_customer(customer):
    for name in ("bob", "carol", "dave", "erin", "frank"):
        fail(1, name)
    event = Event.objects.get(type=Event.Type.LOGIN_LOCKED)
    assert event.customer is None
    assert event.message.startswith(f"Logins from {ATTACKER} locked")


def test_the_lock_ends_after_the_cool_off(customer):
    fail(5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert logged_in(log_in("ada@example.com", PASSWORD))


def test_the_limit_and_the_cool_off_come_from_the_settings(customer, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=3)
    response = fail(2)
    assert "try again in 3 minutes" in response.content.decode()


def test_a_subsite_login_is_throttled_and_locks_the_account_on_every_host(make_site):
    owner = CustomerFactory(user__username="ada", user__email="ada@example.com")
    make_site("acme", customer=owner)
    fail(5, host="acme.localhost")
    response = log_in("ada", PASSWORD, host="acme.localhost")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert log_in("ada", PASSWORD, REMOTE_ADDR="192.0.2.7").status_code == 429
    assert Event.objects.get(type=Event.Type.LOGIN_LOCKED).customer == owner


def test_django_admins_login_is_throttled(super_admin):
    for _ in range(5):
        log_in("root", "wrong password", path="/admin/login/")
    response = log_in("root", PASSWORD, path="/admin/login/")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in response.client.session


def test_a_forged_forwarded_for_neither_dodges_nor_frames_the_lock(customer):
    """X-Forwarded-For from a client that is not a trusted proxy is ignored."""
    victim = "203.0.113.50"
    for number, name in enumerate(("bob", "carol", "dave", "erin", "frank")):
        fail(1, name, HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, {victim}")
    # Not dodged: the attacker's own address is locked, whatever it claims next.
    assert log_in("ada", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429
    # Not framed: the address it claimed to be is not.
    assert logged_in(log_in("ada", PASSWORD, REMOTE_ADDR=victim))


def test_behind_a_trusted_proxy_each_client_is_counted_apart(customer, settings):
    """The lock uses our client IP (network.http.client_ip), not the proxy's address."""
    settings.IPWARE_TRUSTED_PROXIES = ["10.0.0.1"]
    for name in ("bob", "carol", "dave", "erin", "frank"):
        fail(1, name, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=ATTACKER)
    behind_proxy = {"REMOTE_ADDR": "10.0.0.1"}
    assert log_in("ada", PASSWORD, HTTP_X_FORWARDED_FOR=ATTACKER, **behind_proxy).status_code == 429
    assert logged_in(log_in("ada", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.8", **behind_proxy))


def test_the_customer_page_shows_the_lockout_and_an_admin_clears_it(
    customer, super_admin, admin_client
):
    fail(5)
    detail = network_url("customers:detail", customer.pk)
    page = admin_client.get(detail).content.decode()
    assert 'id="login-lockout"' in page and "after 5 failed attempts" in page

    response = admin_client.post(network_url("customers:login_unlock", customer.pk))
    assert response.status_code == 302
    event = Event.objects.get(type=Event.Type.LOGIN_UNLOCKED)
    assert (event.customer, event.actor) == (customer, super_admin)
    assert logged_in(log_in("ada@example.com", PASSWORD, REMOTE_ADDR="192.0.2.7"))
    assert 'id="login-lockout"' not in admin_client.get(detail).content.decode()


def test_clearing_when_nothing_failed_records_nothing(customer, admin_client):
    response = admin_client.post(network_url("customers:login_unlock", customer.pk), follow=True)
    assert "There were no failed logins to clear." in response.content.decode()
    assert not Event.objects.filter(type=Event.Type.LOGIN_UNLOCKED).exists()


def test_clearing_a_lockout_rejects_outsiders(customer, outsider_client, staff_client):
    fail(5)
    for client in (outsider_client, staff_client):
        response = client.post(network_url("customers:login_unlock", customer.pk))
        assert response.status_code == 403
    assert log_in("ada", PASSWORD, REMOTE_ADDR="192.0.2.7").status_code == 429

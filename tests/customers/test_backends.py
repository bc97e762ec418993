"""Logging in with the username or the email address, whatever its case."""

from __future__ import annotations

from django.contrib.auth import authenticate

from customers.models import User
from tests.conftest import host_client, network_url
from tests.factories import PASSWORD, CustomerFactory, UserFactory


def test_the_email_logs_in_whatever_its_case(network):
    customer = CustomerFactory(user__email="ada@example.com")
    assert authenticate(username="ADA@Example.com", password=PASSWORD) == customer.user


def test_an_email_whose_domain_has_letters_beyond_ascii_logs_in(network):
    """PostgreSQL's UPPER, which the unique constraint uses, and Python's str.upper()
    disagree on letters like ß; the lookup must use the database's."""
    user = UserFactory(email="ada@straße.example")
    assert authenticate(username="ada@straße.example", password=PASSWORD) == user


def test_a_wrong_password_or_an_unknown_email_is_refused(network):
    UserFactory(email="ada@example.com")
    assert authenticate(username="ada@example.com", password="wrong") is None
    assert authenticate(username="nobody@example.com", password=PASSWORD) is None


def test_an_inactive_account_is_refused(network):
    UserFactory(email="ada@example.com", is_active=False)
    assert authenticate(username="ada@example.com", password=PASSWORD) is None


def test_an_existing_account_is_found_by_an_email_beyond_ascii(admin_client):
    user = UserFactory(username="ada", email="ada@straße.example")
    response = admin_client.post(
        network_url("customers:add"), {"mode": "existing", "account": "ada@straße.example"}
    )
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).customer


def test_a_username_with_an_at_sign_logs_in_too(network):
    """Usernames may hold "@" (Django's validator allows it)."""
    user = UserFactory(username="ada@home", email="ada@example.com")
    assert authenticate(username="ada@home", password=PASSWORD) == user


def test_the_username_logs_in_in_any_letter_case(network):
    UserFactory(username="ada", email="ada@example.com")
    response = host_client().post("/login/", {"username": "ADA", "password": PASSWORD})
    assert response.status_code == 302

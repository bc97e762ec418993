"""A subsite's login accepts only the site's owner: never another customer, never a
staff account, refused like a wrong password and with nothing recorded."""

from __future__ import annotations

import pytest

from customers.models import LoginRecord
from events.models import Event
from tests.conftest import host_client
from tests.factories import PASSWORD, CustomerFactory, UserFactory

REFUSED = "Please enter a correct username or email and password."


@pytest.fixture
def owner(make_site):
    customer = CustomerFactory(user__username="ada", user__email="ada@example.com")
    make_site("acme", customer=customer)
    return customer


def log_in_on_acme(username: str):
    return host_client("acme.localhost").post(
        "/login/", {"username": username, "password": PASSWORD}
    )


def assert_refused_like_a_wrong_password(response) -> None:
    assert response.status_code == 200
    assert "_auth_user_id" not in response.client.session
    wrong_password = host_client("acme.localhost").post(
        "/login/", {"username": "ada", "password": "wrong"}
    )
    errors = response.context["form"].non_field_errors()
    assert errors == wrong_password.context["form"].non_field_errors()
    assert not LoginRecord.objects.exists()
    assert not Event.objects.filter(type=Event.Type.LOGIN).exists()


def test_the_sites_owner_logs_in(owner):
    response = log_in_on_acme("ada@example.com")
    assert response.status_code == 302
    assert LoginRecord.objects.get().host == "acme.localhost"


def test_another_customers_owner_is_refused(owner, make_site):
    other = CustomerFactory(user__username="bob", user__email="bob@example.com")
    make_site("bobs", customer=other)
    assert_refused_like_a_wrong_password(log_in_on_acme("bob@example.com"))


def test_a_super_admin_is_refused(owner, super_admin):
    assert_refused_like_a_wrong_password(log_in_on_acme(super_admin.email))


def test_a_staff_account_is_refused(owner):
    UserFactory(username="intern", email="intern@example.com", is_staff=True)
    assert_refused_like_a_wrong_password(log_in_on_acme("intern"))


def test_a_superuser_without_staff_is_refused(owner):
    UserFactory(username="boss", email="boss@example.com", is_superuser=True)
    assert_refused_like_a_wrong_password(log_in_on_acme("boss"))


def test_an_account_that_is_no_customer_is_refused(owner):
    UserFactory(username="carol", email="carol@example.com")
    assert_refused_like_a_wrong_password(log_in_on_acme("carol"))


def test_a_site_without_a_customer_lets_no_one_in(make_site):
    CustomerFactory(user__username="ada", user__email="ada@example.com")
    make_site("acme")
    assert_refused_like_a_wrong_password(log_in_on_acme("ada"))


def test_the_owner_of_a_subsite_still_logs_in_on_the_network_host(owner):
    """The rule is the subsites': the network host keeps its own login."""
    response = host_client().post("/login/", {"username": "ada", "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_the_owner_is_refused_once_their_account_is_made_staff(owner, flag):
    """Staff passwords are never typed on a customer-branded host, even the owner's."""
    setattr(owner.user, flag, True)
    owner.user.save(update_fields=[flag])
    assert_refused_like_a_wrong_password(log_in_on_acme("ada"))

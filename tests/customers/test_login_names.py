"""One login name, one account: a username may not be another account's email, nor an
email another account's username, through the product's forms or Django admin's."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from customers import services
from customers.models import User
from tests.conftest import host_client, network_url
from tests.factories import UserFactory


@pytest.fixture
def django_admin_client(network):
    """Signed in as a superuser, who may add and change accounts in Django admin."""
    client = host_client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def bob(network):
    return UserFactory(username="bob", email="bob@example.com")


def test_the_service_refuses_a_username_that_is_another_accounts_email(bob):
    with pytest.raises(ValidationError) as error:
        services.customer_create(username="BOB@example.com", email="x@example.com", actor=None)
    assert error.value.message_dict["username"] == [
        "That username is another account's email address."
    ]


def test_the_service_refuses_an_email_that_is_another_accounts_username(network):
    UserFactory(username="carol@home", email="carol@example.com")
    with pytest.raises(ValidationError) as error:
        services.customer_create(username="dave", email="Carol@Home", actor=None)
    assert error.value.message_dict["email"] == [
        "That email address is another account's username."
    ]


def test_an_account_may_use_its_own_email_as_its_username(network):
    customer = services.customer_create(
        username="ada@example.com", email="ada@example.com", actor=None
    )
    services.customer_update_fields(
        customer=customer,
        actor=None,
        username="ADA@example.com",
        email="ada@example.com",
        email_verification="none",
    )


def test_the_add_customer_form_refuses_another_accounts_email_as_username(bob, admin_client):
    response = admin_client.post(
        network_url("customers:add"),
        {"mode": "new", "username": "bob@example.com", "email": "eve@example.com"},
    )
    assert response.status_code == 400
    assert "That username is another account&#x27;s email address." in response.content.decode()
    assert not User.objects.filter(email="eve@example.com").exists()


def test_the_fields_form_refuses_another_accounts_username_as_email(bob, customer, admin_client):
    UserFactory(username="eve@home.example", email="eve@example.com")
    response = admin_client.post(
        network_url("customers:fields", customer.pk),
        {"username": "ada", "email": "EVE@home.example", "email_verification": "none"},
    )
    assert response.status_code == 400
    assert "That email address is another account&#x27;s username." in response.content.decode()
    customer.user.refresh_from_db()
    assert customer.user.email == "ada@example.com"


def test_django_admins_add_user_refuses_another_accounts_email_as_username(
    bob, django_admin_client
):
    response = django_admin_client.post(
        "/admin/customers/user/add/",
        {
            "username": "bob@example.com",
            "usable_password": "true",
            "password1": "a long unusual passphrase",
            "password2": "a long unusual passphrase",
        },
    )
    assert response.status_code == 200
    assert "That username is another account&#x27;s email address." in response.content.decode()
    assert not User.objects.filter(username="bob@example.com").exists()


def change_user(client, user, **changes):
    data = {
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        **changes,
    }
    return client.post(f"/admin/customers/user/{user.pk}/change/", data)


def test_django_admins_change_user_refuses_another_accounts_username_as_email(
    bob, django_admin_client
):
    UserFactory(username="eve@home.example", email="eve@example.com")
    response = change_user(django_admin_client, bob, email="Eve@Home.example")
    assert response.status_code == 200
    assert "That email address is another account&#x27;s username." in response.content.decode()
    bob.refresh_from_db()
    assert bob.email == "bob@example.com"


def test_django_admins_change_user_still_saves_a_plain_edit(bob, django_admin_client):
    response = change_user(django_admin_client, bob, first_name="Robert")
    assert response.status_code == 302, response.context["adminform"].form.errors
    bob.refresh_from_db()
    assert bob.first_name == "Robert"

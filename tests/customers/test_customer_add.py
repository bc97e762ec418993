from __future__ import annotations

from customers.models import Customer, User
from events.models import Event
from tests.conftest import network_url
from tests.factories import UserFactory

ADD = network_url("customers:add")


def test_it_rejects_outsiders(outsider_client, staff_client, anonymous_client):
    assert outsider_client.get(ADD).status_code == 403
    assert staff_client.post(ADD, {"mode": "new"}).status_code == 403
    assert anonymous_client.get(ADD).status_code == 302


def test_the_form_offers_a_new_or_an_existing_account(admin_client):
    html = admin_client.get(ADD).content.decode()
    assert 'value="new"' in html and 'value="existing"' in html


def test_adding_a_new_account_creates_the_customer(admin_client, super_admin):
    response = admin_client.post(
        ADD,
        {
            "mode": "new",
            "first_name": "Grace",
            "last_name": "Hopper",
            "username": "grace",
            "email": "grace@example.com",
            "password": "",
        },
    )
    customer = Customer.objects.get(user__username="grace")
    assert response.status_code == 302
    assert response["Location"] == network_url("customers:detail", customer.pk)
    assert Event.objects.get(type=Event.Type.CUSTOMER_CREATED).actor == super_admin


def test_adding_an_existing_account_by_email(admin_client):
    user = UserFactory(username="linus", email="linus@example.com")
    response = admin_client.post(ADD, {"mode": "existing", "account": "LINUS@example.com"})
    assert response.status_code == 302
    assert Customer.objects.get().user == user


def test_bad_input_keeps_what_was_typed_and_saves_nothing(admin_client, customer):
    response = admin_client.post(
        ADD,
        {
            "mode": "new",
            "first_name": "Second",
            "username": "ADA",
            "email": "not an email",
            "password": "123",
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "That username is already taken." in errors["username"]
    assert "Enter a valid email address." in errors["email"]
    assert errors["password"]
    assert 'value="Second"' in response.content.decode()
    assert User.objects.count() == 2  # ada and the admin


def test_an_existing_account_must_exist_and_not_be_a_customer(admin_client, customer):
    missing = admin_client.post(ADD, {"mode": "existing", "account": "nobody"})
    assert "No account has that username or email." in missing.content.decode()
    taken = admin_client.post(ADD, {"mode": "existing", "account": "ada"})
    assert "That account is already a customer." in taken.content.decode()
    staff = admin_client.post(ADD, {"mode": "existing", "account": "root"})
    assert "Staff accounts cannot be customers." in staff.content.decode()
    assert Customer.objects.count() == 1


def test_an_email_longer_than_the_column_is_a_field_error_not_a_crash(admin_client):
    too_long = "a" * 250 + "@example.com"
    response = admin_client.post(
        ADD, {"mode": "new", "username": "grace", "email": too_long, "password": ""}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["email"]
    assert not Customer.objects.exists()

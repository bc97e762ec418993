"""The three small forms of the detail page: Customer Options (VIP), Billing Info and
Fields. Each posts to its own URL; bad input re-renders the page with field errors
and what was typed, and saves nothing."""

from __future__ import annotations

import pytest

from customers.models import Customer, User
from events.models import Event
from memberships.models import Membership
from tests.conftest import network_url
from tests.factories import CustomerFactory, MembershipFactory

VALID_BILLING = {
    "company_name": "Analytical Engines Ltd",
    "billing_email": "accounts@engines.test",
    "address_line_1": "12 St James's Square",
    "address_line_2": "",
    "city": "London",
    "state": "",
    "postal_code": "SW1Y 4JH",
    "country": "GB",
}


def fields_data(customer: Customer, **changes) -> dict:
    data = {
        "username": customer.user.username,
        "email": customer.user.email,
        "first_name": customer.user.first_name,
        "last_name": customer.user.last_name,
        "email_verification": customer.email_verification,
    }
    return {**data, **changes}


@pytest.mark.parametrize("name", ["options", "billing", "fields"])
def test_outsiders_cannot_edit(outsider_client, staff_client, anonymous_client, customer, name):
    url = network_url(f"customers:{name}", customer.pk)
    assert outsider_client.post(url, {"vip": "on"}).status_code == 403
    assert staff_client.post(url, {"vip": "on"}).status_code == 403
    assert anonymous_client.post(url, {"vip": "on"}).status_code == 302
    customer.refresh_from_db()
    assert customer.vip is False


@pytest.mark.parametrize("name", ["options", "billing", "fields"])
def test_opening_an_edit_address_leads_to_the_customer_page_and_changes_nothing(
    admin_client, customer, name
):
    response = admin_client.get(network_url(f"customers:{name}", customer.pk), {"vip": "on"})
    assert response.status_code == 302
    assert response["Location"].startswith(network_url("customers:detail", customer.pk))
    customer.refresh_from_db()
    assert customer.vip is False


def test_toggling_vip_saves_it_and_records_an_event(admin_client, customer, super_admin):
    response = admin_client.post(network_url("customers:options", customer.pk), {"vip": "on"})
    assert response.status_code == 302
    assert response["Location"] == network_url("customers:detail", customer.pk) + (
        "#customer-options"
    )
    customer.refresh_from_db()
    assert customer.vip is True
    event = Event.objects.get(type=Event.Type.VIP_CHANGED)
    assert (event.old, event.new) == ({"vip": False}, {"vip": True})
    assert event.actor == super_admin
    assert event.customer_ref == customer.pk

    admin_client.post(network_url("customers:options", customer.pk), {})
    customer.refresh_from_db()
    assert customer.vip is False
    assert Event.objects.filter(type=Event.Type.VIP_CHANGED).count() == 2


def test_saving_vip_unchanged_records_nothing(admin_client, customer):
    response = admin_client.post(network_url("customers:options", customer.pk), {}, follow=True)
    assert "Nothing changed." in response.content.decode()
    assert not Event.objects.exists()


def test_billing_info_is_saved_with_an_event_of_what_changed(admin_client, customer):
    response = admin_client.post(network_url("customers:billing", customer.pk), VALID_BILLING)
    assert response.status_code == 302
    assert "tab=billing" in response["Location"]
    customer.refresh_from_db()
    assert customer.billing_email == "accounts@engines.test"
    assert customer.country.code == "GB"
    event = Event.objects.get(type=Event.Type.BILLING_CHANGED)
    assert event.old["postal_code"] == "" and event.new["postal_code"] == "SW1Y 4JH"
    assert "address_line_2" not in event.new  # unchanged fields are not listed


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("billing_email", "", "This field is required."),
        ("billing_email", "not-an-email", "Enter a valid email address."),
        ("address_line_1", "", "This field is required."),
        ("postal_code", "", "This field is required."),
        ("country", "", "This field is required."),
        ("country", "XX", "Select a valid choice."),
    ],
)
def test_bad_billing_info_shows_errors_keeps_input_and_saves_nothing(
    admin_client, customer, field, value, error
):
    data = {**VALID_BILLING, field: value}
    response = admin_client.post(network_url("customers:billing", customer.pk), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert error in html
    assert 'value="Analytical Engines Ltd"' in html  # what was typed stays
    assert response.context["billing_form"].errors[field]
    assert response.context["tab"] == "billing"
    customer.refresh_from_db()
    assert customer.company_name == "" and customer.billing_email == ""
    assert not Event.objects.exists()


def test_fields_change_the_account_with_an_event(admin_client, customer, super_admin):
    data = fields_data(customer, username="countess", email="countess@example.com")
    response = admin_client.post(network_url("customers:fields", customer.pk), data)
    assert response.status_code == 302
    user = User.objects.get(pk=customer.user_id)
    assert (user.username, user.email) == ("countess", "countess@example.com")
    event = Event.objects.get(type=Event.Type.CUSTOMER_UPDATED)
    assert event.old == {"username": "ada", "email": "ada@example.com"}
    assert event.new == {"username": "countess", "email": "countess@example.com"}
    assert event.actor == super_admin


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"username": "ALAN"}, "username", "That username is already taken."),
        ({"email": "Alan@Example.COM"}, "email", "already belongs to an account"),
        ({"email": "nope"}, "email", "Enter a valid email address."),
        ({"username": ""}, "username", "This field is required."),
        ({"username": "has space"}, "username", "Enter a valid username."),
        ({"email_verification": "maybe"}, "email_verification", "Select a valid choice."),
    ],
)
def test_bad_fields_show_errors_keep_input_and_save_nothing(
    admin_client, customer, changes, field, error
):
    CustomerFactory(user__username="alan", user__email="alan@example.com")
    data = fields_data(customer, first_name="Augusta", **changes)
    response = admin_client.post(network_url("customers:fields", customer.pk), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert error in html
    assert 'value="Augusta"' in html
    assert response.context["fields_form"].errors[field]
    user = User.objects.get(pk=customer.user_id)
    assert (user.username, user.first_name) == ("ada", "Ada")
    assert not Event.objects.exists()


def test_going_to_verified_can_activate_pending_memberships(admin_client, customer):
    pending = MembershipFactory(customer=customer, status=Membership.Status.PENDING)
    cancelled = MembershipFactory(customer=customer, status=Membership.Status.CANCELLED)
    data = fields_data(customer, email_verification="verified", activate_pending_memberships="on")
    admin_client.post(network_url("customers:fields", customer.pk), data)
    customer.refresh_from_db()
    pending.refresh_from_db()
    cancelled.refresh_from_db()
    assert customer.email_verification == "verified"
    assert pending.status == Membership.Status.ACTIVE and pending.date_activated
    assert cancelled.status == Membership.Status.CANCELLED
    verification = Event.objects.get(type=Event.Type.EMAIL_VERIFICATION)
    assert verification.old == {"email_verification": "none"}
    assert verification.new == {"email_verification": "verified"}
    activation = Event.objects.get(type=Event.Type.MEMBERSHIP_STATUS)
    assert activation.subject_id == pending.pk
    assert (activation.old, activation.new) == ({"status": "pending"}, {"status": "active"})


def test_going_to_verified_without_the_checkbox_leaves_memberships_pending(admin_client, customer):
    pending = MembershipFactory(customer=customer, status=Membership.Status.PENDING)
    data = fields_data(customer, email_verification="verified")
    admin_client.post(network_url("customers:fields", customer.pk), data)
    pending.refresh_from_db()
    assert pending.status == Membership.Status.PENDING
    assert Event.objects.filter(type=Event.Type.EMAIL_VERIFICATION).count() == 1


def test_the_checkbox_does_nothing_unless_going_to_verified(admin_client, customer):
    pending = MembershipFactory(customer=customer, status=Membership.Status.PENDING)
    data = fields_data(customer, email_verification="pending", activate_pending_memberships="on")
    admin_client.post(network_url("customers:fields", customer.pk), data)
    pending.refresh_from_db()
    assert pending.status == Membership.Status.PENDING


def test_an_edit_redirects_back_to_the_page_with_a_message(admin_client, customer):
    data = fields_data(customer, email_verification="pending")
    response = admin_client.post(network_url("customers:fields", customer.pk), data, follow=True)
    assert response.redirect_chain[-1][0].endswith("#fields")
    assert "Fields saved." in response.content.decode()
    assert "Email verification changed from none to pending" in response.content.decode()


def test_an_email_longer_than_the_column_is_a_field_error_not_a_crash(admin_client, customer):
    too_long = "a" * 250 + "@example.com"  # a valid address, longer than the 254 stored
    data = fields_data(customer, email=too_long)
    response = admin_client.post(network_url("customers:fields", customer.pk), data)
    assert response.status_code == 400
    assert response.context["fields_form"].errors["email"]
    assert too_long in response.content.decode()
    assert User.objects.get(pk=customer.user_id).email == customer.user.email

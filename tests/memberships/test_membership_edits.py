from __future__ import annotations

from decimal import Decimal

import pytest

from events.models import Event
from memberships.models import Membership, MembershipAddon, Product
from payments.models import Payment
from tests.conftest import network_url
from tests.factories import CustomerFactory, MembershipFactory, PaymentFactory, ProductFactory


@pytest.fixture
def membership(customer):
    return MembershipFactory(customer=customer, plan=ProductFactory(name="Starter"))


def _events(membership, type):
    return Event.objects.filter(subject_type="membership", subject_id=membership.pk, type=type)


def _post(client, name, membership, data, *args):
    return client.post(network_url(f"memberships:{name}", membership.pk, *args), data)


# --- Status


def test_changing_the_status_records_old_and_new_and_who(admin_client, membership, super_admin):
    response = _post(admin_client, "status", membership, {"status": "cancelled"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/memberships/{membership.pk}/#status")
    membership.refresh_from_db()
    assert membership.status == Membership.Status.CANCELLED
    assert membership.date_cancelled is not None
    event = _events(membership, Event.Type.MEMBERSHIP_STATUS).get()
    assert (event.old, event.new) == ({"status": "active"}, {"status": "cancelled"})
    assert event.actor == super_admin
    assert event.customer == membership.customer


def test_an_unknown_status_is_a_field_error_and_nothing_changes(admin_client, membership):
    response = _post(admin_client, "status", membership, {"status": "gone"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    assert not Event.objects.exists()


# --- Reassign


def test_searching_for_a_customer_lists_matches_but_not_the_current_owner(admin_client, membership):
    CustomerFactory(user__email="grace@navy.example", user__first_name="Grace")
    url = network_url("memberships:detail", membership.pk)
    page = admin_client.get(url, {"customer_q": "NAVY"}).content.decode()
    assert "grace@navy.example" in page
    page = admin_client.get(url, {"customer_q": "ada"}).content.decode()
    assert "No other customer matches" in page


def test_a_nul_character_in_the_search_is_ignored_instead_of_failing(admin_client, membership):
    CustomerFactory(user__email="grace@navy.example", user__first_name="Grace")
    url = network_url("memberships:detail", membership.pk)
    response = admin_client.get(url, {"customer_q": "NA\x00VY"})
    assert response.status_code == 200
    assert "grace@navy.example" in response.content.decode()


def test_reassigning_moves_the_membership_with_its_sites_and_payments(
    admin_client, membership, make_site
):
    other = CustomerFactory(user__email="grace@example.com")
    site = make_site("acme", customer=membership.customer, membership=membership)
    payment = PaymentFactory(customer=membership.customer, membership=membership)
    unrelated = PaymentFactory(customer=membership.customer)

    response = _post(admin_client, "reassign", membership, {"customer": other.pk})

    assert response.status_code == 302
    membership.refresh_from_db()
    site.refresh_from_db()
    payment.refresh_from_db()
    unrelated.refresh_from_db()
    assert membership.customer == other
    assert site.customer == other
    assert payment.customer == other
    assert unrelated.customer != other
    events = _events(membership, Event.Type.MEMBERSHIP_REASSIGNED)
    assert {e.customer_id for e in events} == {other.pk, unrelated.customer_id}
    assert events.first().new["sites"] == 1


@pytest.mark.parametrize(
    ("value", "error"),
    [("999999", "There is no customer with ID 999999."), ("abc", "Enter a whole number.")],
)
def test_reassigning_to_a_missing_customer_is_refused(admin_client, membership, value, error):
    response = _post(admin_client, "reassign", membership, {"customer": value})
    assert response.status_code == 200
    assert error in response.content.decode()
    membership.refresh_from_db()
    assert membership.customer.user.username == "ada"


def test_reassigning_to_the_same_customer_is_refused(admin_client, membership):
    response = _post(admin_client, "reassign", membership, {"customer": membership.customer_id})
    assert "already belongs to this customer" in response.content.decode()
    assert not Event.objects.exists()


# --- Plan and add-ons


def test_changing_the_plan_is_recorded(admin_client, membership):
    pro = ProductFactory(name="Pro")
    _post(admin_client, "plan", membership, {"plan": pro.pk})
    membership.refresh_from_db()
    assert membership.plan == pro
    event = _events(membership, Event.Type.MEMBERSHIP_PRODUCTS).get()
    assert event.old["plan_name"] == "Starter" and event.new["plan_name"] == "Pro"


def test_a_plan_in_another_currency_is_refused(admin_client, membership):
    euro = ProductFactory(name="Euro plan", currency="EUR")
    response = _post(admin_client, "plan", membership, {"plan": euro.pk})
    assert "Pick one of the listed plans: the active ones priced in USD" in (
        response.content.decode()
    )
    membership.refresh_from_db()
    assert membership.plan.name == "Starter"


def test_adding_an_add_on_with_a_quantity(admin_client, membership):
    storage = ProductFactory(name="Storage", kind=Product.Kind.PACKAGE, price=Decimal("4.00"))
    response = _post(admin_client, "addon_add", membership, {"product": storage.pk, "quantity": 3})
    assert response.status_code == 302
    row = membership.addon_rows.get()
    assert (row.product, row.quantity) == (storage, 3)
    event = _events(membership, Event.Type.MEMBERSHIP_PRODUCTS).get()
    assert event.new == {"product": storage.pk, "product_name": "Storage", "quantity": 3}


def test_a_bad_quantity_keeps_what_was_typed_and_adds_nothing(admin_client, membership):
    storage = ProductFactory(name="Storage", kind=Product.Kind.PACKAGE)
    response = _post(admin_client, "addon_add", membership, {"product": storage.pk, "quantity": 0})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 1." in page
    assert 'name="quantity" value="0"' in page
    assert f'<option value="{storage.pk}" selected>' in page
    assert not MembershipAddon.objects.exists()


def test_a_plan_cannot_be_added_as_an_add_on(admin_client, membership):
    other_plan = ProductFactory(name="Other plan", kind=Product.Kind.PLAN)
    response = _post(admin_client, "addon_add", membership, {"product": other_plan.pk})
    assert "Pick one of the listed add-ons (a plan is never an add-on)" in (
        response.content.decode()
    )
    assert not MembershipAddon.objects.exists()


def test_the_same_add_on_twice_is_refused(admin_client, membership):
    storage = ProductFactory(name="Storage", kind=Product.Kind.PACKAGE)
    MembershipAddon.objects.create(membership=membership, product=storage, quantity=1)
    response = _post(admin_client, "addon_add", membership, {"product": storage.pk, "quantity": 2})
    assert "already on this membership" in response.content.decode()
    assert membership.addon_rows.get().quantity == 1


def test_changing_an_add_on_quantity_and_removing_it(admin_client, membership):
    storage = ProductFactory(name="Storage", kind=Product.Kind.SERVICE)
    row = MembershipAddon.objects.create(membership=membership, product=storage, quantity=1)

    _post(admin_client, "addon_quantity", membership, {"quantity": 5}, row.pk)
    row.refresh_from_db()
    assert row.quantity == 5

    response = _post(admin_client, "addon_quantity", membership, {"quantity": "-2"}, row.pk)
    assert 'value="-2"' in response.content.decode()
    row.refresh_from_db()
    assert row.quantity == 5

    _post(admin_client, "addon_remove", membership, {}, row.pk)
    assert not MembershipAddon.objects.exists()
    messages = list(
        _events(membership, Event.Type.MEMBERSHIP_PRODUCTS).values_list("message", flat=True)
    )
    assert any("removed" in message for message in messages)
    assert any("changed from 1 to 5" in message for message in messages)


def test_another_memberships_add_on_is_a_404(admin_client, membership):
    row = MembershipAddon.objects.create(
        membership=MembershipFactory(), product=ProductFactory(kind=Product.Kind.PACKAGE)
    )
    assert _post(admin_client, "addon_remove", membership, {}, row.pk).status_code == 404
    assert MembershipAddon.objects.filter(pk=row.pk).exists()


# --- Amounts, billing cycle and dates


def _billing(**overrides):
    data = {
        "initial_amount": "10.00",
        "amount": "49.00",
        "recurring": "on",
        "billing_interval": "3",
        "billing_period": "month",
        "billing_cycles": "",
        "auto_renew": "on",
        "gateway": "stripe",
        "gateway_customer_id": "cus_123",
        "gateway_subscription_id": "",
    }
    data.update(overrides)
    return data


def test_saving_billing_records_only_what_changed(admin_client, membership):
    _post(admin_client, "billing", membership, _billing())
    membership.refresh_from_db()
    assert membership.amount == Decimal("49.00")
    assert membership.billing_interval == 3
    assert membership.billing_cycle == "every 3 months"
    event = _events(membership, Event.Type.MEMBERSHIP_UPDATED).get()
    assert event.old == {
        "initial_amount": "29.00",
        "amount": "29.00",
        "billing_interval": 1,
        "gateway": "manual",
        "gateway_customer_id": "",
    }
    assert event.new["amount"] == "49.00"


def test_bad_billing_shows_field_errors_keeps_input_and_saves_nothing(admin_client, membership):
    response = _post(
        admin_client,
        "billing",
        membership,
        _billing(amount="-5", billing_interval="0", gateway_customer_id="cus_typed"),
    )
    page = response.content.decode()
    assert response.status_code == 200
    # Under each field, and again in the summary at the top of the page.
    assert page.count('class="field-error"') == 2
    summary = page[
        page.index('id="error-summary"') : page.index("</ul>", page.index('id="error-summary"'))
    ]
    assert 'href="#id_amount">Recurring amount: Ensure this value is greater' in summary
    assert 'href="#id_billing_interval">Every: Ensure this value is greater' in summary
    assert 'value="cus_typed"' in page
    assert 'value="-5"' in page
    membership.refresh_from_db()
    assert membership.amount == Decimal("29.00")
    assert membership.gateway_customer_id == ""
    assert not Event.objects.exists()


def test_dates_are_saved(admin_client, membership):
    _post(
        admin_client,
        "dates",
        membership,
        {"date_activated": "2026-01-01T09:00", "date_expiration": "2027-01-01T09:00"},
    )
    membership.refresh_from_db()
    assert membership.date_expiration.year == 2027
    assert _events(membership, Event.Type.MEMBERSHIP_UPDATED).exists()


def test_an_expiration_before_activation_is_refused(admin_client, membership):
    response = _post(
        admin_client,
        "dates",
        membership,
        {"date_activated": "2026-05-01T09:00", "date_expiration": "2026-04-01T09:00"},
    )
    page = response.content.decode()
    assert "The expiration cannot be before the activation date." in page
    assert 'value="2026-04-01T09:00"' in page
    membership.refresh_from_db()
    assert membership.date_expiration is None


def test_a_payment_list_row_links_to_the_payment_page(admin_client, membership):
    payment = PaymentFactory(customer=membership.customer, membership=membership)
    page = admin_client.get(network_url("memberships:detail", membership.pk)).content.decode()
    assert network_url("payments:detail", payment.pk) in page
    assert Payment.objects.count() == 1

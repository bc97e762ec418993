from __future__ import annotations

from decimal import Decimal

import pytest

from events.models import Event
from payments.models import Payment, PaymentLineItem, Refund
from tests.conftest import network_url
from tests.factories import MembershipFactory, PaymentFactory

# Domain lookup, session, user, permissions (user and group), payment with customer and
# membership, refunds with who made them, line items, history, the customer's memberships
# for the form: 10 statements (no `SET search_path`: the connection is on the public
# schema already, network/db).
PAGE_QUERIES = 10


@pytest.fixture
def payment(customer):
    return PaymentFactory(customer=customer, total=Decimal("29.00"))


def _fill(payment, rows: int) -> None:
    for n in range(rows):
        PaymentLineItem.objects.create(
            payment=payment, description=f"Item {n}", unit_price=Decimal("1"), total=Decimal("1")
        )
        Refund.objects.create(payment=payment, amount=Decimal("0.50"), gateway="manual")
        MembershipFactory(customer=payment.customer)


def test_it_sends_anonymous_visitors_to_login(anonymous_client, payment):
    response = anonymous_client.get(network_url("payments:detail", payment.pk))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize("who", ["outsider_client", "staff_client"])
def test_it_rejects_outsiders(request, who, payment):
    client = request.getfixturevalue(who)
    assert client.get(network_url("payments:detail", payment.pk)).status_code == 403
    for name, data in [
        ("payments:status", {"status": "failed"}),
        ("payments:refund", {"amount": "1"}),
        ("payments:invoice", {}),
    ]:
        assert client.post(network_url(name, payment.pk), data).status_code == 403
    assert client.get(network_url("payments:invoice_pdf", payment.pk)).status_code == 403
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_total, payment.invoice_number) == (
        "completed",
        Decimal("0"),
        None,
    )


def test_a_missing_payment_is_a_404(admin_client, network):
    assert admin_client.get(network_url("payments:detail", 999_999)).status_code == 404


def test_it_shows_line_items_and_totals(admin_client, payment):
    PaymentLineItem.objects.create(
        payment=payment,
        description="Pro plan, monthly",
        quantity=1,
        unit_price=Decimal("29.00"),
        total=Decimal("29.00"),
    )
    Payment.objects.filter(pk=payment.pk).update(
        subtotal=Decimal("30.00"), discount_total=Decimal("5.00"), tax_total=Decimal("4.00")
    )
    page = admin_client.get(network_url("payments:detail", payment.pk)).content.decode()
    assert "Pro plan, monthly" in page
    for label, amount in [
        ("Subtotal", "30.00"),
        ("Discount", "−5.00"),
        ("Tax", "4.00"),
        ("Total", "29.00"),
        ("Refunded", "0.00"),
    ]:
        assert f"<th>{label}</th><td>{amount} USD</td>" in page


@pytest.mark.parametrize("rows", [1, 15])
def test_the_page_costs_the_same_queries_with_one_or_many_rows(
    admin_client, payment, django_assert_num_queries, rows
):
    """No query per line item, refund (its admin) or membership choice."""
    _fill(payment, rows)
    with django_assert_num_queries(PAGE_QUERIES):
        response = admin_client.get(network_url("payments:detail", payment.pk))
    assert response.status_code == 200


# --- Status


def test_changing_the_status_is_recorded(admin_client, payment, super_admin):
    response = admin_client.post(network_url("payments:status", payment.pk), {"status": "failed"})
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.status == Payment.Status.FAILED
    event = Event.objects.get(type=Event.Type.PAYMENT_STATUS)
    assert (event.old, event.new, event.actor) == (
        {"status": "completed"},
        {"status": "failed"},
        super_admin,
    )


def test_the_status_form_cannot_fake_a_refund(admin_client, payment):
    response = admin_client.post(network_url("payments:status", payment.pk), {"status": "refunded"})
    assert "Use Refund to refund a payment." in response.content.decode()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.COMPLETED


def test_a_refunded_payment_keeps_the_status_its_refunds_gave_it(admin_client, payment):
    Payment.objects.filter(pk=payment.pk).update(
        status=Payment.Status.PARTIALLY_REFUNDED, refunded_total=Decimal("5")
    )
    response = admin_client.post(network_url("payments:status", payment.pk), {"status": "pending"})
    assert "its status follows them" in response.content.decode()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PARTIALLY_REFUNDED


# --- Membership and gateway


def test_changing_membership_and_gateway_is_recorded(admin_client, payment):
    other = MembershipFactory(customer=payment.customer)
    response = admin_client.post(
        network_url("payments:update", payment.pk),
        {"membership": other.pk, "gateway": "stripe", "gateway_payment_id": " ch_123 "},
    )
    assert response.status_code == 302
    payment.refresh_from_db()
    assert (payment.membership, payment.gateway, payment.gateway_payment_id) == (
        other,
        "stripe",
        "ch_123",
    )
    event = Event.objects.get(type=Event.Type.PAYMENT_UPDATED)
    assert event.new == {
        "membership_id": other.pk,
        "gateway": "stripe",
        "gateway_payment_id": "ch_123",
    }


def test_another_customers_membership_is_refused(admin_client, payment):
    strangers = MembershipFactory()
    response = admin_client.post(
        network_url("payments:update", payment.pk),
        {"membership": strangers.pk, "gateway": "stripe", "gateway_payment_id": "ch_typed"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice" in page
    assert 'value="ch_typed"' in page
    payment.refresh_from_db()
    assert payment.membership != strangers
    assert payment.gateway == "manual"
    assert not Event.objects.exists()


def test_the_membership_can_be_cleared(admin_client, payment):
    admin_client.post(
        network_url("payments:update", payment.pk),
        {"membership": "", "gateway": "manual", "gateway_payment_id": ""},
    )
    payment.refresh_from_db()
    assert payment.membership is None

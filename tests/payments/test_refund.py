"""Refunds through the manual gateway: the money goes back outside the product and we
record it. The Stripe gateway has its own tests (test_refund_stripe.py)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from events.models import Event
from memberships.models import Membership
from payments.models import Payment, Refund
from payments.services import payment_refund
from tests.conftest import network_url
from tests.factories import PaymentFactory


@pytest.fixture
def payment(customer):
    return PaymentFactory(customer=customer, total=Decimal("29.00"))


def _refund(client, payment, amount, key=None, **extra):
    data = {"amount": amount, "key": key or uuid.uuid4(), "reason": "", **extra}
    return client.post(network_url("payments:refund", payment.pk), data)


def test_a_full_refund_marks_the_payment_refunded(admin_client, payment, super_admin):
    response = _refund(admin_client, payment, "29.00", reason="Asked nicely")
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    assert payment.refunded_total == Decimal("29.00")
    refund = payment.refunds.get()
    assert (refund.status, refund.amount, refund.created_by, refund.reason) == (
        Refund.Status.SUCCEEDED,
        Decimal("29.00"),
        super_admin,
        "Asked nicely",
    )
    event = Event.objects.get(type=Event.Type.PAYMENT_REFUNDED)
    assert event.old == {"status": "completed", "refunded_total": "0.00"}
    assert event.new["status"] == "refunded"
    assert event.actor == super_admin
    page = admin_client.get(response["Location"]).content.decode()
    assert "Refunded 29.00 USD of" in page
    assert "This payment is fully refunded." in page


def test_partial_refunds_add_up_until_nothing_is_left(admin_client, payment):
    _refund(admin_client, payment, "10.00")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PARTIALLY_REFUNDED
    assert payment.refundable_amount == Decimal("19.00")

    _refund(admin_client, payment, "19.00")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    assert payment.refunded_total == Decimal("29.00")


@pytest.mark.parametrize(
    ("amount", "error"),
    [
        ("29.01", "At most 29.00 USD can be refunded."),
        ("0", "Ensure this value is greater than or equal to 0.01."),
        ("-3", "Ensure this value is greater than or equal to 0.01."),
        ("ten", "Enter a number."),
    ],
)
def test_a_bad_amount_is_a_field_error_and_nothing_is_refunded(
    admin_client, payment, amount, error
):
    response = _refund(admin_client, payment, amount, reason="typed reason")
    page = response.content.decode()
    assert response.status_code == 200
    assert error in page
    assert f'value="{amount}"' in page
    assert 'value="typed reason"' in page
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_total) == (Payment.Status.COMPLETED, Decimal("0"))
    assert not Refund.objects.exists()
    assert not Event.objects.exists()


def test_the_limit_counts_what_was_already_refunded(admin_client, payment):
    _refund(admin_client, payment, "20.00")
    response = _refund(admin_client, payment, "9.01")
    assert "At most 9.00 USD can be refunded." in response.content.decode()
    payment.refresh_from_db()
    assert payment.refunded_total == Decimal("20.00")


def test_a_double_submit_refunds_once(admin_client, payment):
    key = uuid.uuid4()
    first = _refund(admin_client, payment, "5.00", key=key)
    second = _refund(admin_client, payment, "5.00", key=key)
    assert first.status_code == second.status_code == 302
    payment.refresh_from_db()
    assert payment.refunded_total == Decimal("5.00")
    assert Refund.objects.count() == 1
    assert Event.objects.filter(type=Event.Type.PAYMENT_REFUNDED).count() == 1
    page = admin_client.get(second["Location"]).content.decode()
    assert "was already submitted" in page


def test_the_form_carries_a_fresh_key_each_time(admin_client, payment):
    url = network_url("payments:detail", payment.pk)
    keys = {admin_client.get(url).context["refund_form"].initial["key"] for _ in range(2)}
    assert len(keys) == 2


def test_a_refund_can_cancel_the_membership_too(admin_client, payment, super_admin):
    _refund(admin_client, payment, "5.00", cancel_membership="on")
    membership = Membership.objects.get(pk=payment.membership_id)
    assert membership.status == Membership.Status.CANCELLED
    assert membership.date_cancelled is not None
    event = Event.objects.get(type=Event.Type.MEMBERSHIP_STATUS)
    assert event.actor == super_admin


def test_the_checkbox_is_offered_only_with_a_membership_to_cancel(admin_client, payment):
    url = network_url("payments:detail", payment.pk)
    assert 'name="cancel_membership"' in admin_client.get(url).content.decode()
    Payment.objects.filter(pk=payment.pk).update(membership=None)
    assert 'name="cancel_membership"' not in admin_client.get(url).content.decode()


def test_without_the_checkbox_the_membership_stays(admin_client, payment):
    _refund(admin_client, payment, "5.00")
    assert Membership.objects.get(pk=payment.membership_id).status == Membership.Status.ACTIVE


@pytest.mark.parametrize(
    "status", [Payment.Status.PENDING, Payment.Status.FAILED, Payment.Status.REFUNDED]
)
def test_only_money_received_can_be_refunded(admin_client, network, status):
    payment = PaymentFactory(status=status)
    response = _refund(admin_client, payment, "1.00")
    assert "payment cannot be refunded" in response.content.decode()
    assert not Refund.objects.exists()


def test_a_pending_refund_holds_its_amount(payment):
    """A refund still waiting for its gateway counts against what is left."""
    Refund.objects.create(payment=payment, amount=Decimal("20.00"), gateway="manual")
    with pytest.raises(ValidationError) as caught:
        payment_refund(payment=payment, amount=Decimal("10.00"), key=uuid.uuid4())
    assert caught.value.message_dict == {"amount": ["At most 9.00 USD can be refunded."]}


def test_a_key_from_another_payment_is_refused(payment, customer):
    key = uuid.uuid4()
    payment_refund(payment=payment, amount=Decimal("1.00"), key=key)
    other = PaymentFactory(customer=customer)
    with pytest.raises(ValidationError):
        payment_refund(payment=other, amount=Decimal("1.00"), key=key)
    other.refresh_from_db()
    assert other.refunded_total == Decimal("0")


def test_an_amount_finer_than_the_currency_allows_is_a_field_error(admin_client, customer):
    """A yen has no cents: refunding 10.50 JPY would refund 10 at the gateway and record
    10.50 here."""
    payment = PaymentFactory(customer=customer, currency="JPY", total=Decimal("5000.00"))
    response = _refund(admin_client, payment, "10.50")
    assert response.status_code == 200
    assert "JPY has no smaller unit" in response.content.decode()
    assert 'value="10.50"' in response.content.decode()
    payment.refresh_from_db()
    assert payment.refunded_total == Decimal("0")
    assert not Refund.objects.exists()


def test_stripe_refunds_are_not_offered_while_stripe_is_not_configured(
    admin_client, customer, settings
):
    settings.STRIPE_SECRET_KEY = ""
    payment = PaymentFactory(customer=customer, gateway="stripe", gateway_payment_id="ch_1")

    page = admin_client.get(network_url("payments:detail", payment.pk)).content.decode()
    assert 'id="refund-unavailable"' in page
    assert "Stripe is not configured on this network" in page
    assert f'action="{network_url("payments:refund", payment.pk)}"' not in page

    response = _refund(admin_client, payment, "5.00")  # a form left open from before
    assert "Stripe is not configured on this network" in response.content.decode()
    assert not Refund.objects.exists()  # no failed attempt recorded


def test_manual_refunds_are_offered_without_stripe(admin_client, payment, settings):
    settings.STRIPE_SECRET_KEY = ""
    page = admin_client.get(network_url("payments:detail", payment.pk)).content.decode()
    assert 'id="refund-unavailable"' not in page
    assert f'action="{network_url("payments:refund", payment.pk)}"' in page


def test_the_limit_is_written_as_the_admins_language_writes_money(admin_client, payment):
    _refund(admin_client, payment, "20.00")
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    response = _refund(admin_client, payment, "9.01")
    assert "Au plus 9,00\xa0$US peuvent être remboursés." in response.content.decode()

"""Refunds through Stripe: the real Stripe SDK against localstripe on loopback."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from events.models import Event
from memberships.models import Gateway
from payments.models import Payment, Refund
from payments.services import RefundFailed, payment_refund
from tests.conftest import network_url
from tests.factories import PaymentFactory

pytestmark = pytest.mark.usefixtures("stripe_settings")


def _refund(client, payment, amount, key=None, **extra):
    data = {"amount": amount, "key": key or uuid.uuid4(), **extra}
    return client.post(network_url("payments:refund", payment.pk), data)


def _charge(stripe_api, payment):
    return stripe_api.v1.charges.retrieve(payment.gateway_payment_id)


def test_a_partial_refund_goes_through_stripe(admin_client, stripe_payment, stripe_api):
    payment = stripe_payment("29.00")
    response = _refund(admin_client, payment, "10.50")
    assert response.status_code == 302

    assert _charge(stripe_api, payment).amount_refunded == 1050
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PARTIALLY_REFUNDED
    assert payment.refunded_total == Decimal("10.50")
    refund = payment.refunds.get()
    assert refund.status == Refund.Status.SUCCEEDED
    assert refund.gateway_refund_id.startswith("re_")
    at_stripe = stripe_api.v1.refunds.retrieve(refund.gateway_refund_id)
    assert at_stripe.metadata.to_dict() == {
        "network_refund": str(refund.key),
        "payment": payment.reference,
    }
    event = Event.objects.get(type=Event.Type.PAYMENT_REFUNDED)
    assert event.new["gateway_refund_id"] == refund.gateway_refund_id


def test_a_payment_intent_is_refunded_in_full(admin_client, customer, stripe_api, stripe_charge):
    card = stripe_api.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": "4242424242424242", "exp_month": 1, "exp_year": 2035, "cvc": "314"},
        }
    )
    intent = stripe_api.v1.payment_intents.create(
        params={"amount": 4900, "currency": "usd", "payment_method": card.id}
    )
    intent = stripe_api.v1.payment_intents.confirm(intent.id)
    assert intent.status == "succeeded"
    payment = PaymentFactory(
        customer=customer,
        gateway=Gateway.STRIPE,
        gateway_payment_id=intent.id,
        total=Decimal("49.00"),
    )

    _refund(admin_client, payment, "49.00", cancel_membership="on")

    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    assert payment.membership.status == "cancelled"
    refunds = stripe_api.v1.refunds.list(params={"payment_intent": intent.id})
    assert [r.amount for r in refunds.data] == [4900]


def test_over_the_limit_never_reaches_stripe(admin_client, stripe_payment, stripe_api):
    """localstripe itself accepts over-refunds, so this limit is ours alone."""
    payment = stripe_payment("29.00")
    _refund(admin_client, payment, "20.00")
    response = _refund(admin_client, payment, "10.00")
    assert "At most 9.00 USD can be refunded." in response.content.decode()
    assert _charge(stripe_api, payment).amount_refunded == 2000
    payment.refresh_from_db()
    assert payment.refunded_total == Decimal("20.00")


def test_a_double_submit_refunds_once_at_stripe(admin_client, stripe_payment, stripe_api):
    payment = stripe_payment("29.00")
    key = uuid.uuid4()
    _refund(admin_client, payment, "5.00", key=key)
    _refund(admin_client, payment, "5.00", key=key)
    assert _charge(stripe_api, payment).amount_refunded == 500
    assert len(stripe_api.v1.refunds.list(params={"charge": payment.gateway_payment_id}).data) == 1
    payment.refresh_from_db()
    assert payment.refunded_total == Decimal("5.00")


def test_a_stripe_error_is_shown_and_leaves_the_payment_unchanged(admin_client, customer):
    payment = PaymentFactory(
        customer=customer,
        gateway=Gateway.STRIPE,
        gateway_payment_id="ch_thisdoesnotexist",
        total=Decimal("29.00"),
    )
    key = str(uuid.uuid4())
    response = _refund(admin_client, payment, "5.00", key=key, reason="typed")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Stripe refused the refund" in page
    assert 'value="typed"' in page
    assert key not in page, "a re-shown form must not reuse the failed attempt's key"
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_total) == (Payment.Status.COMPLETED, Decimal("0"))
    assert payment.membership.status == "active"
    refund = payment.refunds.get()
    assert refund.status == Refund.Status.FAILED
    assert "Stripe refused the refund" in refund.failure_message
    assert not Event.objects.filter(type=Event.Type.PAYMENT_REFUNDED).exists()


def test_a_failed_attempt_does_not_hold_back_the_amount(stripe_payment):
    payment = stripe_payment("29.00")
    good_id = payment.gateway_payment_id
    Payment.objects.filter(pk=payment.pk).update(gateway_payment_id="ch_missing")
    with pytest.raises(RefundFailed):
        payment_refund(payment=payment, amount=Decimal("29.00"), key=uuid.uuid4())
    Payment.objects.filter(pk=payment.pk).update(gateway_payment_id=good_id)
    refund, created = payment_refund(payment=payment, amount=Decimal("29.00"), key=uuid.uuid4())
    assert created and refund.status == Refund.Status.SUCCEEDED


def test_without_a_stripe_key_the_refund_is_refused(admin_client, stripe_payment, settings):
    payment = stripe_payment("29.00")
    settings.STRIPE_SECRET_KEY = ""
    response = _refund(admin_client, payment, "5.00")
    assert "Stripe is not configured" in response.content.decode()
    payment.refresh_from_db()
    assert payment.refunded_total == Decimal("0")


@pytest.mark.parametrize(
    ("currency", "total", "refund", "minor_units"),
    [("JPY", "5000.00", "1200.00", 1200), ("KWD", "10.00", "2.50", 2500)],
)
def test_stripe_gets_the_amount_in_the_currencys_own_minor_unit(
    stripe_api, stripe_charge, customer, currency, total, refund, minor_units
):
    """Yen have no minor unit, dinars have thousandths: 2.50 KWD is 2500 at Stripe."""
    full = {"JPY": 5000, "KWD": 10000}[currency]
    charge = stripe_charge(full, currency=currency.lower())
    payment = PaymentFactory(
        customer=customer,
        gateway=Gateway.STRIPE,
        gateway_payment_id=charge.id,
        currency=currency,
        total=Decimal(total),
    )

    done, _ = payment_refund(payment=payment, amount=Decimal(refund), key=uuid.uuid4())

    assert stripe_api.v1.refunds.retrieve(done.gateway_refund_id).amount == minor_units
    payment.refresh_from_db()
    assert payment.refunded_total == Decimal(refund)


def test_a_refund_stripe_has_not_settled_stays_pending_and_holds_its_amount(
    admin_client, stripe_payment, stripe_api
):
    payment = stripe_payment("29.00", refunds_answer="pending")

    response = _refund(admin_client, payment, "20.00")

    page = admin_client.get(response["Location"]).content.decode()
    assert "Stripe is processing the refund of 20.00 USD" in page
    assert "Held back until Stripe settles it" in page
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_total) == (Payment.Status.COMPLETED, Decimal("0"))
    refund = payment.refunds.get()
    assert refund.status == Refund.Status.PENDING
    assert refund.gateway_refund_id.startswith("re_")
    assert not Event.objects.filter(type=Event.Type.PAYMENT_REFUNDED).exists()
    assert payment.membership.status == "active"

    response = _refund(admin_client, payment, "10.00")
    assert "At most 9.00 USD can be refunded." in response.content.decode()
    assert len(stripe_api.v1.refunds.list(params={"charge": payment.gateway_payment_id}).data) == 1


@pytest.mark.parametrize("answer", ["failed", "canceled"])
def test_a_refund_stripe_fails_at_once_is_shown_and_holds_nothing(
    admin_client, stripe_payment, answer
):
    payment = stripe_payment("29.00", refunds_answer=answer)

    response = _refund(admin_client, payment, "20.00")

    page = response.content.decode()
    assert response.status_code == 200
    assert f"Stripe {answer} the refund." in page
    refund = payment.refunds.get()
    assert refund.status == Refund.Status.FAILED
    assert refund.gateway_refund_id.startswith("re_")
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_total) == (Payment.Status.COMPLETED, Decimal("0"))
    page = admin_client.get(network_url("payments:detail", payment.pk)).content.decode()
    assert f"Stripe {answer} the refund." in page
    assert "Up to 29.00 USD" in page

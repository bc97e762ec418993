"""Refunds follow Stripe's state through its webhook: pending holds the amount back,
succeeded counts once, failed or canceled gives the amount back with Stripe's reason.
localstripe settles refunds when asked (see conftest); the events are signed bodies."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from events.models import Event
from payments.models import Payment, Refund
from payments.services import RefundFailed, payment_refund
from tests.conftest import host_client, network_url
from tests.payments.conftest import sign, stripe_event, stripe_moves_refund

pytestmark = pytest.mark.usefixtures("stripe_settings")


def _deliver(event_type: str, obj: dict, event_id: str | None = None):
    payload = stripe_event(event_type, obj, event_id=event_id or f"evt_{uuid.uuid4().hex}")
    response = host_client().post(
        network_url("payments:stripe_webhook"),
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(payload),
    )
    assert response.status_code == 200
    return response


def _refunded(payment) -> tuple[str, Decimal]:
    payment.refresh_from_db()
    return payment.status, payment.refunded_total


def _pending_refund(stripe_payment, amount: str = "20.00") -> Refund:
    payment = stripe_payment("29.00", refunds_answer="pending")
    refund, _ = payment_refund(
        payment=payment, amount=Decimal(amount), key=uuid.uuid4(), cancel_membership=True
    )
    assert refund.status == Refund.Status.PENDING
    return refund


@pytest.mark.parametrize("event_type", ["charge.refund.updated", "refund.updated"])
def test_a_pending_refund_counts_once_when_stripe_says_it_succeeded(
    stripe_payment, stripe_api, event_type
):
    refund = _pending_refund(stripe_payment)
    settled = stripe_moves_refund(stripe_api, refund.gateway_refund_id, "succeeded").to_dict()

    _deliver(event_type, settled)
    _deliver("charge.refund.updated", settled)  # Stripe sends both kinds, and repeats

    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED
    assert _refunded(refund.payment) == (Payment.Status.PARTIALLY_REFUNDED, Decimal("20.00"))
    assert Event.objects.filter(type=Event.Type.PAYMENT_REFUNDED).count() == 1
    assert refund.payment.membership.status == "cancelled"


@pytest.mark.parametrize("event_type", ["charge.refund.updated", "refund.failed"])
def test_a_pending_refund_that_fails_gives_its_amount_back_and_says_why(
    admin_client, stripe_payment, stripe_api, event_type
):
    refund = _pending_refund(stripe_payment)
    failed = stripe_moves_refund(
        stripe_api, refund.gateway_refund_id, "failed", "expired_or_canceled_card"
    ).to_dict()

    _deliver(event_type, failed)

    refund.refresh_from_db()
    payment = refund.payment
    assert refund.status == Refund.Status.FAILED
    assert _refunded(payment) == (Payment.Status.COMPLETED, Decimal("0"))
    assert payment.membership.status == "active"
    page = admin_client.get(network_url("payments:detail", payment.pk)).content.decode()
    assert "Stripe failed the refund (expired or canceled card)." in page
    assert "Up to 29.00 USD" in page
    event = Event.objects.get(type=Event.Type.PAYMENT_UPDATED)
    assert "failed" in event.message and "can be refunded again" in event.message
    again, created = payment_refund(payment=payment, amount=Decimal("29.00"), key=uuid.uuid4())
    assert created and again.status == Refund.Status.PENDING


def test_a_canceled_refund_gives_its_amount_back(stripe_payment, stripe_api):
    refund = _pending_refund(stripe_payment)
    canceled = stripe_moves_refund(stripe_api, refund.gateway_refund_id, "canceled").to_dict()

    _deliver("refund.updated", canceled)

    refund.refresh_from_db()
    assert (refund.status, refund.failure_message) == (
        Refund.Status.FAILED,
        "Stripe canceled the refund.",
    )
    assert _refunded(refund.payment) == (Payment.Status.COMPLETED, Decimal("0"))


def test_a_refund_that_fails_after_it_succeeded_is_taken_off_the_payment(
    stripe_payment, stripe_api
):
    """Stripe can fail a refund it had reported succeeded (the card was closed since)."""
    payment = stripe_payment("29.00")
    refund, _ = payment_refund(payment=payment, amount=Decimal("29.00"), key=uuid.uuid4())
    assert _refunded(payment) == (Payment.Status.REFUNDED, Decimal("29.00"))
    failed = stripe_moves_refund(stripe_api, refund.gateway_refund_id, "failed").to_dict()

    _deliver("charge.refund.updated", failed)
    _deliver("refund.failed", failed)

    assert _refunded(payment) == (Payment.Status.COMPLETED, Decimal("0"))
    refund.refresh_from_db()
    assert refund.status == Refund.Status.FAILED
    event = Event.objects.get(type=Event.Type.PAYMENT_UPDATED)
    assert (event.old["refunded_total"], event.new["refunded_total"]) == ("29.00", "0.00")


def test_news_older_than_what_we_know_changes_nothing(stripe_payment, stripe_api):
    """Events can arrive out of order: pending after succeeded, succeeded after a failure
    Stripe reported (failed is final at Stripe)."""
    refund = _pending_refund(stripe_payment, amount="5.00")
    pending = stripe_api.v1.refunds.retrieve(refund.gateway_refund_id).to_dict()
    succeeded = stripe_moves_refund(stripe_api, refund.gateway_refund_id, "succeeded").to_dict()
    _deliver("charge.refund.updated", succeeded)
    _deliver("charge.refund.updated", pending)
    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED

    other = _pending_refund(stripe_payment, amount="5.00")
    failed = stripe_moves_refund(stripe_api, other.gateway_refund_id, "failed").to_dict()
    late = {**failed, "status": "succeeded"}
    _deliver("charge.refund.updated", failed)
    _deliver("charge.refund.updated", late)
    other.refresh_from_db()
    assert other.status == Refund.Status.FAILED
    assert _refunded(other.payment) == (Payment.Status.COMPLETED, Decimal("0"))


def test_a_pending_refund_made_in_stripe_holds_its_amount_until_it_succeeds(
    stripe_payment, stripe_api
):
    """charge.refunded comes as soon as a refund is made, also while it is pending."""
    payment = stripe_payment("29.00", refunds_answer="pending")
    made = stripe_api.v1.refunds.create(
        params={"charge": payment.gateway_payment_id, "amount": 2000}
    )
    _deliver("charge.refunded", stripe_api.v1.charges.retrieve(made.charge).to_dict())

    assert _refunded(payment) == (Payment.Status.COMPLETED, Decimal("0"))
    held = payment.refunds.get()
    assert (held.status, held.amount, held.created_by) == (
        Refund.Status.PENDING,
        Decimal("20.00"),
        None,
    )
    with pytest.raises(Exception, match="At most 9.00 USD"):
        payment_refund(payment=payment, amount=Decimal("10.00"), key=uuid.uuid4())

    _deliver(
        "charge.refund.updated", stripe_moves_refund(stripe_api, made.id, "succeeded").to_dict()
    )
    assert _refunded(payment) == (Payment.Status.PARTIALLY_REFUNDED, Decimal("20.00"))
    assert payment.refunds.count() == 1
    event = Event.objects.get(type=Event.Type.PAYMENT_REFUNDED)
    assert "outside the product" in event.message


def test_a_refund_made_in_stripe_that_failed_is_not_recorded(stripe_payment, stripe_api):
    payment = stripe_payment("29.00", refunds_answer="failed")
    made = stripe_api.v1.refunds.create(params={"charge": payment.gateway_payment_id})

    _deliver("refund.created", made.to_dict())

    assert _refunded(payment) == (Payment.Status.COMPLETED, Decimal("0"))
    assert not payment.refunds.exists()


def test_a_refund_the_request_recorded_as_failed_still_counts_if_stripe_made_it(
    stripe_payment, stripe_api
):
    """Our call broke (say, a timeout) after Stripe had made the refund: no gateway id was
    recorded, so the failure was ours, and Stripe's word wins."""
    payment = stripe_payment("29.00")
    good_id = payment.gateway_payment_id
    Payment.objects.filter(pk=payment.pk).update(gateway_payment_id="ch_missing")
    with pytest.raises(RefundFailed) as caught:
        payment_refund(payment=payment, amount=Decimal("8.00"), key=uuid.uuid4())
    ours = caught.value.refund
    Payment.objects.filter(pk=payment.pk).update(gateway_payment_id=good_id)
    made = stripe_api.v1.refunds.create(
        params={"charge": good_id, "amount": 800, "metadata": {"network_refund": str(ours.key)}}
    )

    _deliver("charge.refund.updated", made.to_dict())

    ours.refresh_from_db()
    assert (ours.status, ours.gateway_refund_id) == (Refund.Status.SUCCEEDED, made.id)
    assert _refunded(payment) == (Payment.Status.PARTIALLY_REFUNDED, Decimal("8.00"))

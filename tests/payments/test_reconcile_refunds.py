"""reconcile_refunds settles pending Stripe refunds as Stripe has them, e.g. one left
pending by a crash between Stripe's answer and our write. It runs from cron: running it
again, or twice at once, counts nothing twice."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from stripe._http_client import RequestsClient

from events.models import Event
from memberships.models import Gateway
from payments.models import Payment, Refund
from tests.factories import PaymentFactory
from tests.payments.conftest import stripe_moves_refund

pytestmark = pytest.mark.usefixtures("stripe_settings")


def _reconcile() -> str:
    out = StringIO()
    call_command("reconcile_refunds", stdout=out)
    return out.getvalue().strip()


def _left_pending(payment, stripe_api, amount: str = "7.00", recorded_id: bool = False):
    """Our refund as a crash leaves it: pending, Stripe asked and answered, the answer
    never written (so with no gateway id, unless recorded_id)."""
    ours = Refund.objects.create(
        payment=payment, amount=Decimal(amount), gateway=Gateway.STRIPE, cancel_membership=True
    )
    made = stripe_api.v1.refunds.create(
        params={
            "charge": payment.gateway_payment_id,
            "amount": int(Decimal(amount) * 100),
            "metadata": {"network_refund": str(ours.key)},
        }
    )
    if recorded_id:
        Refund.objects.filter(pk=ours.pk).update(gateway_refund_id=made.id)
    return ours, made


def _refunded(payment) -> tuple[str, Decimal]:
    payment.refresh_from_db()
    return payment.status, payment.refunded_total


@pytest.mark.parametrize("recorded_id", [False, True], ids=["found-by-key", "found-by-id"])
def test_a_refund_left_pending_by_a_crash_is_completed_once(
    stripe_payment, stripe_api, recorded_id
):
    payment = stripe_payment("29.00")
    ours, made = _left_pending(payment, stripe_api, recorded_id=recorded_id)

    assert _reconcile() == (
        "Checked 1 pending Stripe refunds: 1 succeeded, 0 failed, 0 still pending, "
        "0 not at Stripe yet, 0 settled meanwhile."
    )
    assert _reconcile().startswith("Checked 0 pending Stripe refunds")

    ours.refresh_from_db()
    assert (ours.status, ours.gateway_refund_id) == (Refund.Status.SUCCEEDED, made.id)
    assert _refunded(payment) == (Payment.Status.PARTIALLY_REFUNDED, Decimal("7.00"))
    assert Event.objects.filter(type=Event.Type.PAYMENT_REFUNDED).count() == 1
    assert payment.membership.status == "cancelled"


def test_a_refund_still_pending_at_stripe_stays_pending(stripe_payment, stripe_api):
    payment = stripe_payment("29.00", refunds_answer="pending")
    ours, _ = _left_pending(payment, stripe_api)

    assert "0 succeeded, 0 failed, 1 still pending" in _reconcile()

    ours.refresh_from_db()
    assert ours.status == Refund.Status.PENDING
    assert _refunded(payment) == (Payment.Status.COMPLETED, Decimal("0"))


def test_a_refund_that_failed_at_stripe_gives_its_amount_back(stripe_payment, stripe_api):
    payment = stripe_payment("29.00", refunds_answer="pending")
    ours, made = _left_pending(payment, stripe_api)
    stripe_moves_refund(stripe_api, made.id, "failed", "lost_or_stolen_card")

    assert "0 succeeded, 1 failed" in _reconcile()

    ours.refresh_from_db()
    assert ours.status == Refund.Status.FAILED
    assert ours.failure_message == "Stripe failed the refund (lost or stolen card)."
    assert _refunded(payment) == (Payment.Status.COMPLETED, Decimal("0"))
    assert payment.membership.status == "active"


def test_a_refund_stripe_never_heard_of_is_failed_only_once_it_is_old(stripe_payment):
    """A young one may belong to a request that is asking Stripe right now."""
    payment = stripe_payment("29.00")
    ours = Refund.objects.create(payment=payment, amount=Decimal("5.00"), gateway=Gateway.STRIPE)

    assert "1 not at Stripe yet" in _reconcile()
    ours.refresh_from_db()
    assert ours.status == Refund.Status.PENDING

    Refund.objects.filter(pk=ours.pk).update(created_at=timezone.now() - timedelta(hours=2))
    assert "1 failed" in _reconcile()
    ours.refresh_from_db()
    assert (ours.status, ours.failure_message) == (
        Refund.Status.FAILED,
        "Stripe has no record of this refund.",
    )


def test_when_stripe_cannot_answer_the_others_are_still_settled(stripe_payment, stripe_api):
    broken = stripe_payment("29.00")
    Refund.objects.create(
        payment=broken, amount=Decimal("5.00"), gateway=Gateway.STRIPE, gateway_refund_id="re_gone"
    )
    payment = stripe_payment("29.00")
    ours, _ = _left_pending(payment, stripe_api)
    out = StringIO()

    with pytest.raises(CommandError, match="Stripe could not be asked about 1 of them"):
        call_command("reconcile_refunds", stdout=out)

    assert "Checked 2 pending Stripe refunds: 1 succeeded" in out.getvalue()
    ours.refresh_from_db()
    assert ours.status == Refund.Status.SUCCEEDED


def test_manual_refunds_are_left_alone(customer):
    payment = PaymentFactory(customer=customer, total=Decimal("29.00"))
    Refund.objects.create(payment=payment, amount=Decimal("5.00"), gateway=Gateway.MANUAL)
    assert _reconcile().startswith("Checked 0 pending Stripe refunds")


def test_stripe_is_never_asked_while_a_transaction_is_open(stripe_payment, stripe_api, monkeypatch):
    """Fetch first, then lock and check again: a slow Stripe holds no payment's lock."""
    payment = stripe_payment("29.00")
    _left_pending(payment, stripe_api)
    _left_pending(payment, stripe_api, amount="3.00", recorded_id=True)
    outer = len(connection.atomic_blocks)  # the test's own transaction
    depths = []
    request = RequestsClient.request

    def spy(self, *args, **kwargs):
        depths.append(len(connection.atomic_blocks) - outer)
        return request(self, *args, **kwargs)

    monkeypatch.setattr(RequestsClient, "request", spy)

    assert "2 succeeded" in _reconcile()
    assert depths == [0, 0]
    assert _refunded(payment) == (Payment.Status.PARTIALLY_REFUNDED, Decimal("10.00"))

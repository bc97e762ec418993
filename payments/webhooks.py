"""Stripe webhook events: refunds and charges made outside the product, reconciled onto
our payments. The view verifies the signature; this module only sees genuine events."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import stripe
from django.db import IntegrityError, transaction

from events.models import Event
from events.services import event_record
from memberships.models import Gateway
from payments.gateways import from_minor_units, stripe_client
from payments.models import Payment, Refund, StripeEvent
from payments.services import refund_apply, refund_complete


@transaction.atomic
def stripe_event_handle(event: stripe.Event) -> bool:
    """Handle one event once. False for a duplicate delivery. The event's row and the
    changes it causes commit together: if handling fails, Stripe's retry finds no row."""
    try:
        with transaction.atomic():
            StripeEvent.objects.create(
                event_id=event.id, type=event.type, livemode=bool(getattr(event, "livemode", False))
            )
    except IntegrityError:
        return False
    handler = HANDLERS.get(event.type)
    if handler is not None:
        handler(event.data.object)
    return True


def _payment_for(charge: stripe.StripeObject) -> Payment | None:
    references = [charge.id]
    payment_intent = getattr(charge, "payment_intent", None)
    if isinstance(payment_intent, str):
        references.append(payment_intent)
    elif payment_intent is not None:
        references.append(payment_intent.id)
    return (
        Payment.objects.select_for_update(of=("self",))
        .select_related("customer__user", "membership")
        .filter(gateway=Gateway.STRIPE, gateway_payment_id__in=references)
        .order_by("pk")
        .first()
    )


def _charge_status(status: str) -> Callable[[stripe.StripeObject], None]:
    def handle(charge: stripe.StripeObject) -> None:
        payment = _payment_for(charge)
        if payment is None or payment.status != Payment.Status.PENDING:
            return
        payment.status = status
        payment.save(update_fields=["status", "updated_at"])
        event_record(
            type=Event.Type.PAYMENT_STATUS,
            message=f"{payment.reference} {payment.get_status_display().lower()} in Stripe "
            f"({charge.id})",
            customer=payment.customer,
            subject=payment,
            old={"status": Payment.Status.PENDING},
            new={"status": status},
        )

    return handle


def _charge_refunded(charge: stripe.StripeObject) -> None:
    payment = _payment_for(charge)
    if payment is None:
        return
    for stripe_refund in _refunds_of(charge):
        if stripe_refund.status not in ("succeeded", "pending"):
            continue
        ours = _our_refund(payment, stripe_refund)
        if ours is not None:
            if ours.status != Refund.Status.SUCCEEDED:
                refund_complete(refund=ours, gateway_refund_id=stripe_refund.id)
                payment.refresh_from_db()
            continue
        amount = min(
            from_minor_units(stripe_refund.amount, payment.currency), payment.refundable_amount
        )
        if amount <= 0:
            continue
        refund = Refund.objects.create(
            payment=payment,
            amount=amount,
            status=Refund.Status.SUCCEEDED,
            gateway=Gateway.STRIPE,
            gateway_refund_id=stripe_refund.id,
            reason="Refunded in Stripe",
        )
        refund_apply(payment=payment, refund=refund, actor=None, ip=None)


def _refunds_of(charge: stripe.StripeObject) -> list[stripe.StripeObject]:
    """The charge's refunds: in the payload on older API versions, else asked for."""
    included = getattr(charge, "refunds", None)
    if included is not None and not included.has_more:
        return list(included.data)
    return list(stripe_client().v1.refunds.list(params={"charge": charge.id, "limit": 100}).data)


def _our_refund(payment: Payment, stripe_refund: stripe.StripeObject) -> Refund | None:
    known = payment.refunds.select_for_update().filter(gateway_refund_id=stripe_refund.id).first()
    if known is not None:
        return known
    metadata = getattr(stripe_refund, "metadata", None)
    try:
        key = uuid.UUID(metadata.to_dict().get("network_refund", ""))
    except (AttributeError, ValueError):
        return None
    return payment.refunds.select_for_update().filter(key=key).first()


HANDLERS: dict[str, Callable[[stripe.StripeObject], None]] = {
    "charge.succeeded": _charge_status(Payment.Status.COMPLETED),
    "charge.failed": _charge_status(Payment.Status.FAILED),
    "charge.refunded": _charge_refunded,
}

"""Stripe webhook events: refunds and charges made outside the product, reconciled onto
our payments. The view verifies the signature; this module only sees genuine events."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import stripe
from django.db import IntegrityError, transaction

from events.models import Event
from events.services import event_record
from memberships.models import Gateway
from payments.gateways import from_minor_units, stripe_client
from payments.models import Payment, Refund, StripeEvent
from payments.services import refund_apply, refund_complete

# A handler gets the event's object and what FETCHES fetched for it (or None).
Handler = Callable[[stripe.StripeObject, Any], None]


def stripe_event_handle(event: stripe.Event) -> bool:
    """Handle one event once. False for a duplicate delivery. The event's row and the
    changes it causes commit together: if handling fails, Stripe's retry finds no row.

    Whatever must be asked of Stripe is asked first, before the transaction opens: no
    call to Stripe waits while a transaction or a payment's row lock is held."""
    if StripeEvent.objects.filter(event_id=event.id).exists():
        return False
    fetch = FETCHES.get(event.type)
    fetched = fetch(event.data.object) if fetch is not None else None
    with transaction.atomic():
        try:
            with transaction.atomic():
                StripeEvent.objects.create(
                    event_id=event.id,
                    type=event.type,
                    livemode=bool(getattr(event, "livemode", False)),
                )
        except IntegrityError:  # delivered twice at once: the other delivery handles it
            return False
        handler = HANDLERS.get(event.type)
        if handler is not None:
            handler(event.data.object, fetched)
    return True


def _payments_of(charge: stripe.StripeObject):
    references = [charge.id]
    payment_intent = getattr(charge, "payment_intent", None)
    if isinstance(payment_intent, str):
        references.append(payment_intent)
    elif payment_intent is not None:
        references.append(payment_intent.id)
    return Payment.objects.filter(gateway=Gateway.STRIPE, gateway_payment_id__in=references)


def _payment_for(charge: stripe.StripeObject) -> Payment | None:
    """Our payment of the charge, locked until the transaction ends."""
    return (
        _payments_of(charge)
        .select_for_update(of=("self",))
        .select_related("customer__user", "membership")
        .order_by("pk")
        .first()
    )


def _charge_status(status: str) -> Handler:
    def handle(charge: stripe.StripeObject, _fetched: None) -> None:
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


def _charge_refunded(charge: stripe.StripeObject, refunds: list[stripe.StripeObject]) -> None:
    payment = _payment_for(charge)
    if payment is None:
        return
    for stripe_refund in refunds:
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
    """The refunds of a charge of ours: in the payload on older API versions, else asked
    for. A charge that is none of ours is not asked about."""
    if not _payments_of(charge).exists():
        return []
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


# What an event needs from Stripe beyond its payload, fetched before any transaction.
FETCHES: dict[str, Callable[[stripe.StripeObject], Any]] = {
    "charge.refunded": _refunds_of,
}
HANDLERS: dict[str, Handler] = {
    "charge.succeeded": _charge_status(Payment.Status.COMPLETED),
    "charge.failed": _charge_status(Payment.Status.FAILED),
    "charge.refunded": _charge_refunded,
}

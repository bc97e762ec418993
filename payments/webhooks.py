"""Stripe webhook events: our refunds follow Stripe's state (pending, succeeded, failed),
and refunds and charges made outside the product are reconciled onto our payments. The
view verifies the signature; this module only sees genuine events."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import stripe
from django.db import IntegrityError, transaction

from events.models import Event
from events.services import english, event_record
from memberships.models import Gateway
from payments.gateways import from_minor_units, stripe_client, stripe_refund_state
from payments.models import Payment, Refund, StripeEvent
from payments.services import pending_refunds_total, refund_settle

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


def _id(value: Any) -> str | None:
    """A Stripe reference, whether the payload carries it as an id or expanded."""
    return value if isinstance(value, str) or value is None else value.id


def _charge_references(charge: stripe.StripeObject) -> tuple[str | None, ...]:
    return charge.id, _id(getattr(charge, "payment_intent", None))


def _payments_of(*references: str | None):
    return Payment.objects.filter(
        gateway=Gateway.STRIPE, gateway_payment_id__in=[r for r in references if r]
    )


def _payment_for(*references: str | None) -> Payment | None:
    """Our payment of the charge or payment intent, locked until the transaction ends."""
    return (
        _payments_of(*references)
        .select_for_update(of=("self",))
        .select_related("customer__user", "membership")
        .order_by("pk")
        .first()
    )


def _charge_status(status: str) -> Handler:
    def handle(charge: stripe.StripeObject, _fetched: None) -> None:
        payment = _payment_for(*_charge_references(charge))
        if payment is None or payment.status != Payment.Status.PENDING:
            return
        payment.status = status
        payment.save(update_fields=["status", "updated_at"])
        event_record(
            type=Event.Type.PAYMENT_STATUS,
            message=f"{payment.reference} {english(Payment.Status(status).label).lower()} "
            f"in Stripe ({charge.id})",
            customer=payment.customer,
            subject=payment,
            old={"status": Payment.Status.PENDING},
            new={"status": status},
        )

    return handle


def _charge_refunded(charge: stripe.StripeObject, refunds: list[stripe.StripeObject]) -> None:
    payment = _payment_for(*_charge_references(charge))
    if payment is None:
        return
    for stripe_refund in refunds:
        _refund_follow(payment, stripe_refund)


def _refund_updated(stripe_refund: stripe.StripeObject, _fetched: None) -> None:
    """charge.refund.updated, and the refund.* events of newer API versions: the refund
    itself, with its status now."""
    payment = _payment_for(
        _id(getattr(stripe_refund, "charge", None)),
        _id(getattr(stripe_refund, "payment_intent", None)),
    )
    if payment is not None:
        _refund_follow(payment, stripe_refund)


def _refund_follow(payment: Payment, stripe_refund: stripe.StripeObject) -> None:
    """Settle our refund as Stripe has it. A refund made in Stripe, not through the
    product, is recorded first (pending or succeeded; a failed one changed nothing)."""
    state = stripe_refund_state(stripe_refund)
    ours = _our_refund(payment, stripe_refund)
    if ours is None:
        if state.status == Refund.Status.FAILED:
            return
        payment.refresh_from_db(fields=["total", "refunded_total"])
        amount = min(
            from_minor_units(stripe_refund.amount, payment.currency),
            payment.refundable_amount - pending_refunds_total(payment),
        )
        if amount <= 0:
            return
        ours = Refund.objects.create(
            payment=payment,
            amount=amount,
            gateway=Gateway.STRIPE,
            gateway_refund_id=stripe_refund.id,
            reason="Refunded in Stripe",
        )
    refund_settle(refund=ours, state=state)


def _refunds_of(charge: stripe.StripeObject) -> list[stripe.StripeObject]:
    """The refunds of a charge of ours: in the payload on older API versions, else asked
    for. A charge that is none of ours is not asked about."""
    if not _payments_of(*_charge_references(charge)).exists():
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
    "charge.refund.updated": _refund_updated,
    "refund.created": _refund_updated,
    "refund.updated": _refund_updated,
    "refund.failed": _refund_updated,
}

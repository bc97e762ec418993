from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import stripe
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Event
from events.services import english, event_record
from memberships.models import Gateway, Membership
from memberships.services import membership_status_change
from network.formatting import money
from payments.gateways import (
    GatewayError,
    GatewayRefund,
    gateway_refund,
    has_minor_unit_precision,
    refund_unavailable,
    stripe_refund_find,
    stripe_refund_state,
)
from payments.models import (
    INVOICEABLE_STATUSES,
    REFUNDABLE_STATUSES,
    ZERO,
    InvoiceCounter,
    Payment,
    Refund,
)

# Statuses that only refunds set; the status form cannot fake them.
REFUND_STATUSES = {Payment.Status.REFUNDED, Payment.Status.PARTIALLY_REFUNDED}


class RefundFailed(Exception):
    """The gateway refused; the payment is unchanged and the refund is recorded as failed."""

    def __init__(self, refund: Refund):
        super().__init__(refund.failure_message)
        self.refund = refund


def _locked(payment: Payment) -> Payment:
    return (
        Payment.objects.select_for_update(of=("self",))
        .select_related("customer__user")
        .get(pk=payment.pk)
    )


@transaction.atomic
def payment_status_change(
    *, payment: Payment, status: str, actor=None, ip: str | None = None
) -> Payment:
    payment = _locked(payment)
    old = payment.status
    if old == status:
        return payment
    if status in REFUND_STATUSES:
        raise ValidationError({"status": _("Use Refund to refund a payment.")})
    if payment.refunded_total > ZERO:
        raise ValidationError(
            {
                "status": _(
                    "This payment has refunds, so its status follows them and stays as it is."
                )
            }
        )
    payment.status = status
    payment.save(update_fields=["status", "updated_at"])
    event_record(
        type=Event.Type.PAYMENT_STATUS,
        message=f"{payment.reference} status changed from {english(Payment.Status(old).label)} "
        f"to {english(Payment.Status(status).label)}",
        customer=payment.customer,
        subject=payment,
        actor=actor,
        old={"status": old},
        new={"status": status},
        ip=ip,
    )
    return payment


@transaction.atomic
def payment_update(
    *,
    payment: Payment,
    membership: Membership | None,
    gateway: str,
    gateway_payment_id: str,
    actor=None,
    ip: str | None = None,
) -> Payment:
    """The membership it pays for (of the same customer) and the gateway it went through."""
    payment = _locked(payment)
    if membership is not None and membership.customer_id != payment.customer_id:
        raise ValidationError(
            {
                "membership": _("%(membership)s belongs to another customer.")
                % {"membership": membership.reference}
            }
        )
    values = {
        "membership_id": membership.pk if membership else None,
        "gateway": gateway,
        "gateway_payment_id": gateway_payment_id.strip(),
    }
    old = {field: getattr(payment, field) for field, value in values.items()}
    new = {field: value for field, value in values.items() if old[field] != value}
    if not new:
        return payment
    for field, value in new.items():
        setattr(payment, field, value)
    payment.save(update_fields=[*new, "updated_at"])
    labels = {"membership_id": "membership", "gateway": "gateway"}
    changed = ", ".join(labels.get(field, "gateway payment ID") for field in new)
    event_record(
        type=Event.Type.PAYMENT_UPDATED,
        message=f"{payment.reference} updated: {changed}",
        customer=payment.customer,
        subject=payment,
        actor=actor,
        old={field: old[field] for field in new},
        new=new,
        ip=ip,
    )
    return payment


@transaction.atomic
def payments_reassign(
    *, from_customer, to_customer, actor=None, ip: str | None = None
) -> list[Payment]:
    """Give `from_customer`'s payments that are not for one of their memberships to
    `to_customer`; one event on each side per payment. Payments for a membership move
    with it (memberships.services.membership_reassign), so a payment's customer and its
    membership's customer never disagree. The caller locks both customers first, in id
    order."""
    payments = list(
        Payment.objects.select_for_update(of=("self",))
        .filter(customer=from_customer)
        .exclude(membership__customer=from_customer)
        .order_by("pk")
    )
    Payment.objects.filter(pk__in=[payment.pk for payment in payments]).update(
        customer=to_customer, updated_at=timezone.now()
    )
    old = {"customer": from_customer.pk, "customer_label": str(from_customer)}
    new = {"customer": to_customer.pk, "customer_label": str(to_customer)}
    sides = ((from_customer, f"to {to_customer}"), (to_customer, f"from {from_customer}"))
    for payment in payments:
        for side, who in sides:
            event_record(
                type=Event.Type.PAYMENT_UPDATED,
                message=f"{payment.reference} reassigned {who}",
                customer=side,
                subject=payment,
                actor=actor,
                old=old,
                new=new,
                ip=ip,
            )
    return payments


@transaction.atomic
def payment_invoice_issue(*, payment: Payment, actor=None, ip: str | None = None) -> Payment:
    """Give the payment its invoice number, once. The payment row is locked first, so a
    double click waits and then finds the number already there; the counter row is locked
    next, in the same transaction, so numbers have no gaps and no duplicates."""
    payment = _locked(payment)
    if payment.invoice_number is not None:
        return payment
    if payment.status not in INVOICEABLE_STATUSES:
        raise ValidationError(
            _("A %(status)s payment gets no invoice; invoices are for money received.")
            % {"status": payment.get_status_display().lower()}
        )
    InvoiceCounter.objects.bulk_create([InvoiceCounter(pk=1)], ignore_conflicts=True)
    counter = InvoiceCounter.objects.select_for_update().get(pk=1)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    payment.invoice_number = counter.last_number
    payment.invoice_issued_at = timezone.now()
    payment.save(update_fields=["invoice_number", "invoice_issued_at", "updated_at"])
    event_record(
        type=Event.Type.INVOICE_GENERATED,
        message=f"Invoice {payment.invoice_reference} issued for {payment.reference}",
        customer=payment.customer,
        subject=payment,
        actor=actor,
        new={"invoice_number": payment.invoice_number},
        ip=ip,
    )
    return payment


def payment_refund(
    *,
    payment: Payment,
    amount: Decimal,
    key: uuid.UUID,
    reason: str = "",
    cancel_membership: bool = False,
    actor=None,
    ip: str | None = None,
) -> tuple[Refund, bool]:
    """Refund through the payment's gateway. Returns the refund and whether this call made
    it (False: the same form was submitted before, and that first attempt is returned).
    The refund comes back succeeded, or pending while the gateway has not settled it (its
    amount stays held back until the webhook or reconcile_refunds settles it); a refusal
    raises RefundFailed.

    Three steps, so that no database transaction stays open while the gateway is called:
    record a pending Refund under the payment's row lock (a second submit of the same form
    carries the same key and gets the first attempt back); ask the gateway with an
    idempotency key derived from that record; then settle the answer under the lock again.
    """
    if unavailable := refund_unavailable(payment.gateway):
        raise ValidationError(unavailable)  # nothing recorded: no attempt was possible
    refund, created = _refund_open(
        payment=payment,
        amount=amount,
        key=key,
        reason=reason,
        cancel_membership=cancel_membership,
        actor=actor,
    )
    if not created:
        return refund, False
    try:
        state = gateway_refund(refund)
    except GatewayError as error:
        refund.status = Refund.Status.FAILED
        refund.failure_message = str(error)[:500]
        refund.save(update_fields=["status", "failure_message", "updated_at"])
        raise RefundFailed(refund) from error
    refund, _ = refund_settle(refund=refund, state=state, actor=actor, ip=ip)
    if refund.status == Refund.Status.FAILED:
        raise RefundFailed(refund)
    return refund, True


@transaction.atomic
def _refund_open(
    *,
    payment: Payment,
    amount: Decimal,
    key: uuid.UUID,
    reason: str,
    cancel_membership: bool,
    actor,
) -> tuple[Refund, bool]:
    payment = _locked(payment)
    earlier = Refund.objects.filter(key=key).first()
    if earlier is not None:
        if earlier.payment_id != payment.pk:
            raise ValidationError(_("This refund form belongs to another payment."))
        return earlier, False
    if payment.status not in REFUNDABLE_STATUSES:
        raise ValidationError(
            _("A %(status)s payment cannot be refunded.")
            % {"status": payment.get_status_display().lower()}
        )
    available = payment.refundable_amount - pending_refunds_total(payment)
    if amount <= ZERO:
        raise ValidationError({"amount": _("Refund a positive amount.")})
    if not has_minor_unit_precision(amount, payment.currency):
        raise ValidationError(
            {
                "amount": _("%(currency)s has no smaller unit than 1: refund a whole amount.")
                % {"currency": payment.currency}
            }
        )
    if amount > available:
        raise ValidationError(
            {
                "amount": _("At most %(amount)s can be refunded.")
                % {"amount": money(available, payment.currency)}
            }
        )
    refund = Refund.objects.create(
        payment=payment,
        key=key,
        amount=amount,
        reason=reason,
        cancel_membership=cancel_membership,
        gateway=payment.gateway,
        created_by=actor,
    )
    return refund, True


def pending_refunds_total(payment: Payment) -> Decimal:
    pending = payment.refunds.filter(status=Refund.Status.PENDING).aggregate(total=Sum("amount"))
    return pending["total"] or ZERO


@transaction.atomic
def refund_settle(
    *, refund: Refund, state: GatewayRefund, actor=None, ip: str | None = None
) -> tuple[Refund, bool]:
    """Bring our refund to where the gateway says it stands; also says whether this call
    changed its status. The request that made the refund, the webhook and
    reconcile_refunds may all bring the same news at the same moment: the payment's row
    lock makes them take turns, and only a change counts.

    Pending keeps the amount held back. Succeeded counts it on the payment, once. Failed
    (or canceled) gives the amount back, and takes it off the payment again if it had
    been counted: Stripe can fail a refund after it succeeded. A failure the gateway
    reported is final; only a failure we recorded because the call itself broke (so the
    gateway never gave us an id) can still turn out to have succeeded."""
    payment = _locked(refund.payment)
    refund = Refund.objects.select_for_update().get(pk=refund.pk)
    old = refund.status
    reported_failure = old == Refund.Status.FAILED and bool(refund.gateway_refund_id)
    if state.id and refund.gateway_refund_id != state.id:
        refund.gateway_refund_id = state.id
        refund.save(update_fields=["gateway_refund_id", "updated_at"])
    if state.status == old or state.status == Refund.Status.PENDING or reported_failure:
        return refund, False
    refund.status = state.status
    refund.failure_message = state.failure_message[:500]
    refund.save(update_fields=["status", "failure_message", "updated_at"])
    if state.status == Refund.Status.SUCCEEDED:
        refund_apply(payment=payment, refund=refund, actor=actor, ip=ip)
    elif old == Refund.Status.SUCCEEDED:
        _refund_unapply(payment=payment, refund=refund, actor=actor, ip=ip)
    elif old == Refund.Status.PENDING:
        event_record(
            type=Event.Type.PAYMENT_UPDATED,
            message=f"Refund of {refund.amount} {payment.currency} on {payment.reference} "
            f"failed: {refund.failure_message} It can be refunded again.",
            customer=payment.customer,
            subject=payment,
            actor=actor,
            old={"refund": refund.pk, "refund_status": old},
            new={"refund": refund.pk, "refund_status": refund.status},
            ip=ip,
        )
    return refund, True


def refund_apply(*, payment: Payment, refund: Refund, actor, ip: str | None) -> None:
    """Count a succeeded refund on its payment, which the caller holds locked."""
    old = {"status": payment.status, "refunded_total": str(payment.refunded_total)}
    payment.refunded_total += refund.amount
    payment.status = (
        Payment.Status.REFUNDED
        if payment.refunded_total >= payment.total
        else Payment.Status.PARTIALLY_REFUNDED
    )
    payment.save(update_fields=["refunded_total", "status", "updated_at"])
    via = english(Gateway(refund.gateway).label)
    outside = "" if refund.created_by_id else " outside the product"
    event_record(
        type=Event.Type.PAYMENT_REFUNDED,
        message=f"{refund.amount} {payment.currency} of {payment.reference} refunded "
        f"via {via}{outside}",
        customer=payment.customer,
        subject=payment,
        actor=actor,
        old=old,
        new={
            "status": payment.status,
            "refunded_total": str(payment.refunded_total),
            "refund": refund.pk,
            "amount": str(refund.amount),
            "gateway_refund_id": refund.gateway_refund_id,
            "reason": refund.reason,
        },
        ip=ip,
    )
    if refund.cancel_membership and payment.membership_id is not None:
        membership_status_change(
            membership=payment.membership,
            status=Membership.Status.CANCELLED,
            actor=actor,
            ip=ip,
        )


def _refund_unapply(*, payment: Payment, refund: Refund, actor, ip: str | None) -> None:
    """Take back a counted refund that failed afterwards; the caller holds the payment."""
    old = {"status": payment.status, "refunded_total": str(payment.refunded_total)}
    payment.refunded_total -= refund.amount
    payment.status = (
        Payment.Status.PARTIALLY_REFUNDED
        if payment.refunded_total > ZERO
        else Payment.Status.COMPLETED
    )
    payment.save(update_fields=["refunded_total", "status", "updated_at"])
    event_record(
        type=Event.Type.PAYMENT_UPDATED,
        message=f"Refund of {refund.amount} {payment.currency} on {payment.reference} "
        f"failed after it succeeded: {refund.failure_message} The money was not returned.",
        customer=payment.customer,
        subject=payment,
        actor=actor,
        old={**old, "refund": refund.pk, "refund_status": Refund.Status.SUCCEEDED},
        new={
            "status": payment.status,
            "refunded_total": str(payment.refunded_total),
            "refund": refund.pk,
            "refund_status": refund.status,
        },
        ip=ip,
    )


def stripe_refunds_reconcile(*, unknown_after: timedelta) -> Counter[str]:
    """Ask Stripe where each pending Stripe refund stands and settle it, e.g. one left
    pending by a crash between Stripe's answer and our write. Each refund is fetched
    first, with no transaction open, then settled under its payment's lock, where
    refund_settle checks again: two runs at once count nothing twice.

    A refund Stripe has no record of is failed once it is older than `unknown_after`
    (younger, its request may still be on its way to Stripe)."""
    outcomes: Counter[str] = Counter()
    cutoff = timezone.now() - unknown_after
    pending = (
        Refund.objects.filter(gateway=Gateway.STRIPE, status=Refund.Status.PENDING)
        .select_related("payment")
        .order_by("pk")
    )
    for refund in pending:
        try:
            found = stripe_refund_find(refund)
        except (stripe.StripeError, GatewayError):
            outcomes["errors"] += 1
            continue
        if found is not None:
            state = stripe_refund_state(found)
        elif refund.created_at < cutoff:
            state = GatewayRefund("", Refund.Status.FAILED, "Stripe has no record of this refund.")
        else:
            outcomes["not at Stripe yet"] += 1
            continue
        settled, changed = refund_settle(refund=refund, state=state)
        if changed:
            outcomes[settled.status] += 1
        elif settled.status == Refund.Status.PENDING:
            outcomes["still pending"] += 1
        else:
            outcomes["settled meanwhile"] += 1
    return outcomes

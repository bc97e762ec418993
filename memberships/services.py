from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Customer
from events.models import Event
from events.services import english, event_record
from memberships.models import Membership, MembershipAddon, Product
from memberships.signals import membership_reassigned

# What the Billing and Dates blocks may change through membership_update().
EDITABLE_FIELDS = frozenset(
    {
        "initial_amount",
        "amount",
        "recurring",
        "billing_interval",
        "billing_period",
        "billing_cycles",
        "auto_renew",
        "gateway",
        "gateway_customer_id",
        "gateway_subscription_id",
        "date_activated",
        "date_trial_end",
        "date_renewed",
        "date_cancelled",
        "date_expiration",
    }
)


DATES = ("date_activated", "date_trial_end", "date_expiration")


def _locked(membership: Membership) -> Membership:
    """The membership re-read under a row lock, so old values in events are the real ones."""
    return (
        Membership.objects.select_for_update(of=("self",))
        .select_related("customer__user")
        .get(pk=membership.pk)
    )


def _customers_locked(*pks: int) -> set[int]:
    locked = Customer.objects.select_for_update().filter(pk__in=pks).order_by("pk")
    return set(locked.values_list("pk", flat=True))


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


@transaction.atomic
def membership_status_change(
    *, membership: Membership, status: str, actor=None, ip: str | None = None
) -> Membership:
    membership = _locked(membership)
    old = membership.status
    if old == status:
        return membership
    membership.status = status
    changed = ["status", "updated_at"]
    now = timezone.now()
    if status == Membership.Status.ACTIVE and membership.date_activated is None:
        membership.date_activated = now
        changed.append("date_activated")
    if status == Membership.Status.CANCELLED and membership.date_cancelled is None:
        membership.date_cancelled = now
        changed.append("date_cancelled")
    membership.save(update_fields=changed)
    event_record(
        type=Event.Type.MEMBERSHIP_STATUS,
        message=f"{membership.reference} status changed from "
        f"{english(Membership.Status(old).label)} to {english(Membership.Status(status).label)}",
        customer=membership.customer,
        subject=membership,
        actor=actor,
        old={"status": old},
        new={"status": status},
        ip=ip,
    )
    return membership


@transaction.atomic
def memberships_activate_pending(
    *, customer: Customer, actor=None, ip: str | None = None, **_signal
) -> list[Membership]:
    """Activate every pending membership of the customer; called when an admin verifies
    the customer's email (customers.signals.email_verified)."""
    now = timezone.now()
    pending = list(
        Membership.objects.select_for_update()
        .filter(customer=customer, status=Membership.Status.PENDING)
        .order_by("pk")
    )
    for membership in pending:
        membership.status = Membership.Status.ACTIVE
        membership.date_activated = membership.date_activated or now
        membership.save(update_fields=["status", "date_activated", "updated_at"])
        event_record(
            type=Event.Type.MEMBERSHIP_STATUS,
            message=f"Membership {membership.reference} activated after email verification",
            customer=customer,
            subject=membership,
            actor=actor,
            old={"status": Membership.Status.PENDING},
            new={"status": Membership.Status.ACTIVE},
            ip=ip,
        )
    return pending


@transaction.atomic
def membership_reassign(
    *, membership: Membership, customer: Customer, actor=None, ip: str | None = None
) -> Membership:
    """Give the membership to another customer. Its sites and payments go with it, so that
    a payment's customer and its membership's customer never disagree (they are reached
    through the reverse relations `membership.sites` and `membership.payments`, whose
    apps build on this one)."""
    # Both owners first, in id order, as customer_delete locks them: a deletion of either
    # one then runs before or after this move, never interleaved with it (which ended in
    # a deadlock, the deletion holding the owner and the move holding the site rows).
    owners = _customers_locked(membership.customer_id, customer.pk)
    if customer.pk not in owners:
        raise ValidationError({"customer": _("That customer was deleted meanwhile.")})
    membership = _locked(membership)
    previous = membership.customer
    if previous.pk not in owners:
        raise ValidationError(_("The membership changed owner meanwhile; reload the page."))
    if previous.pk == customer.pk:
        raise ValidationError({"customer": _("The membership already belongs to this customer.")})
    membership.customer = customer
    membership.save(update_fields=["customer", "updated_at"])
    now = timezone.now()
    sites = membership.sites.update(customer=customer, updated_at=now)
    payments = membership.payments.update(customer=customer, updated_at=now)
    membership_reassigned.send(
        sender=Membership, membership=membership, previous=previous, actor=actor, ip=ip
    )
    old = {"customer": previous.pk, "customer_label": str(previous)}
    new = {
        "customer": customer.pk,
        "customer_label": str(customer),
        "sites": sites,
        "payments": payments,
    }
    for side, who in ((previous, f"to {customer}"), (customer, f"from {previous}")):
        event_record(
            type=Event.Type.MEMBERSHIP_REASSIGNED,
            message=f"{membership.reference} reassigned {who}",
            customer=side,
            subject=membership,
            actor=actor,
            old=old,
            new=new,
            ip=ip,
        )
    return membership


def _check_currency(membership: Membership, product: Product, field: str) -> None:
    if product.currency != membership.currency:
        raise ValidationError(
            {
                field: _("%(product)s is priced in %(currency)s; this membership is in %(ours)s.")
                % {"product": product, "currency": product.currency, "ours": membership.currency}
            }
        )


@transaction.atomic
def membership_plan_change(
    *, membership: Membership, plan: Product, actor=None, ip: str | None = None
) -> Membership:
    membership = _locked(membership)
    if plan.kind != Product.Kind.PLAN:
        raise ValidationError({"plan": _("%(product)s is not a plan.") % {"product": plan}})
    _check_currency(membership, plan, "plan")
    old_plan = membership.plan
    if old_plan.pk == plan.pk:
        return membership
    membership.plan = plan
    membership.save(update_fields=["plan", "updated_at"])
    event_record(
        type=Event.Type.MEMBERSHIP_PRODUCTS,
        message=f"{membership.reference} plan changed from {old_plan} to {plan}",
        customer=membership.customer,
        subject=membership,
        actor=actor,
        old={"plan": old_plan.pk, "plan_name": old_plan.name},
        new={"plan": plan.pk, "plan_name": plan.name},
        ip=ip,
    )
    return membership


@transaction.atomic
def membership_addon_add(
    *,
    membership: Membership,
    product: Product,
    quantity: int,
    actor=None,
    ip: str | None = None,
) -> MembershipAddon:
    membership = _locked(membership)
    if product.kind == Product.Kind.PLAN:
        raise ValidationError(
            {"product": _("A plan cannot be an add-on; change the plan instead.")}
        )
    _check_currency(membership, product, "product")
    if membership.addon_rows.filter(product=product).exists():
        raise ValidationError(
            {
                "product": _(
                    "%(product)s is already on this membership; change its quantity instead."
                )
                % {"product": product}
            }
        )
    addon = MembershipAddon.objects.create(
        membership=membership, product=product, quantity=quantity
    )
    event_record(
        type=Event.Type.MEMBERSHIP_PRODUCTS,
        message=f"{quantity} × {product} added to {membership.reference}",
        customer=membership.customer,
        subject=membership,
        actor=actor,
        old=None,
        new={"product": product.pk, "product_name": product.name, "quantity": quantity},
        ip=ip,
    )
    return addon


@transaction.atomic
def membership_addon_update(
    *, addon: MembershipAddon, quantity: int, actor=None, ip: str | None = None
) -> MembershipAddon:
    membership = _locked(addon.membership)
    addon = (
        MembershipAddon.objects.select_for_update(of=("self",))
        .select_related("product")
        .get(pk=addon.pk)
    )
    old = addon.quantity
    if old == quantity:
        return addon
    addon.quantity = quantity
    addon.save(update_fields=["quantity"])
    event_record(
        type=Event.Type.MEMBERSHIP_PRODUCTS,
        message=f"{addon.product} quantity on {membership.reference} changed from {old} "
        f"to {quantity}",
        customer=membership.customer,
        subject=membership,
        actor=actor,
        old={"product": addon.product_id, "quantity": old},
        new={"product": addon.product_id, "quantity": quantity},
        ip=ip,
    )
    return addon


@transaction.atomic
def membership_addon_remove(*, addon: MembershipAddon, actor=None, ip: str | None = None) -> None:
    membership = _locked(addon.membership)
    addon = (
        MembershipAddon.objects.select_for_update(of=("self",))
        .select_related("product")
        .get(pk=addon.pk)
    )
    old = {
        "product": addon.product_id,
        "product_name": addon.product.name,
        "quantity": addon.quantity,
    }
    addon.delete()
    event_record(
        type=Event.Type.MEMBERSHIP_PRODUCTS,
        message=f"{addon.product} removed from {membership.reference}",
        customer=membership.customer,
        subject=membership,
        actor=actor,
        old=old,
        new=None,
        ip=ip,
    )


@transaction.atomic
def membership_update(
    *, membership: Membership, changes: dict[str, Any], actor=None, ip: str | None = None
) -> Membership:
    """Amounts, billing cycle, gateway references and dates. Records only what changed."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    membership = _locked(membership)
    if any(field.startswith("date_") for field in changes):
        _check_dates({field: changes.get(field, getattr(membership, field)) for field in DATES})
    old, new = {}, {}
    for field, value in changes.items():
        if getattr(membership, field) != value:
            old[field] = _plain(getattr(membership, field))
            new[field] = _plain(value)
            setattr(membership, field, value)
    if not new:
        return membership
    membership.save(update_fields=[*new, "updated_at"])
    labels = ", ".join(english(Membership._meta.get_field(field).verbose_name) for field in new)
    event_record(
        type=Event.Type.MEMBERSHIP_UPDATED,
        message=f"{membership.reference} updated: {labels}",
        customer=membership.customer,
        subject=membership,
        actor=actor,
        old=old,
        new=new,
        ip=ip,
    )
    return membership


def _check_dates(values: dict[str, Any]) -> None:
    activated = values.get("date_activated")
    errors = {}
    for field, error in (
        ("date_trial_end", _("The trial end cannot be before the activation date.")),
        ("date_expiration", _("The expiration cannot be before the activation date.")),
    ):
        value = values.get(field)
        if activated and value and value < activated:
            errors[field] = error
    if errors:
        raise ValidationError(errors)

"""Deleting a customer: permanent, in one transaction, with a tombstone event.

Two options, as in the original product: delete everything the customer owns, or hand
their memberships, payments and sites to another customer first. Either way the
customer's events stay in the event log (their `customer` link becomes NULL;
`customer_ref` and the copied label keep saying whose they were). The sites, memberships
and payments are deleted or moved by their own apps' services, which record their events.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django_tenants.utils import get_public_schema_name

from customers.models import Customer, LoginRecord, Note, User
from customers.services import notes_reassign
from deletion.selectors import login_account_kept
from events.models import Event
from events.services import event_record
from memberships.models import Membership
from memberships.services import membership_reassign
from payments.models import Payment
from payments.services import payments_reassign
from sites.models import Domain, Site
from sites.services import site_delete, sites_reassign


class CustomerGone(Exception):
    """The customer was deleted meanwhile: a second submit, or another admin was faster."""


@transaction.atomic
def customer_delete(
    *,
    customer: Customer,
    actor: User | None,
    reassign_to: Customer | None = None,
    ip: str | None = None,
) -> Event:
    """Delete `customer` for good, or nothing at all; returns the tombstone event.

    Without `reassign_to`: its sites (rows, domains and schemas), payments and
    memberships go. With it: those move to `reassign_to`. Then the login records, the
    customer and, unless it is staff, the login account go. Deleting the account is what
    ends the customer's sessions on every host: each schema keeps its own sessions, and
    Django's auth middleware treats a session whose user row is gone as anonymous.
    """
    if reassign_to is not None and reassign_to.pk == customer.pk:
        raise ValidationError({"reassign_to": "A customer can't receive their own things."})
    customer, reassign_to = _lock(customer, reassign_to)
    user = customer.user
    label = f"{user.display_name} <{user.email}>"
    events_kept = Event.objects.filter(customer_ref=customer.pk).count()

    if reassign_to is None:
        counts = _delete_owned(customer=customer, actor=actor, ip=ip)
        # The notes go with the customer (the row's ON DELETE CASCADE, below).
        counts["notes"] = Note.objects.filter(customer=customer).count()
    else:
        counts = _reassign_owned(customer=customer, target=reassign_to, actor=actor, ip=ip)
        counts["notes_kept"] = notes_reassign(from_customer=customer, to_customer=reassign_to)
    _, deleted = LoginRecord.objects.filter(customer=customer).delete()
    counts["login_records"] = deleted.get(LoginRecord._meta.label, 0)
    counts["events_kept"] = events_kept
    keep_account = login_account_kept(user)

    message = f"Customer {label} (#{customer.pk}) deleted permanently"
    if reassign_to is not None:
        message += (
            f"; memberships, payments and sites went to "
            f"{reassign_to.user.display_name} <{reassign_to.user.email}>"
        )
    # Recorded while the customer row still exists, so event_record copies its id and
    # label; deleting the row below sets the link to NULL like on every other event.
    tombstone = event_record(
        type=Event.Type.CUSTOMER_DELETED,
        message=message,
        customer=customer,
        subject=customer,
        actor=actor,
        ip=ip,
        new={
            "option": "delete" if reassign_to is None else "reassign",
            "id": customer.pk,
            "email": user.email,
            "name": user.get_full_name(),
            "username": user.username,
            "counts": counts,
            "login_account": "kept (staff)" if keep_account else "deleted",
            "reassigned_to": _customer_facts(reassign_to) if reassign_to is not None else None,
        },
    )
    customer.delete()
    if not keep_account:
        user.delete()
    tombstone.customer = None
    return tombstone


def _lock(customer: Customer, target: Customer | None) -> tuple[Customer, Customer | None]:
    """Lock both rows (in id order, as memberships.services.membership_reassign does, so
    two admins reassigning A→B and B→A can't deadlock) and reload them. Rows pointing at
    a locked customer can't be inserted meanwhile, so the counts below are exact."""
    pks = [customer.pk] if target is None else [customer.pk, target.pk]
    locked = {
        row.pk: row
        for row in Customer.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(pk__in=pks)
        .order_by("pk")
    }
    if customer.pk not in locked:
        raise CustomerGone(customer.pk)
    if target is not None and target.pk not in locked:
        raise ValidationError({"reassign_to": "That customer was deleted meanwhile."})
    return locked[customer.pk], (locked[target.pk] if target is not None else None)


def _delete_owned(*, customer: Customer, actor: User | None, ip: str | None) -> dict[str, int]:
    sites = list(Site.objects.filter(customer=customer).prefetch_related("domains").order_by("pk"))
    if any(site.is_main or site.schema_name == get_public_schema_name() for site in sites):
        raise ValidationError(
            "This customer owns the network's main site, which is never deleted. "
            "Reassign their things to another customer instead."
        )
    domains = sum(len(site.domains.all()) for site in sites)
    for site in sites:
        site_delete(site=site, actor=actor, ip=ip)
    # Sites first and payments before memberships: nothing is left to SET_NULL.
    _, payments = Payment.objects.filter(customer=customer).delete()
    _, memberships = Membership.objects.filter(customer=customer).delete()
    return {
        "memberships": memberships.get(Membership._meta.label, 0),
        "payments": payments.get(Payment._meta.label, 0),
        "sites": len(sites),
        "domains": domains,
    }


def _reassign_owned(
    *, customer: Customer, target: Customer, actor: User | None, ip: str | None
) -> dict[str, int]:
    counts = {
        "payments": Payment.objects.filter(customer=customer).count(),
        "sites": Site.objects.filter(customer=customer).count(),
        "domains": Domain.objects.filter(tenant__customer=customer).count(),
    }
    memberships = list(Membership.objects.filter(customer=customer).order_by("pk"))
    # Each membership takes its own sites and payments along; what is left belongs to
    # no membership of the customer and moves on its own.
    for membership in memberships:
        membership_reassign(membership=membership, customer=target, actor=actor, ip=ip)
    sites_reassign(from_customer=customer, to_customer=target, actor=actor, ip=ip)
    payments_reassign(from_customer=customer, to_customer=target, actor=actor, ip=ip)
    return {"memberships": len(memberships), **counts}


def _customer_facts(customer: Customer) -> dict[str, Any]:
    return {"id": customer.pk, "email": customer.user.email, "name": customer.user.display_name}

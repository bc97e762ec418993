"""Deleting a customer: permanent, in one transaction, with a tombstone event.

Two options, as in the original product: delete everything the customer owns, or hand
their memberships, payments and sites to another customer first. Either way the
customer's events stay in the event log (their `customer` link becomes NULL;
`customer_ref` and the copied label keep saying whose they were).
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Case, F, Func, OuterRef, Q, Subquery, Value, When
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from customers.models import Customer, LoginRecord, User
from events.models import Event
from events.services import event_record
from memberships.models import Membership
from payments.models import Payment
from sites.models import Domain, Site

PREVIEW_SIZE = 5
CANDIDATE_LIMIT = 10


class CustomerGone(Exception):
    """The customer was deleted meanwhile: a second submit, or another admin was faster."""


def login_account_kept(user: User) -> bool:
    """Staff accounts are people who run the network; deleting their customer profile
    must not lock them out."""
    return user.is_staff or user.is_superuser


@dataclass(frozen=True)
class DeletionSummary:
    """What deleting a customer touches: exact counts, and the first few of each."""

    customer: Customer
    counts: dict[str, int]
    memberships: list[Membership] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    login_records: list[LoginRecord] = field(default_factory=list)

    @property
    def keeps_login_account(self) -> bool:
        return login_account_kept(self.customer.user)

    @property
    def more(self) -> dict[str, int]:
        """How many of each are not in the preview lists."""
        shown = {
            "memberships": self.memberships,
            "payments": self.payments,
            "sites": self.sites,
            "events": self.events,
            "login_records": self.login_records,
        }
        return {name: self.counts[name] - len(rows) for name, rows in shown.items()}

    @property
    def owns_main_site(self) -> bool:
        return self.counts["main_sites"] > 0


def _count(queryset: models.QuerySet) -> Subquery:
    # COUNT as a plain function, not an aggregate: no GROUP BY, always one row (0 when empty).
    return Subquery(queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n"))


def deletion_summary(customer: Customer) -> DeletionSummary:
    """Seven queries whatever the customer owns: one for every count, one per preview
    list (plus one for the previewed sites' domains)."""
    outer = OuterRef("pk")
    counts = (
        Customer.objects.filter(pk=customer.pk)
        .annotate(
            memberships_count=_count(Membership.objects.filter(customer=outer)),
            payments_count=_count(Payment.objects.filter(customer=outer)),
            sites_count=_count(Site.objects.filter(customer=outer)),
            main_sites_count=_count(
                Site.objects.filter(customer=outer).filter(
                    Q(type=Site.Type.MAIN) | Q(schema_name=get_public_schema_name())
                )
            ),
            domains_count=_count(Domain.objects.filter(tenant__customer=outer)),
            events_count=_count(Event.objects.filter(customer_ref=outer)),
            login_records_count=_count(LoginRecord.objects.filter(customer=outer)),
        )
        .values(
            "memberships_count",
            "payments_count",
            "sites_count",
            "main_sites_count",
            "domains_count",
            "events_count",
            "login_records_count",
        )
        .get()
    )
    newest = ("-created_at", "-pk")
    return DeletionSummary(
        customer=customer,
        counts={name.removesuffix("_count"): value for name, value in counts.items()},
        memberships=list(
            Membership.objects.filter(customer=customer)
            .select_related("plan")
            .order_by(*newest)[:PREVIEW_SIZE]
        ),
        payments=list(Payment.objects.filter(customer=customer).order_by(*newest)[:PREVIEW_SIZE]),
        sites=list(
            Site.objects.filter(customer=customer)
            .prefetch_related("domains")
            .order_by(*newest)[:PREVIEW_SIZE]
        ),
        events=list(
            Event.objects.filter(customer_ref=customer.pk).order_by(*newest)[:PREVIEW_SIZE]
        ),
        login_records=list(
            LoginRecord.objects.filter(customer=customer).order_by(*newest)[:PREVIEW_SIZE]
        ),
    )


def reassign_candidates(
    *, customer: Customer, query: str = "", selected: int | None = None
) -> list[Customer]:
    """Customers who could receive the memberships, payments and sites: the one already
    picked first, then matches of `query` (name, username or email). Never `customer`."""
    query = query.replace("\x00", "").strip()  # PostgreSQL text can't hold NUL
    wanted = []
    if selected is not None:
        wanted.append(Q(pk=selected))
    if query:
        wanted.append(Q(user__in=User.objects.search(query).values("pk")))
    if not wanted:
        return []
    ordering: list[Any] = ["user__email", "pk"]
    if selected is not None:
        ordering.insert(0, Case(When(pk=selected, then=Value(0)), default=Value(1)))
    return list(
        Customer.objects.filter(reduce(operator.or_, wanted))
        .exclude(pk=customer.pk)
        .select_related("user")
        .order_by(*ordering)[:CANDIDATE_LIMIT]
    )


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
    memberships go. With it: those move to `reassign_to`, one event each on the
    receiving customer. Then the login records, the customer and, unless it is staff,
    the login account go. Deleting the account is what ends the customer's sessions on
    every host: each schema keeps its own sessions, and Django's auth middleware treats
    a session whose user row is gone as anonymous.
    """
    if reassign_to is not None and reassign_to.pk == customer.pk:
        raise ValidationError({"reassign_to": "A customer can't receive their own things."})
    customer, reassign_to = _lock(customer, reassign_to)
    user = customer.user
    label = f"{user.display_name} <{user.email}>"
    events_kept = Event.objects.filter(customer_ref=customer.pk).count()

    if reassign_to is None:
        counts = _delete_owned(customer=customer, actor=actor, ip=ip)
    else:
        counts = _reassign_owned(customer=customer, target=reassign_to, actor=actor, ip=ip)
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
    """Lock both rows (in id order, so two admins reassigning A→B and B→A can't deadlock)
    and reload them. Rows pointing at a locked customer can't be inserted meanwhile, so
    the counts below are exact."""
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
    domains = 0
    for site in sites:
        names = [domain.domain for domain in site.domains.all()]
        domains += len(names)
        event_record(
            type=Event.Type.SITE_DELETED,
            message=f"Site “{site.title}” deleted with its customer ({', '.join(names)})",
            customer=customer,
            subject=site,
            actor=actor,
            ip=ip,
            old={"domains": names, "schema": site.schema_name, "type": site.type},
        )
        # DROP SCHEMA ... CASCADE: transactional in PostgreSQL, undone with the rest.
        site.delete(force_drop=True)
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
    now = timezone.now()
    old = _customer_facts(customer)
    new = _customer_facts(target)
    from_label = f"from {customer.user.display_name} (deleted customer #{customer.pk})"

    memberships = list(Membership.objects.filter(customer=customer).only("pk").order_by("pk"))
    payments = list(Payment.objects.filter(customer=customer).only("pk").order_by("pk"))
    sites = list(Site.objects.filter(customer=customer).only("pk", "title").order_by("pk"))
    Membership.objects.filter(pk__in=[m.pk for m in memberships]).update(
        customer=target, updated_at=now
    )
    Payment.objects.filter(pk__in=[p.pk for p in payments]).update(customer=target, updated_at=now)
    Site.objects.filter(pk__in=[s.pk for s in sites]).update(customer=target, updated_at=now)

    moved: list[tuple[Event.Type, models.Model, str]] = [
        *((Event.Type.MEMBERSHIP_REASSIGNED, m, f"Membership {m.reference}") for m in memberships),
        *((Event.Type.PAYMENT_UPDATED, p, f"Payment {p.reference}") for p in payments),
        *((Event.Type.SITE_UPDATED, s, f"Site “{s.title}”") for s in sites),
    ]
    for type_, obj, name in moved:
        event_record(
            type=type_,
            message=f"{name} reassigned {from_label}",
            customer=target,
            subject=obj,
            actor=actor,
            ip=ip,
            old={"customer": old},
            new={"customer": new},
        )
    return {
        "memberships": len(memberships),
        "payments": len(payments),
        "sites": len(sites),
        "domains": Domain.objects.filter(tenant__in=[s.pk for s in sites]).count(),
    }


def _customer_facts(customer: Customer) -> dict[str, Any]:
    return {"id": customer.pk, "email": customer.user.email, "name": customer.user.display_name}

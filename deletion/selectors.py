"""What the Delete page shows before anything goes."""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from django.db import models
from django.db.models import Case, F, Func, OuterRef, Q, Subquery, Sum, Value, When
from django_tenants.utils import get_public_schema_name

from customers.models import Customer, EqualsAny, LoginRecord, Note, User
from events.models import Event
from memberships.models import Membership
from payments.models import Payment
from sites.models import Domain, Site

PREVIEW_SIZE = 5
CANDIDATE_LIMIT = 10


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
    counts = (
        _with_counts(Customer.objects.filter(pk=customer.pk))
        .values(*(f"{name}_count" for name in COUNTED))
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


BULK_COUNTS = (
    "memberships",
    "payments",
    "sites",
    "domains",
    "notes",
    "login_records",
    "events",
)


@dataclass(frozen=True)
class BulkDeletionSummary:
    """What deleting several customers touches: each customer with its counts, and the
    totals."""

    customers: list[Customer]
    totals: dict[str, int]

    @property
    def owning_main_site(self) -> list[Customer]:
        return [customer for customer in self.customers if customer.main_sites_count]

    @property
    def owning_main_site_names(self) -> str:
        """Their names in one line: the page says so in one translatable sentence."""
        return ", ".join(customer.user.display_name for customer in self.owning_main_site)


def bulk_deletion_summary(customer_ids: list[int]) -> BulkDeletionSummary:
    """One query whatever the selection: each customer with its counts as columns."""
    customers = list(
        _with_counts(Customer.objects.filter(pk__in=customer_ids))
        .select_related("user")
        .only("pk", "user__first_name", "user__last_name", "user__username", "user__email")
        .order_by("user__email", "pk")
    )
    totals = {
        name: sum(getattr(customer, f"{name}_count") for customer in customers)
        for name in BULK_COUNTS
    }
    return BulkDeletionSummary(customers=customers, totals=totals)


# What _with_counts counts: each is a column `<name>_count`.
COUNTED = (
    "memberships",
    "payments",
    "sites",
    "main_sites",
    "domains",
    "notes",
    "login_records",
    "events",
)


def _with_counts(customers: models.QuerySet) -> models.QuerySet:
    """Each customer with what deleting it touches, counted, as columns `<name>_count`."""
    outer = OuterRef("pk")
    return customers.annotate(
        memberships_count=_count(Membership.objects.filter(customer=outer)),
        payments_count=_count(Payment.objects.filter(customer=outer)),
        sites_count=_count(Site.objects.filter(customer=outer)),
        main_sites_count=_count(
            Site.objects.filter(customer=outer).filter(
                Q(type=Site.Type.MAIN) | Q(schema_name=get_public_schema_name())
            )
        ),
        domains_count=_count(Domain.objects.filter(tenant__customer=outer)),
        notes_count=_count(Note.objects.filter(customer=outer)),
        login_records_count=_count(LoginRecord.objects.filter(customer=outer)),
        events_count=_count(Event.objects.filter(customer_ref=outer)),
    )


BULK_PREVIEW_SIZE = 10
MAIN_SITE_OWNERS_SHOWN = 20


@dataclass(frozen=True)
class BulkDeletionTotals:
    """A selection of thousands: the totals, the first few customers, and those who own
    the network's main site (never deleted)."""

    totals: dict[str, int]
    preview: list[Customer]
    owning_main_site: list[Customer]

    @property
    def owning_main_site_names(self) -> str:
        return ", ".join(customer.user.display_name for customer in self.owning_main_site)


def bulk_deletion_totals(customer_ids: list[int]) -> BulkDeletionTotals:
    """Three queries whatever the selection (its ids travel as one array parameter): the
    totals, the preview, and the main site's owners among them."""
    selected = Customer.objects.filter(EqualsAny("pk", customer_ids))
    totals = _with_counts(selected).aggregate(
        **{name: Sum(f"{name}_count") for name in BULK_COUNTS}
    )
    main_sites = Site.objects.filter(
        Q(type=Site.Type.MAIN) | Q(schema_name=get_public_schema_name())
    )
    people = selected.select_related("user").order_by("user__email", "pk")
    return BulkDeletionTotals(
        totals={name: value or 0 for name, value in totals.items()},
        preview=list(people[:BULK_PREVIEW_SIZE]),
        owning_main_site=list(
            people.filter(pk__in=main_sites.values("customer_id"))[:MAIN_SITE_OWNERS_SHOWN]
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


def customer_tombstone(customer_pk: int) -> Event | None:
    """The event recorded when the customer was deleted, if they were."""
    return (
        Event.objects.filter(type=Event.Type.CUSTOMER_DELETED, customer_ref=customer_pk)
        .order_by("-created_at")
        .first()
    )

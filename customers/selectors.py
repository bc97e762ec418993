"""Reads for the customer detail page: one query per block, whatever the block's size."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.contrib.postgres.aggregates import ArrayAgg, StringAgg
from django.db.models import Count, F, Max, Min, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from customers.models import Customer, LoginRecord
from events.models import Event
from memberships.models import Membership, MembershipAddon
from network.paging import Page, page_fetch, page_number
from payments.models import Payment
from sites.models import Domain, Site

BLOCK_PAGE_SIZE = 5
RECENT_IPS = 8


def customer_for_detail_queryset():
    """The customer, its account, and the size of each block, in one row."""

    def count(model, field: str = "customer"):
        rows = (
            model.objects.filter(**{field: OuterRef("pk")})
            .order_by()
            .values(field)
            .annotate(n=Count("*"))
            .values("n")
        )
        return Coalesce(Subquery(rows), 0)

    return Customer.objects.select_related("user").annotate(
        membership_total=count(Membership),
        payment_total=count(Payment),
        site_total=count(Site),
        event_total=count(Event, "customer_ref"),
    )


@dataclass
class Gross:
    currency: str
    amount: Decimal


def customer_gross(customer: Customer) -> list[Gross]:
    """Total grossed: completed and partially-refunded payments minus what was refunded,
    per currency (never one number across currencies)."""
    rows = (
        Payment.objects.filter(customer=customer)
        .grossing()
        .values("currency")
        .annotate(amount=Sum(F("total") - F("refunded_total")))
        .order_by("currency")
    )
    return [Gross(currency=row["currency"], amount=row["amount"]) for row in rows]


def _block_page(
    rows, params: Mapping[str, str], param: str, total: int, size: int = BLOCK_PAGE_SIZE
) -> Page:
    """One page of a block; each block pages on its own query parameter."""
    return page_fetch(rows, number=page_number(params, param), size=size, param=param, total=total)


def customer_memberships_page(customer: Customer, params: Mapping[str, str]) -> Page:
    addon_names = (
        MembershipAddon.objects.filter(membership=OuterRef("pk"))
        .order_by()
        .values("membership")
        .annotate(names=StringAgg("product__name", ", ", order_by="product__name"))
        .values("names")
    )
    memberships = (
        Membership.objects.filter(customer=customer)
        .select_related("plan")
        .annotate(addon_names=Subquery(addon_names))
        .order_by("-created_at", "-id")
    )
    return _block_page(memberships, params, "memberships_page", customer.membership_total)


def customer_payments_page(customer: Customer, params: Mapping[str, str]) -> Page:
    payments = Payment.objects.filter(customer=customer).order_by("-created_at", "-id")
    return _block_page(payments, params, "payments_page", customer.payment_total)


def customer_sites_page(customer: Customer, params: Mapping[str, str]) -> Page:
    primary_domain = Domain.objects.filter(tenant=OuterRef("pk")).order_by("-is_primary", "id")
    sites = (
        Site.objects.filter(customer=customer)
        .annotate(domain=Subquery(primary_domain.values("domain")[:1]))
        .order_by("-created_at", "-id")
    )
    return _block_page(sites, params, "sites_page", customer.site_total)


def customer_events_page(customer: Customer, params: Mapping[str, str]) -> Page:
    events = Event.objects.filter(customer_ref=customer.pk).order_by("-created_at", "-id")
    return _block_page(
        events, params, "events_page", customer.event_total, size=BLOCK_PAGE_SIZE * 2
    )


@dataclass
class SeenIp:
    ip: str | None
    country_code: str
    first_seen: datetime
    last_seen: datetime
    logins: int


def customer_recent_ips(customer: Customer, limit: int = RECENT_IPS) -> list[SeenIp]:
    """Distinct IPs of the customer's logins, the latest first, with the country the
    latest login from each IP was placed in."""
    rows = (
        LoginRecord.objects.filter(customer=customer)
        .values("ip")
        .annotate(
            first_seen=Min("created_at"),
            last_seen=Max("created_at"),
            logins=Count("*"),
            countries=ArrayAgg("country_code", order_by="-created_at"),
        )
        .order_by("-last_seen")[:limit]
    )
    return [
        SeenIp(
            ip=row["ip"],
            country_code=(row["countries"] or [""])[0],
            first_seen=row["first_seen"],
            last_seen=row["last_seen"],
            logins=row["logins"],
        )
        for row in rows
    ]

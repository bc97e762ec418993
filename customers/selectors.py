"""Reads for the customer pages. The blocks about other apps' rows (memberships,
payments, sites) are read by those apps' own selectors, through their block tags."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Count, Max, Min, Sum
from django.utils import timezone

from customers.models import Customer, LoginRecord, Note
from network.paging import Page, page_fetch, page_number

RECENT_IPS = 8
NOTES_BLOCK_SIZE = 10


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


@dataclass(frozen=True)
class Failures:
    count: int
    last_at: datetime | None

    @property
    def locked(self) -> bool:
        return self.count >= settings.AXES_FAILURE_LIMIT

    @property
    def locked_until(self) -> datetime | None:
        if not self.locked or self.last_at is None:
            return None
        return self.last_at + settings.AXES_COOLOFF_TIME


def login_failures(*, key: str | None = None, ip: str | None = None) -> Failures:
    """Failed logins within the cool-off counted against an account's key or an IP, as
    axes counts them."""
    attempts = AccessAttempt.objects.filter(
        attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME
    )
    attempts = attempts.filter(username=key) if key is not None else attempts.filter(ip_address=ip)
    totals = attempts.aggregate(count=Sum("failures_since_start"), last_at=Max("attempt_time"))
    return Failures(count=totals["count"] or 0, last_at=totals["last_at"])


def customer_notes_page(customer: Customer, params) -> Page:
    """The Notes block: newest first, one query whatever the number of notes."""
    notes = Note.objects.filter(customer=customer).order_by("-created_at", "-id")
    number = page_number(params, "notes_page")
    return page_fetch(notes, number=number, size=NOTES_BLOCK_SIZE, param="notes_page")

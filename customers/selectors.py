"""Reads for the customer pages. The blocks about other apps' rows (memberships,
payments, sites) are read by those apps' own selectors, through their block tags."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Count, Max, Min

from customers.models import Customer, LoginRecord

RECENT_IPS = 8


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

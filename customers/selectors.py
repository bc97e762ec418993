"""Reads for the customer pages. The blocks about other apps' rows (memberships,
payments, sites) are read by those apps' own selectors, through their block tags."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Count, Max, Min, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from customers.models import Customer, LoginRecord, Note, Run, RunOutcome, RunQuerySet
from network.http import PkUrl
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


RUN_OUTCOMES_PAGE_SIZE = 50


def run_outcomes_page(run: Run, params) -> Page:
    """A run's per-customer results in the order they happened, or only the failures
    (`?show=failed`): one query, the total known from the run's own counts."""
    outcomes = RunOutcome.objects.filter(run=run).order_by("id")
    total = run.processed
    if params.get("show") == "failed":
        outcomes, total = outcomes.filter(result=RunOutcome.Result.FAILED), run.failed
    return page_fetch(
        outcomes, number=page_number(params), size=RUN_OUTCOMES_PAGE_SIZE, total=total
    )


def run_tabs() -> dict[str, RunQuerySet]:
    """The runs list's tabs, by their `?show=` value."""
    return {
        "all": Run.objects.all(),
        "unfinished": Run.objects.unfinished(),
        "failed": Run.objects.with_failures(),
    }


@dataclass(frozen=True, slots=True)
class CustomerRow:
    """One row of the customer list with every text and link in it worked out here, once:
    the template only places them. A tag, a filter, a translation or a number's
    localisation per cell, 25 to 100 rows a page, cost more than the page's queries."""

    id: str
    name: str
    email: str
    initials: str
    vip: bool
    has_notes: bool
    last_login: str  # HTML: Online, "3 hours ago" or "Never logged in"
    since: str  # HTML: the day, a <time>
    memberships: str
    memberships_label: str
    memberships_url: str
    detail_url: str
    switch_url: str  # "" when there is no active site to switch to
    select_label: str
    view_as_title: str


def customer_rows(customers: list[Customer]) -> list[CustomerRow]:
    """The list's rows for `customers` (read by `CustomerQuerySet.for_list`); the same
    message ids as the template had, so the catalogues' translations apply."""
    # Imported here: the tags and filters are the list's presentation, the same functions
    # the template used per cell.
    from customers.templatetags.customers_tags import last_login
    from network.templatetags.network_tags import calendar_day

    detail_url, switch_url = PkUrl("customers:detail"), PkUrl("switch:start")
    memberships_url = reverse("memberships:list")
    rows = []
    for customer in customers:
        pk, name, count = customer.pk, customer.user.display_name, customer.membership_count
        rows.append(
            CustomerRow(
                id=str(pk),
                name=name,
                email=customer.user.email,
                initials=customer.initials,
                vip=customer.vip,
                has_notes=customer.has_notes,
                last_login=last_login(customer),
                since=calendar_day(customer.created_at),
                memberships=str(count),
                memberships_label=ngettext(
                    "%(count)s membership of %(name)s", "%(count)s memberships of %(name)s", count
                )
                % {"count": count, "name": name},
                memberships_url=f"{memberships_url}?customer={pk}",
                detail_url=detail_url.for_pk(pk),
                switch_url=switch_url.for_pk(pk) if customer.has_switch_site else "",
                select_label=gettext("Select %(name)s") % {"name": name},
                view_as_title=gettext("View as %(name)s, read-only") % {"name": name},
            )
        )
    return rows

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma, naturaltime
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django_countries import countries

from customers import paging
from customers.models import Customer

register = template.Library()

VERIFICATION_BADGES = {
    Customer.EmailVerification.VERIFIED: "badge-green",
    Customer.EmailVerification.PENDING: "badge-amber",
    Customer.EmailVerification.NONE: "badge-gray",
}


@register.filter
def capped(count: int | None, cap: int | None = None) -> str:
    """A capped count (see customers.paging.capped_counts) as people read it."""
    if count is None:
        return "?"
    cap = paging.COUNT_CAP if cap is None else cap
    return f"{intcomma(cap)}+" if count > cap else intcomma(count)


class PkUrl:
    """A URL with a pk in it, reversed once: a list builds each row's link by putting
    the row's pk in (`{{ detail_url|with_pk:customer.pk }}`), not by a reverse() per row."""

    MARK = 987654321

    def __init__(self, viewname: str):
        self.head, self.tail = reverse(viewname, args=[self.MARK]).rsplit(str(self.MARK), 1)

    def for_pk(self, pk: int) -> str:
        return f"{self.head}{pk}{self.tail}"


@register.filter
def with_pk(url: PkUrl, pk: int) -> str:
    return url.for_pk(pk)


@register.simple_tag
def last_login(customer: Customer) -> str:
    if customer.is_online:
        return mark_safe('<span class="badge badge-green online-dot">Online</span>')
    if customer.last_login_at is None:
        return mark_safe('<span class="muted">Never logged in</span>')
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        customer.last_login_at.isoformat(),
        customer.last_login_at.strftime("%Y-%m-%d %H:%M %Z"),
        naturaltime(customer.last_login_at),
    )


@register.filter
def calendar_day(moment: datetime | None) -> str:
    """A `<time>` with the day of `moment` in the current time zone ("Nov 3, 2025"),
    converted once for both of its forms."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return format_html(
        '<time datetime="{}">{}</time>', local.isoformat(), dateformat.format(local, "M j, Y")
    )


@register.simple_tag
def verification_badge(value: str) -> str:
    choice = Customer.EmailVerification(value)
    label = "Email verified" if choice == choice.VERIFIED else f"Email {choice.label.lower()}"
    if choice == choice.NONE:
        label = "Email not verified"
    return format_html('<span class="badge {}">{}</span>', VERIFICATION_BADGES[choice], label)


@register.filter
def money(amount: Decimal | None, currency: str = "") -> str:
    if amount is None:
        return ""
    return f"{intcomma(f'{amount:.2f}')} {currency}".strip()


@register.filter
def country_name(code: str | None) -> str:
    return countries.name(code) if code else ""


@register.simple_tag(takes_context=True)
def page_url(context, page, number: int) -> str:
    """The current URL's query string with `page`'s own parameter set to `number`, so
    each block on a page keeps its own page and every other block's."""
    params = context["request"].GET.copy()
    if number <= 1:
        params.pop(page.param, None)
    else:
        params[page.param] = number
    return "?" + params.urlencode() if params else "?"


STATUS_BADGES = {
    "active": "badge-green",
    "completed": "badge-green",
    "trialing": "badge-blue",
    "partially-refunded": "badge-blue",
    "pending": "badge-amber",
    "on-hold": "badge-amber",
    "failed": "badge-red",
    "cancelled": "badge-red",
    "expired": "badge-gray",
    "refunded": "badge-gray",
}


@register.filter
def status_badge(status: str) -> str:
    return STATUS_BADGES.get(status, "badge-gray")


@register.simple_tag(takes_context=True)
def site_url(context, domain: str | None, path: str = "/") -> str:
    """A subsite's address as seen from this browser: same scheme, same port."""
    if not domain:
        return ""
    request = context["request"]
    port = request.get_port()
    default_port = "443" if request.is_secure() else "80"
    suffix = f":{port}" if port and port != default_port else ""
    return f"{request.scheme}://{domain}{suffix}{path}"

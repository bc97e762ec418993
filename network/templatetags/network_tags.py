"""The one set of template filters every page loads: money, moments, badges, paging,
links to other hosts and the breadcrumbs."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django import forms, template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import timezone
from django.utils.html import format_html
from django_countries import countries

from network import formatting, http, paging

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str = "") -> str:
    return formatting.money(amount, currency)


@register.filter
def badge(word: str) -> str:
    """The badge class of a status word: `<span class="badge {{ x.status|badge }}">`."""
    return f"badge-{formatting.badge_colour(word)}"


@register.filter
def capped(count: int | None, cap: int | None = None) -> str:
    """A capped count (see network.paging.capped_counts) as people read it."""
    if count is None:
        return "?"
    cap = paging.COUNT_CAP if cap is None else cap
    return f"{intcomma(cap)}+" if count > cap else intcomma(count)


@register.filter
def with_pk(url: http.PkUrl, pk: int) -> str:
    return url.for_pk(pk)


def _time(value: datetime, text: str, *, title: bool = True) -> str:
    local = timezone.localtime(value)
    if not title:
        return format_html('<time datetime="{}">{}</time>', local.isoformat(), text)
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        local.isoformat(),
        formatting.moment(value),
        text,
    )


@register.filter
def calendar_day(value: datetime | None) -> str:
    """A `<time>` with the day of `value` in the current time zone ("Nov 3, 2025"),
    the minute and the time zone in its title."""
    return "" if value is None else _time(value, formatting.day(value))


@register.filter
def moment(value: datetime | None) -> str:
    """A `<time>` with the day, minute and time zone ("Nov 3, 2025 14:05 UTC"), or "—"."""
    return "—" if value is None else _time(value, formatting.moment(value), title=False)


@register.filter
def ago(value: datetime | None) -> str:
    """A `<time>` saying how long ago `value` was ("3 hours ago"; "just now", never
    "0 minutes ago"), the moment itself in its title; or "—"."""
    if value is None:
        return "—"
    return _time(value, formatting.ago(value, timezone.now()))


@register.filter
def unicode_host(host: str | None) -> str:
    return formatting.unicode_host(host)


@register.filter
def country_name(code: str | None) -> str:
    return countries.name(code) if code else ""


@register.simple_tag(takes_context=True)
def page_url(context, page: paging.Page, number: int) -> str:
    """The current URL's query string with `page`'s own parameter set to `number`, so
    each block on a page keeps its own page and every other block's."""
    params = context["request"].GET.copy()
    if number <= 1:
        params.pop(page.param, None)
    else:
        params[page.param] = number
    return "?" + params.urlencode() if params else "?"


@register.simple_tag(takes_context=True)
def host_url(context, host: str | None, path: str = "/") -> str:
    """A subsite's (or the network's) address as seen from this browser."""
    return http.host_url(context["request"], host, path) if host else ""


@register.inclusion_tag("includes/_breadcrumbs.html")
def breadcrumbs(customer=None, current: str = "") -> dict:
    """Customers › the customer › the page: the trail every network page starts with."""
    return {"customer": customer, "current": current}


@register.inclusion_tag("includes/_error_summary.html", takes_context=True)
def error_summary(context) -> dict:
    """After a failed save, every error of every form on the page, at its top, each
    linking to its field (a form's `error_anchors` names other targets by field)."""
    seen: set[int] = set()
    errors: list[dict] = []
    for value in context.flatten().values():
        if not isinstance(value, forms.BaseForm) or id(value) in seen or not value.is_bound:
            continue
        seen.add(id(value))
        visible = value.visible_fields()
        first = _input_id(visible[0]) if visible else ""
        anchors = getattr(value, "error_anchors", {})
        for name, messages in value.errors.items():
            field = value[name] if name in value.fields else None
            if field is None or field.is_hidden:
                target, label = first, ""
            else:
                target, label = anchors.get(name) or _input_id(field), field.label
            errors += [{"target": target, "label": label, "message": m} for m in messages]
    return {"errors": errors}


def _input_id(field: forms.BoundField) -> str:
    """The id of the field's input (the first radio button of a group)."""
    return field.id_for_label or f"{field.auto_id}_0"

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext

from customers.models import SORT_COLUMNS, Customer
from network.formatting import badge_colour
from network.templatetags.network_tags import ago

register = template.Library()


@register.simple_tag
def last_login(customer: Customer) -> str:
    if customer.is_online:
        return format_html(
            '<span class="badge badge-green online-dot">{}</span>', gettext("Online")
        )
    if customer.last_login_at is None:
        return format_html('<span class="muted">{}</span>', gettext("Never logged in"))
    return ago(customer.last_login_at)


@register.simple_tag
def verification_badge(value: str) -> str:
    choice = Customer.EmailVerification(value)
    label = {
        choice.VERIFIED: gettext("Email verified"),
        choice.PENDING: gettext("Email pending"),
        choice.NONE: gettext("Email not verified"),
    }[choice]
    return format_html('<span class="badge badge-{}">{}</span>', badge_colour(choice), label)


@register.simple_tag(takes_context=True)
def sort_header(context, label: str, column: str, classes: str = "") -> str:
    """A sortable column header: a link that sorts by the column, and clicked again
    the other way; `aria-sort` and an arrow say how the list is sorted now."""
    request = context["request"]
    current = context["filters"].value("sort")
    (first, first_way), (second, second_way) = SORT_COLUMNS[column]
    way = {first: first_way, second: second_way}.get(current)
    params = request.GET.copy()
    params.pop("page", None)
    params["sort"] = second if current == first else first
    arrow = {"ascending": " ▲", "descending": " ▼"}.get(way, "")
    return format_html(
        '<th class="{}"{}><a class="sort-link" href="?{}">{}'
        '<span aria-hidden="true">{}</span></a></th>',
        classes,
        format_html(' aria-sort="{}"', way) if way else "",
        params.urlencode(),
        label,
        arrow,
    )

"""The memberships blocks of other apps' pages (the customer page), rendered here so
that the page's own app does not import this one."""

from __future__ import annotations

from django import template

from memberships import selectors
from network.http import PkUrl

register = template.Library()


@register.inclusion_tag("memberships/includes/_customer_memberships.html", takes_context=True)
def customer_memberships(context, customer) -> dict:
    request = context["request"]
    return {
        "request": request,
        "memberships": selectors.customer_memberships_page(customer, request.GET),
        "membership_url": PkUrl("memberships:detail"),
    }

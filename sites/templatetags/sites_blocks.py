"""The sites blocks of other apps' pages (the customer and membership pages), rendered
here so that those apps do not import this one."""

from __future__ import annotations

from django import template

from network.http import PkUrl
from sites import selectors

register = template.Library()


@register.inclusion_tag("sites/includes/_customer_sites.html", takes_context=True)
def customer_sites(context, customer) -> dict:
    request = context["request"]
    return {
        "request": request,
        "customer": customer,
        "sites": selectors.customer_sites_page(customer, request.GET),
        "site_detail_url": PkUrl("sites:detail"),
    }


@register.inclusion_tag("sites/includes/_membership_sites.html", takes_context=True)
def membership_sites(context, membership) -> dict:
    request = context["request"]
    return {
        "request": request,
        "sites": selectors.membership_sites_page(membership, request.GET),
    }

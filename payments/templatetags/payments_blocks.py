"""The payments blocks of other apps' pages (the customer and membership pages),
rendered here so that those apps do not import this one."""

from __future__ import annotations

from django import template

from network.http import PkUrl
from payments import selectors

register = template.Library()


@register.inclusion_tag("payments/includes/_customer_gross.html")
def customer_gross(customer) -> dict:
    return {"gross": selectors.customer_gross(customer)}


@register.inclusion_tag("payments/includes/_customer_payments.html", takes_context=True)
def customer_payments(context, customer) -> dict:
    request = context["request"]
    return {
        "request": request,
        "payments": selectors.customer_payments_page(customer, request.GET),
        "payment_url": PkUrl("payments:detail"),
    }


@register.inclusion_tag("payments/includes/_membership_payments.html", takes_context=True)
def membership_payments(context, membership) -> dict:
    request = context["request"]
    return {
        "request": request,
        "payments": selectors.membership_payments_page(membership, request.GET),
    }

from __future__ import annotations

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from customers.models import Customer
from network.formatting import badge_colour

register = template.Library()


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


@register.simple_tag
def verification_badge(value: str) -> str:
    choice = Customer.EmailVerification(value)
    label = {
        choice.VERIFIED: "Email verified",
        choice.PENDING: "Email pending",
        choice.NONE: "Email not verified",
    }[choice]
    return format_html('<span class="badge badge-{}">{}</span>', badge_colour(choice), label)

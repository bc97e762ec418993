from __future__ import annotations

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext, gettext_lazy

from events.models import Event
from network.formatting import badge_colour

register = template.Library()

SUBJECT_PAGES = {
    "customer": "customers:detail",
    "membership": "memberships:detail",
    "payment": "payments:detail",
    "site": "sites:detail",
}
# The label of the arrow that leads to SUBJECT_PAGES' page, one whole sentence each.
SUBJECT_LINKS = {
    "customer": gettext_lazy("Open the customer"),
    "membership": gettext_lazy("Open the membership"),
    "payment": gettext_lazy("Open the payment"),
    "site": gettext_lazy("Open the site"),
}


@register.filter
def subject_url(event: Event) -> str:
    """The page of the object the event is about, or "" when it has none. A deleted
    customer's events lead to what their deletion recorded (the tombstone page)."""
    if event.customer_id is None and event.customer_ref is not None:
        return tombstone_url(event)
    name = SUBJECT_PAGES.get(event.subject_type)
    if name is None or event.subject_id is None:
        return ""
    try:
        return reverse(name, args=[event.subject_id])
    except NoReverseMatch:
        return ""


@register.filter
def subject_link(event: Event) -> str:
    """What the arrow of subject_url leads to, for its label."""
    if event.customer_id is None and event.customer_ref is not None:
        return gettext("What was deleted")
    return str(SUBJECT_LINKS.get(event.subject_type, ""))


@register.filter
def tombstone_url(event: Event) -> str:
    return reverse("deletion:tombstone", args=[event.customer_ref])


@register.filter
def type_badge(event: Event) -> str:
    """Deletions in red; otherwise one colour per kind of event (customer, switch, ...)."""
    kind, _, action = event.type.partition(".")
    return f"badge-{badge_colour('deleted' if action == 'deleted' else kind)}"


@register.filter
def changes(event: Event) -> list[tuple[str, str, str]]:
    """(field, old, new) for each value the event records, as people read them."""
    old, new = event.old or {}, event.new or {}
    return [
        (name.replace("_", " "), _shown(old.get(name)), _shown(new.get(name)))
        for name in dict.fromkeys([*old, *new])
    ]


def _shown(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    return str(value)


@register.filter
def person_name(label: str) -> str:
    """ "Ada Lovelace <ada@example.com>" → "Ada Lovelace"."""
    return label.rsplit(" <", 1)[0] if label else ""

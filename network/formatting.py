"""How the product writes money, moments and statuses, on pages and in PDFs alike."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import idna
from django.utils import dateformat, timezone
from django.utils.timesince import timesince, timeuntil

# One way to write a moment everywhere: "Nov 3, 2025 14:05 UTC" in the current time
# zone; a day alone is "Nov 3, 2025".
MOMENT_FORMAT = "M j, Y H:i T"
DAY_FORMAT = "M j, Y"

# One colour per status word, whichever model the word belongs to (memberships,
# payments, refunds, email verification) and per kind of event.
BADGES = {
    "active": "green",
    "completed": "green",
    "succeeded": "green",
    "verified": "green",
    "trialing": "blue",
    "partially-refunded": "blue",
    "pending": "amber",
    "on-hold": "amber",
    "failed": "red",
    "cancelled": "red",
    "deleted": "red",
    "expired": "gray",
    "refunded": "gray",
    "none": "gray",
    # Kinds of events (the part of Event.type before the dot).
    "customer": "blue",
    "switch": "amber",
    "membership": "green",
    "payment": "green",
    "site": "gray",
}


def badge_colour(word: str) -> str:
    return BADGES.get(str(word), "gray")


def money(amount: Decimal | None, currency: str = "") -> str:
    """ "1,234.50 EUR": two decimals, thousands grouped, the currency after."""
    if amount is None:
        return ""
    return f"{amount:,.2f} {currency}".strip()


def ago(moment: datetime, now: datetime) -> str:
    """ "3 hours ago", "in 2 days"; "just now" within a minute either way, where
    Django's timesince would say "0 minutes"."""
    if abs(now - moment) < timedelta(minutes=1):
        return "just now"
    if moment > now:
        return f"in {timeuntil(moment, now, depth=1)}"
    return f"{timesince(moment, now, depth=1)} ago"


def moment(value: datetime) -> str:
    return dateformat.format(timezone.localtime(value), MOMENT_FORMAT)


def day(value: datetime) -> str:
    return dateformat.format(timezone.localtime(value), DAY_FORMAT)


def unicode_host(host: str | None) -> str:
    """A host name as people write it: "xn--bcher-kva.example" is "bücher.example"."""
    if not host or "xn--" not in host:
        return host or ""
    try:
        return idna.decode(host)
    except (idna.IDNAError, UnicodeError):
        return host

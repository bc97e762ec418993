"""How the product writes money, moments and statuses, on pages and in PDFs alike."""

from __future__ import annotations

from decimal import Decimal

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

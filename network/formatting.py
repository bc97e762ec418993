"""How the product writes money, moments and statuses, on pages and in PDFs alike."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

import idna
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from django.conf import settings
from django.utils import timezone, translation
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext

# One way to write a moment everywhere, in the active language's words and order, in the
# current time zone: "Nov 3, 2025 14:05 UTC" ("3 nov. 2025 14:05 UTC" in French); a day
# alone is "Nov 3, 2025" (CLDR's medium date). The clock is 24-hour in every language:
# an admin compares moments across rows.
DAY_FORMAT = "medium"

# English keeps the ISO code after the amount ("1,234.50 EUR"): the network's lists mix
# currencies, and "$" alone would not say whose dollars. The other languages write money
# as their readers do, by CLDR's pattern for the language ("1 234,50 €", "€ 1.234,50").
MONEY_PATTERNS = {"en": "#,##0.00 ¤¤"}

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


@lru_cache(maxsize=32)
def _locale(language: str) -> Locale:
    """Babel's Locale of a Django language code ("nb", "fr-ca"); parsed once per process,
    as `money` runs once per row of a list."""
    return Locale.parse(translation.to_locale(language))


def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def money(amount: Decimal | None, currency: str = "") -> str:
    """An amount in the active language: "1,234.50 EUR" in English, "1 234,50 €" in
    French (CLDR's narrow no-break space between the thousands), "€ 1.234,50" in Dutch.
    The currency's own number of decimals; grouped thousands."""
    if amount is None:
        return ""
    language = _language()
    locale = _locale(language)
    if not currency:
        return format_decimal(amount, format="#,##0.00", locale=locale)
    pattern = MONEY_PATTERNS.get(language.split("-")[0])
    return format_currency(amount, currency.upper(), format=pattern, locale=locale)


def ago(moment: datetime, now: datetime) -> str:
    """ "3 hours ago", "in 2 days"; "just now" within a minute either way, where
    Django's timesince would say "0 minutes"."""
    if abs(now - moment) < timedelta(minutes=1):
        return gettext("just now")
    if moment > now:
        return gettext("in %(time)s") % {"time": timeuntil(moment, now, depth=1)}
    return gettext("%(time)s ago") % {"time": timesince(moment, now, depth=1)}


def moment(value: datetime) -> str:
    local = timezone.localtime(value)
    # Hours, minutes and the zone's name by strftime: Django's dateformat ("H:i T") costs
    # ~15 µs a call, and a list shows two moments a row.
    return f"{_day(local)} {local:%H:%M} {local.tzname()}"


def day(value: datetime) -> str:
    return _day(timezone.localtime(value))


def _day(local: datetime) -> str:
    return _day_text(local.date(), _language())


@lru_cache(maxsize=4096)
def _day_text(day: date, language: str) -> str:
    """Babel's CLDR date costs about 0.1 ms, and a list row shows two or three days: each
    day's text is worked out once per process and language."""
    return format_date(day, DAY_FORMAT, locale=_locale(language))


def unicode_host(host: str | None) -> str:
    """A host name as people write it: "xn--bcher-kva.example" is "bücher.example"."""
    if not host or "xn--" not in host:
        return host or ""
    try:
        return idna.decode(host)
    except (idna.IDNAError, UnicodeError):
        return host

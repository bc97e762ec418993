"""Reads of payments for the pages that show them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Sum

from network.paging import Page, page_fetch, page_number
from payments.models import Payment

CUSTOMER_BLOCK_SIZE = 5
MEMBERSHIP_BLOCK_SIZE = 10


@dataclass
class Gross:
    currency: str
    amount: Decimal


def customer_gross(customer) -> list[Gross]:
    """Total grossed: completed and partially-refunded payments minus what was refunded,
    per currency (never one number across currencies)."""
    rows = (
        Payment.objects.filter(customer=customer)
        .grossing()
        .values("currency")
        .annotate(amount=Sum(F("total") - F("refunded_total")))
        .order_by("currency")
    )
    return [Gross(currency=row["currency"], amount=row["amount"]) for row in rows]


def customer_payments_page(customer, params: Mapping[str, str]) -> Page:
    """The Payments block of the customer page."""
    payments = Payment.objects.filter(customer=customer).order_by("-created_at", "-id")
    number = page_number(params, "payments_page")
    return page_fetch(
        payments, number=number, size=CUSTOMER_BLOCK_SIZE, param="payments_page", counted=True
    )


def membership_payments_page(membership, params: Mapping[str, str]) -> Page:
    """The Payments block of the membership page."""
    payments = Payment.objects.filter(membership=membership).order_by("-created_at", "-id")
    number = page_number(params, "payments_page")
    return page_fetch(
        payments, number=number, size=MEMBERSHIP_BLOCK_SIZE, param="payments_page", counted=True
    )

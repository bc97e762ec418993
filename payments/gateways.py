"""Talking to payment gateways. Each gateway refunds a Refund we have already recorded and
answers with the gateway's own id for it, or raises GatewayError with a message for people."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import stripe
from django.conf import settings

from memberships.models import Gateway
from payments.models import Refund

# Stripe amounts are integers in the currency's smallest unit; these have no minor unit.
ZERO_DECIMAL_CURRENCIES = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA"}
    | {"PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"}
)


class GatewayError(Exception):
    pass


def to_minor_units(amount: Decimal, currency: str) -> int:
    exponent = 0 if currency.upper() in ZERO_DECIMAL_CURRENCIES else 2
    return int((amount * 10**exponent).to_integral_exact())


def from_minor_units(amount: int, currency: str) -> Decimal:
    exponent = 0 if currency.upper() in ZERO_DECIMAL_CURRENCIES else 2
    return (Decimal(amount) / 10**exponent).quantize(Decimal("0.01"))


def stripe_client() -> stripe.StripeClient:
    if not settings.STRIPE_SECRET_KEY:
        raise GatewayError("Stripe is not configured (STRIPE_SECRET_KEY is empty).")
    base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    # Retries are safe: every write we make carries an idempotency key.
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY, base_addresses=base, max_network_retries=2
    )


def _refund_manually(refund: Refund) -> str:
    """The money goes back outside the product (bank transfer, cash); we only record it."""
    return ""


def _refund_with_stripe(refund: Refund) -> str:
    payment = refund.payment
    reference = payment.gateway_payment_id
    if not reference:
        raise GatewayError("This payment has no Stripe payment ID to refund.")
    target = {"payment_intent": reference} if reference.startswith("pi_") else {"charge": reference}
    try:
        result = stripe_client().v1.refunds.create(
            params={
                **target,
                "amount": to_minor_units(refund.amount, payment.currency),
                "metadata": {"network_refund": str(refund.key), "payment": payment.reference},
            },
            options={"idempotency_key": refund.idempotency_key},
        )
    except stripe.StripeError as error:
        raise GatewayError(f"Stripe refused the refund: {error.user_message or error}") from error
    if result.status in ("failed", "canceled"):
        raise GatewayError(f"Stripe refused the refund (status {result.status}).")
    return result.id


REFUNDERS: dict[str, Callable[[Refund], str]] = {
    Gateway.MANUAL: _refund_manually,
    Gateway.FREE: _refund_manually,
    Gateway.STRIPE: _refund_with_stripe,
}


def gateway_refund(refund: Refund) -> str:
    return REFUNDERS[refund.gateway](refund)

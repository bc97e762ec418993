"""Talking to payment gateways. Each gateway refunds a Refund we have already recorded and
answers with where that refund stands (GatewayRefund), or raises GatewayError with a
message for people when the gateway refused it outright."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings
from django.utils.translation import gettext as _

from memberships.models import Gateway
from payments.models import Refund

# Stripe amounts are integers in the currency's smallest unit; these have no minor unit.
ZERO_DECIMAL_CURRENCIES = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA"}
    | {"PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"}
)
# ...and these count in thousandths (Stripe wants the last digit 0, which our two
# decimal places always give).
THREE_DECIMAL_CURRENCIES = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})


class GatewayError(Exception):
    pass


@dataclass(frozen=True)
class GatewayRefund:
    """A refund as the gateway sees it: its id there and one of our Refund statuses."""

    id: str
    status: str
    failure_message: str = ""


def stripe_refund_state(stripe_refund: Any) -> GatewayRefund:
    """Stripe's refund statuses in our words. `pending` and `requires_action` are not
    settled yet, so they stay pending here and keep their amount held back; `failed` and
    `canceled` give the amount back, with Stripe's reason."""
    status = stripe_refund.status
    if status == "succeeded":
        return GatewayRefund(stripe_refund.id, Refund.Status.SUCCEEDED)
    if status in ("failed", "canceled"):
        reason = getattr(stripe_refund, "failure_reason", None)
        because = f" ({str(reason).replace('_', ' ')})" if reason else ""
        return GatewayRefund(
            stripe_refund.id, Refund.Status.FAILED, f"Stripe {status} the refund{because}."
        )
    return GatewayRefund(stripe_refund.id, Refund.Status.PENDING)


def minor_unit_exponent(currency: str) -> int:
    currency = currency.upper()
    if currency in ZERO_DECIMAL_CURRENCIES:
        return 0
    return 3 if currency in THREE_DECIMAL_CURRENCIES else 2


def has_minor_unit_precision(amount: Decimal, currency: str) -> bool:
    """Whether the gateway can move exactly this amount (no yen cents)."""
    step = Decimal(1).scaleb(-min(minor_unit_exponent(currency), 2))
    return amount == amount.quantize(step)


def to_minor_units(amount: Decimal, currency: str) -> int:
    if not has_minor_unit_precision(amount, currency):
        raise GatewayError(f"{amount} {currency} is finer than the currency's smallest unit.")
    return int(amount.scaleb(minor_unit_exponent(currency)).to_integral_exact())


def from_minor_units(amount: int, currency: str) -> Decimal:
    return Decimal(amount).scaleb(-minor_unit_exponent(currency)).quantize(Decimal("0.01"))


def stripe_client() -> stripe.StripeClient:
    if not settings.STRIPE_SECRET_KEY:
        raise GatewayError("Stripe is not configured (STRIPE_SECRET_KEY is empty).")
    base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    # Retries are safe: every write we make carries an idempotency key.
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY, base_addresses=base, max_network_retries=2
    )


def _refund_manually(refund: Refund) -> GatewayRefund:
    """The money goes back outside the product (bank transfer, cash); we only record it."""
    return GatewayRefund("", Refund.Status.SUCCEEDED)


def _refund_with_stripe(refund: Refund) -> GatewayRefund:
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
    return stripe_refund_state(result)


def stripe_refund_find(refund: Refund) -> Any | None:
    """Stripe's current refund for our record: by its id, or, when our write of that id
    never happened (a crash right after Stripe answered), by the key in its metadata."""
    client = stripe_client()
    if refund.gateway_refund_id:
        return client.v1.refunds.retrieve(refund.gateway_refund_id)
    reference = refund.payment.gateway_payment_id
    if not reference:
        return None
    target = {"payment_intent": reference} if reference.startswith("pi_") else {"charge": reference}
    for candidate in client.v1.refunds.list(params={**target, "limit": 100}).auto_paging_iter():
        metadata = candidate.metadata.to_dict() if candidate.metadata else {}
        if metadata.get("network_refund") == str(refund.key):
            return candidate
    return None


REFUNDERS: dict[str, Callable[[Refund], GatewayRefund]] = {
    Gateway.MANUAL: _refund_manually,
    Gateway.FREE: _refund_manually,
    Gateway.STRIPE: _refund_with_stripe,
}


def refund_unavailable(gateway: str) -> str:
    """Why refunds through `gateway` cannot work on this network, or "" when they can."""
    if gateway == Gateway.STRIPE and not settings.STRIPE_SECRET_KEY:
        return _(
            "Stripe is not configured on this network (STRIPE_SECRET_KEY is empty), so "
            "this payment cannot be refunded through Stripe from here. Refund it in the "
            "Stripe dashboard, or ask whoever runs the network to set the key."
        )
    return ""


def gateway_refund(refund: Refund) -> GatewayRefund:
    return REFUNDERS[refund.gateway](refund)

"""Stripe for the payment tests: the real Stripe SDK talking to a localstripe server that
the suite starts on loopback, and helpers to sign webhook payloads like Stripe does."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal

import pytest
import stripe

from memberships.models import Gateway
from payments.models import Payment
from tests.factories import PaymentFactory

STRIPE_KEY = "sk_test_network_localstripe"
WEBHOOK_SECRET = "whsec_network_test_secret"

# localstripe's own console script listens on every interface ("::") and loads/saves
# its state in /tmp/localstripe.pickle, shared by whoever else runs it. Serving its
# aiohttp app ourselves keeps it on 127.0.0.1 and in memory only.
LAUNCH = """
import sys
from aiohttp import web
from localstripe import resources, server
resources.store.dump_to_disk = lambda: None

# localstripe settles every refund at once; Stripe does not always (bank debits, some
# cards). Refunds of a charge whose metadata has `refunds_answer` start in that status,
# and a refund's status and failure_reason can be moved later, as Stripe moves them.
create_refund = resources.Refund.__init__
def create_refund_as_asked(self, *args, **kwargs):
    create_refund(self, *args, **kwargs)
    self.failure_reason = None
    answer = (resources.Charge._api_retrieve(self.charge).metadata or {}).get("refunds_answer")
    if answer:
        self.status = answer
resources.Refund.__init__ = create_refund_as_asked
web.run_app(server.app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def localstripe():
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-c", LAUNCH, str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 15
    while True:
        try:
            urllib.request.urlopen(f"{url}/js.stripe.com/v3/", timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"localstripe exited: {process.stderr.read().decode()[-2000:]}")
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("localstripe did not answer within 15 seconds")
            time.sleep(0.05)
    yield url
    process.kill()
    process.wait(timeout=10)


@pytest.fixture
def stripe_settings(settings, localstripe):
    settings.STRIPE_SECRET_KEY = STRIPE_KEY
    settings.STRIPE_API_BASE = localstripe
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    return settings


@pytest.fixture
def stripe_api(localstripe) -> stripe.StripeClient:
    """Stripe as seen from "the dashboard": the same server, outside our code."""
    return stripe.StripeClient(
        STRIPE_KEY, base_addresses={"api": localstripe}, max_network_retries=0
    )


@pytest.fixture
def stripe_charge(stripe_api):
    """Makes a real, succeeded charge in localstripe."""

    def charge(amount: int = 2900, currency: str = "usd", **params) -> stripe.Charge:
        card = stripe_api.v1.payment_methods.create(
            params={
                "type": "card",
                "card": {
                    "number": "4242424242424242",
                    "exp_month": 12,
                    "exp_year": 2034,
                    "cvc": "123",
                },
            }
        )
        return stripe_api.v1.charges.create(
            params={"amount": amount, "currency": currency, "source": card.id, **params}
        )

    return charge


@pytest.fixture
def stripe_payment(customer, stripe_charge):
    """A completed Stripe payment of 29.00 USD backed by a real localstripe charge. With
    refunds_answer="pending" (or "failed", "canceled"), Stripe answers that to its refunds."""

    def make(total: str = "29.00", refunds_answer: str = "", **kwargs) -> Payment:
        amount = Decimal(total)
        metadata = {"metadata": {"refunds_answer": refunds_answer}} if refunds_answer else {}
        charge = stripe_charge(int(amount * 100), **metadata)
        return PaymentFactory(
            customer=customer,
            gateway=Gateway.STRIPE,
            gateway_payment_id=charge.id,
            subtotal=amount,
            total=amount,
            **kwargs,
        )

    return make


def stripe_moves_refund(stripe_api, refund_id: str, status: str, failure_reason: str = ""):
    """Stripe settles a refund later (localstripe takes the new state as an update)."""
    params = {"status": status, **({"failure_reason": failure_reason} if failure_reason else {})}
    return stripe_api.v1.refunds.update(refund_id, params=params)


def sign(payload: str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """A Stripe-Signature header for the payload, computed as Stripe documents it."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(
        secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={digest}"


def stripe_event(event_type: str, obj: dict, event_id: str = "evt_test_1") -> str:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": event_type,
            "livemode": False,
            "created": int(time.time()),
            "api_version": "2024-06-20",
            "data": {"object": obj},
        }
    )

from __future__ import annotations

import time
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from stripe._http_client import RequestsClient

from events.models import Event
from memberships.models import Gateway
from payments.models import Payment, Refund, StripeEvent
from payments.services import payment_refund
from tests.conftest import host_client, network_url
from tests.factories import PaymentFactory
from tests.payments.conftest import sign, stripe_event

pytestmark = pytest.mark.usefixtures("stripe_settings")


def _deliver(payload: str, signature: str | None = None):
    return host_client().post(
        network_url("payments:stripe_webhook"),
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(payload) if signature is None else signature,
    )


def _refunded_in_the_dashboard(stripe_api, payment, amount: int):
    """A refund made in Stripe, not through the product; returns the charge as Stripe
    would put it in a charge.refunded event."""
    stripe_api.v1.refunds.create(params={"charge": payment.gateway_payment_id, "amount": amount})
    return stripe_api.v1.charges.retrieve(payment.gateway_payment_id).to_dict()


def test_the_endpoint_is_at_the_documented_address(network):
    assert network_url("payments:stripe_webhook") == "/payments/stripe/webhook/"


def test_a_refund_made_in_stripe_is_reconciled(stripe_payment, stripe_api):
    payment = stripe_payment("29.00")
    charge = _refunded_in_the_dashboard(stripe_api, payment, 900)

    response = _deliver(stripe_event("charge.refunded", charge))

    assert response.status_code == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PARTIALLY_REFUNDED
    assert payment.refunded_total == Decimal("9.00")
    refund = payment.refunds.get()
    assert refund.created_by is None
    assert refund.gateway_refund_id == charge["refunds"]["data"][0]["id"]
    event = Event.objects.get(type=Event.Type.PAYMENT_REFUNDED)
    assert event.actor is None
    assert "outside the product" in event.message


def test_a_refund_in_a_three_decimal_currency_is_reconciled_at_its_value(
    customer, stripe_api, stripe_charge
):
    """2500 at Stripe is 2.500 KWD, not 25.00 KWD (which would read as fully refunded)."""
    charge = stripe_charge(10000, currency="kwd")
    payment = PaymentFactory(
        customer=customer,
        gateway=Gateway.STRIPE,
        gateway_payment_id=charge.id,
        currency="KWD",
        total=Decimal("10.00"),
    )

    _deliver(stripe_event("charge.refunded", _refunded_in_the_dashboard(stripe_api, payment, 2500)))

    payment.refresh_from_db()
    assert payment.refunded_total == Decimal("2.50")
    assert payment.status == Payment.Status.PARTIALLY_REFUNDED


def test_a_redelivered_event_is_ignored(stripe_payment, stripe_api):
    payment = stripe_payment("29.00")
    payload = stripe_event("charge.refunded", _refunded_in_the_dashboard(stripe_api, payment, 900))

    assert _deliver(payload).content == b"ok"
    assert _deliver(payload).content == b"duplicate"

    payment.refresh_from_db()
    assert payment.refunded_total == Decimal("9.00")
    assert StripeEvent.objects.get().event_id == "evt_test_1"


def test_a_second_event_for_the_same_refund_counts_it_once(stripe_payment, stripe_api):
    payment = stripe_payment("29.00")
    charge = _refunded_in_the_dashboard(stripe_api, payment, 900)
    _deliver(stripe_event("charge.refunded", charge, event_id="evt_a"))
    charge = _refunded_in_the_dashboard(stripe_api, payment, 2000)
    _deliver(stripe_event("charge.refunded", charge, event_id="evt_b"))

    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    assert payment.refunded_total == Decimal("29.00")
    assert payment.refunds.count() == 2


def test_our_own_refund_is_not_counted_twice(stripe_payment, stripe_api):
    payment = stripe_payment("29.00")
    payment_refund(payment=payment, amount=Decimal("5.00"), key=uuid.uuid4())
    charge = stripe_api.v1.charges.retrieve(payment.gateway_payment_id).to_dict()

    _deliver(stripe_event("charge.refunded", charge))

    payment.refresh_from_db()
    assert payment.refunded_total == Decimal("5.00")
    assert payment.refunds.count() == 1


def test_a_refund_still_pending_here_is_completed_by_the_webhook(stripe_payment, stripe_api):
    """Our request asked Stripe but had not recorded the answer when the event came."""
    payment = stripe_payment("29.00")
    ours = Refund.objects.create(
        payment=payment, amount=Decimal("7.00"), gateway=Gateway.STRIPE, cancel_membership=True
    )
    stripe_api.v1.refunds.create(
        params={
            "charge": payment.gateway_payment_id,
            "amount": 700,
            "metadata": {"network_refund": str(ours.key)},
        }
    )
    charge = stripe_api.v1.charges.retrieve(payment.gateway_payment_id).to_dict()

    _deliver(stripe_event("charge.refunded", charge))

    ours.refresh_from_db()
    payment.refresh_from_db()
    assert ours.status == Refund.Status.SUCCEEDED
    assert payment.refunded_total == Decimal("7.00")
    assert payment.refunds.count() == 1
    assert payment.membership.status == "cancelled"


def test_refunds_missing_from_the_payload_are_fetched_from_stripe(stripe_payment, stripe_api):
    """Newer Stripe API versions leave `refunds` out of the charge object."""
    payment = stripe_payment("29.00")
    charge = _refunded_in_the_dashboard(stripe_api, payment, 1200)
    del charge["refunds"]

    _deliver(stripe_event("charge.refunded", charge))

    payment.refresh_from_db()
    assert payment.refunded_total == Decimal("12.00")


@pytest.mark.parametrize(
    ("event_type", "status"),
    [("charge.succeeded", Payment.Status.COMPLETED), ("charge.failed", Payment.Status.FAILED)],
)
def test_charges_settle_pending_payments(customer, event_type, status):
    payment = PaymentFactory(
        customer=customer,
        status=Payment.Status.PENDING,
        gateway=Gateway.STRIPE,
        gateway_payment_id="pi_123",
    )
    charge = {"id": "ch_456", "object": "charge", "payment_intent": "pi_123", "amount": 2900}

    _deliver(stripe_event(event_type, charge))

    payment.refresh_from_db()
    assert payment.status == status
    event = Event.objects.get(type=Event.Type.PAYMENT_STATUS)
    assert (event.old, event.new) == ({"status": "pending"}, {"status": status})


def test_a_settled_payment_is_not_reopened_by_a_late_event(customer):
    payment = PaymentFactory(customer=customer, gateway=Gateway.STRIPE, gateway_payment_id="ch_1")
    _deliver(stripe_event("charge.failed", {"id": "ch_1", "object": "charge"}))
    payment.refresh_from_db()
    assert payment.status == Payment.Status.COMPLETED


def test_unknown_event_types_are_accepted_and_recorded(network):
    response = _deliver(stripe_event("customer.created", {"id": "cus_1", "object": "customer"}))
    assert response.status_code == 200
    assert StripeEvent.objects.get().type == "customer.created"


def test_events_for_unknown_charges_change_nothing(network):
    charge = {"id": "ch_nobody", "object": "charge", "amount_refunded": 100}
    assert _deliver(stripe_event("charge.refunded", charge)).status_code == 200
    assert not Refund.objects.exists()


@pytest.mark.parametrize(
    "signed",
    [
        lambda payload: "",
        lambda payload: "t=1,v1=deadbeef",
        lambda payload: sign(payload, secret="whsec_someone_else"),
    ],
    ids=["missing", "garbage", "other-secret"],
)
def test_a_bad_signature_is_refused(network, signed):
    payload = stripe_event("charge.refunded", {"id": "ch_1", "object": "charge"})
    response = _deliver(payload, signature=signed(payload))
    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_a_tampered_body_is_refused(network):
    payload = stripe_event("charge.refunded", {"id": "ch_1", "object": "charge"})
    signature = sign(payload)
    tampered = payload.replace("ch_1", "ch_2")
    assert _deliver(tampered, signature=signature).status_code == 400


def test_an_old_signature_is_refused(network):
    payload = stripe_event("charge.refunded", {"id": "ch_1", "object": "charge"})
    response = _deliver(payload, signature=sign(payload, timestamp=int(time.time()) - 3600))
    assert response.status_code == 400


def test_without_a_configured_secret_nothing_is_accepted(network, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    payload = stripe_event("charge.refunded", {"id": "ch_1", "object": "charge"})
    assert _deliver(payload).status_code == 400
    assert not StripeEvent.objects.exists()


def test_only_post_is_allowed(network):
    assert host_client().get(network_url("payments:stripe_webhook")).status_code == 405


def test_a_malformed_body_is_refused(network):
    assert _deliver("not json").status_code == 400
    assert not StripeEvent.objects.exists()


def test_stripe_is_never_asked_while_a_transaction_is_open(stripe_payment, stripe_api, monkeypatch):
    """A slow Stripe must not hold a payment's row lock (or any transaction) open: the
    refunds are fetched before the webhook's transaction starts."""
    payment = stripe_payment("29.00")
    charge = _refunded_in_the_dashboard(stripe_api, payment, 1200)
    del charge["refunds"]
    outer = len(connection.atomic_blocks)  # the test's own transaction
    depths = []
    request = RequestsClient.request

    def spy(self, *args, **kwargs):
        depths.append(len(connection.atomic_blocks) - outer)
        return request(self, *args, **kwargs)

    monkeypatch.setattr(RequestsClient, "request", spy)

    _deliver(stripe_event("charge.refunded", charge))

    payment.refresh_from_db()
    assert payment.refunded_total == Decimal("12.00")
    assert depths == [0]

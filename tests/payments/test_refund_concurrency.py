"""Refunds racing each other on real, separate database connections. The first side keeps
its transaction open until PostgreSQL shows the second one waiting for its locks (or the
second has finished without waiting), so the overlap happens on every run."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from events.models import Event
from memberships.models import Gateway
from payments.gateways import GatewayRefund
from payments.models import Payment, Refund
from payments.services import payment_refund, refund_settle
from tests.conftest import host_client, network_url
from tests.factories import PaymentFactory
from tests.payments.conftest import sign, stripe_event


def _overlapping(first: Callable[[], object], second: Callable[[], object]) -> list:
    """Run first in a transaction, start second once first is inside it, and commit
    first only when second waits on first's locks or is done. Returns both outcomes (a
    raised exception stands for its outcome)."""
    second_ready, first_inside, second_done = (threading.Event() for _ in range(3))
    second_pid: list[int] = []
    outcomes: list = [None, None]

    def run_first() -> None:
        try:
            second_ready.wait()
            with transaction.atomic():
                outcomes[0] = first()
                first_inside.set()
                with connection.cursor() as cursor:
                    while not second_done.is_set():
                        cursor.execute("SELECT cardinality(pg_blocking_pids(%s))", second_pid)
                        if cursor.fetchone()[0]:
                            break
        except Exception as error:
            outcomes[0] = error
        finally:
            first_inside.set()
            connection.close()

    def run_second() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                second_pid.append(cursor.fetchone()[0])
            second_ready.set()
            first_inside.wait()
            outcomes[1] = second()
        except Exception as error:
            outcomes[1] = error
        finally:
            second_ready.set()
            second_done.set()
            connection.close()

    threads = [threading.Thread(target=run_second), threading.Thread(target=run_first)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_different_refunds_at_the_same_moment_are_serialised_by_the_row_lock(
    transactional_db, customer
):
    """Each alone fits; both together would refund 40.00 of 29.00."""
    payment = PaymentFactory(customer=customer, total=Decimal("29.00"))

    def refund() -> Refund:
        done, _ = payment_refund(
            payment=Payment.objects.get(pk=payment.pk), amount=Decimal("20.00"), key=uuid.uuid4()
        )
        return done

    first, second = _overlapping(refund, refund)

    assert isinstance(first, Refund) and first.status == Refund.Status.SUCCEEDED
    assert isinstance(second, ValidationError)
    assert second.message_dict == {"amount": ["At most 9.00 USD can be refunded."]}
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_total) == (
        Payment.Status.PARTIALLY_REFUNDED,
        Decimal("20.00"),
    )
    assert payment.refunds.count() == 1


@pytest.mark.usefixtures("stripe_settings")
@pytest.mark.parametrize("webhook_first", [False, True], ids=["request-first", "webhook-first"])
def test_a_refund_is_counted_once_when_the_webhook_and_the_request_race(
    transactional_db, stripe_payment, stripe_api, webhook_first
):
    payment = stripe_payment("29.00")
    ours = Refund.objects.create(
        payment=payment, amount=Decimal("7.00"), gateway=Gateway.STRIPE, created_by=None
    )
    made = stripe_api.v1.refunds.create(
        params={
            "charge": payment.gateway_payment_id,
            "amount": 700,
            "metadata": {"network_refund": str(ours.key)},
        }
    )
    payload = stripe_event("charge.refund.updated", made.to_dict())

    def request() -> Refund:
        settled, _ = refund_settle(
            refund=Refund.objects.get(pk=ours.pk),
            state=GatewayRefund(made.id, Refund.Status.SUCCEEDED),
        )
        return settled

    def webhook() -> int:
        return (
            host_client()
            .post(
                network_url("payments:stripe_webhook"),
                payload,
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=sign(payload),
            )
            .status_code
        )

    sides = (webhook, request) if webhook_first else (request, webhook)
    outcomes = _overlapping(*sides)

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_total) == (
        Payment.Status.PARTIALLY_REFUNDED,
        Decimal("7.00"),
    )
    assert Event.objects.filter(type=Event.Type.PAYMENT_REFUNDED).count() == 1
    ours.refresh_from_db()
    assert ours.status == Refund.Status.SUCCEEDED

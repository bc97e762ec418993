"""Payments' periodic job: procrastinate's periodic deferrer, in every worker, defers it
on schedule (once, however many workers run), so no cron is needed.
`manage.py reconcile_refunds` runs the same service by hand."""

from __future__ import annotations

from datetime import timedelta

from procrastinate.contrib.django import app

from payments.gateways import GatewayError
from payments.services import stripe_refunds_reconcile

PERIODIC_QUEUE = "periodic"
# A refund Stripe has no record of is failed once it is this old (the command's default).
REFUND_UNKNOWN_AFTER = timedelta(minutes=60)


@app.periodic(cron="*/15 * * * *", periodic_id="every-15-minutes")
@app.task(
    name="payments.refunds_reconcile",
    queue=PERIODIC_QUEUE,
    # A run still waiting (a slow Stripe, no free worker) is not queued a second time.
    queueing_lock="payments.refunds_reconcile",
)
def refunds_reconcile(timestamp: int) -> dict[str, int]:
    """Settle the Stripe refunds left pending. When Stripe could not be asked about some,
    the job fails (listed as failed in Django admin's Procrastinate jobs); the next run,
    15 minutes on, asks again."""
    outcomes = stripe_refunds_reconcile(unknown_after=REFUND_UNKNOWN_AFTER)
    if outcomes["errors"]:
        raise GatewayError(f"Stripe could not be asked about {outcomes['errors']} refund(s).")
    return dict(outcomes)

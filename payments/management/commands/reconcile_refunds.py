from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError, CommandParser

from payments.services import stripe_refunds_reconcile

OUTCOMES = ("succeeded", "failed", "still pending", "not at Stripe yet", "settled meanwhile")


class Command(BaseCommand):
    help = (
        "Ask Stripe where every pending Stripe refund stands and settle it: succeeded ones "
        "count on their payment once, failed or canceled ones give their amount back. The "
        "job queue's workers run it every 15 minutes (payments.tasks); this runs it now. Safe "
        "to run at any time, even twice at once. Exits non-zero when Stripe could not be asked."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--unknown-after-minutes",
            type=int,
            default=60,
            help="Fail a refund Stripe has no record of once it is this old (default 60): "
            "by then the request that made it has long given up.",
        )

    def handle(self, *args, unknown_after_minutes: int, **options) -> None:
        outcomes = stripe_refunds_reconcile(unknown_after=timedelta(minutes=unknown_after_minutes))
        checked = sum(outcomes.values())
        parts = ", ".join(f"{outcomes[name]} {name}" for name in OUTCOMES)
        self.stdout.write(f"Checked {checked} pending Stripe refunds: {parts}.")
        if outcomes["errors"]:
            raise CommandError(f"Stripe could not be asked about {outcomes['errors']} of them.")

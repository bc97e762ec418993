"""`manage.py switch_prune`: run from cron, every few minutes or hourly."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from switch.services import switch_prune


class Command(BaseCommand):
    help = (
        "Record the end of impersonated (Switch to) sessions that are over, and delete "
        "Switch to grants that are used or expired. Idempotent; safe to run from cron."
    )

    def handle(self, *args, **options) -> None:
        pruned = switch_prune()
        self.stdout.write(
            f"Ended {pruned.ended} Switch to session(s); deleted {pruned.deleted} grant(s)."
        )

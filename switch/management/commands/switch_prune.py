"""`manage.py switch_prune`: the job queue's workers run it every 5 minutes
(switch.tasks); this runs it now."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from switch.services import switch_prune


class Command(BaseCommand):
    help = (
        "Record the end of impersonated (Switch to) sessions that are over, and delete "
        "Switch to grants that are used or expired. Idempotent; the job queue runs it every "
        "5 minutes, and it is safe to run by hand at any time."
    )

    def handle(self, *args, **options) -> None:
        pruned = switch_prune()
        self.stdout.write(
            f"Ended {pruned.ended} Switch to session(s); deleted {pruned.deleted} grant(s)."
        )

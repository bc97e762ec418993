"""Switch to's periodic job: procrastinate's periodic deferrer, in every worker, defers it
on schedule (once, however many workers run), so no cron is needed.
`manage.py switch_prune` runs the same service by hand."""

from __future__ import annotations

from procrastinate.contrib.django import app

from switch.services import switch_prune

PERIODIC_QUEUE = "periodic"


@app.periodic(cron="*/5 * * * *", periodic_id="every-5-minutes")
@app.task(name="switch.prune", queue=PERIODIC_QUEUE, queueing_lock="switch.prune")
def switch_prune_periodic(timestamp: int) -> dict[str, int]:
    pruned = switch_prune()
    return {"ended": pruned.ended, "deleted": pruned.deleted}

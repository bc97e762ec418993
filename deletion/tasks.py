"""Deleting as a job on the queue (customers.models.Run): many customers at once, or one
who owns many sites (a run of one customer, all or nothing as in a request). The work is
in deletion.services; customers.tasks.run_work keeps the run's status, and the queue
retries a try that fails as a whole."""

from __future__ import annotations

from procrastinate import JobContext
from procrastinate.contrib.django import app

from customers.tasks import RUN_RETRY, RUNS_QUEUE, run_work


@app.task(
    name="deletion.customers_delete_run", queue=RUNS_QUEUE, pass_context=True, retry=RUN_RETRY
)
def customers_delete_run(context: JobContext, *, run_id: int) -> None:
    # deletion.services defers this module's jobs: imported here, not at the top.
    from deletion.services import customers_delete_work

    run_work(context, run_id=run_id, work=customers_delete_work)

"""Creating many sites as a job on the queue (customers.models.Run): Add many sites. The
work is in sites.services; customers.tasks.run_work keeps the run's status, and the queue
retries a try that fails as a whole."""

from __future__ import annotations

from procrastinate import JobContext
from procrastinate.contrib.django import app

from customers.tasks import RUN_RETRY, RUNS_QUEUE, run_work


@app.task(name="sites.sites_create_run", queue=RUNS_QUEUE, pass_context=True, retry=RUN_RETRY)
def sites_create_run(context: JobContext, *, run_id: int) -> None:
    # sites.services defers this module's jobs: imported here, not at the top.
    from sites.services import sites_create_work

    run_work(context, run_id=run_id, work=sites_create_work)

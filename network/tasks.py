"""The queue's own upkeep, periodic jobs in every worker: a job left `doing` by a worker
that died (its heartbeat stopped) is put back to be tried again, never lost; jobs that
succeeded long ago are deleted (failed ones stay, listed in Django admin). Imports no app
(the toolbox contract)."""

from __future__ import annotations

from procrastinate.contrib.django import app

PERIODIC_QUEUE = "periodic"
# A worker beats every 10 s; one silent this long is gone.
STALLED_AFTER_SECONDS = 120
SUCCEEDED_KEPT_HOURS = 14 * 24


@app.periodic(cron="*/5 * * * *", periodic_id="every-5-minutes")
@app.task(name="network.jobs_retry_stalled", queue=PERIODIC_QUEUE, queueing_lock="stalled")
async def jobs_retry_stalled(timestamp: int) -> int:
    stalled = await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_AFTER_SECONDS)
    for job in stalled:
        await app.job_manager.retry_job(job)
    return len(stalled)


@app.periodic(cron="30 3 * * *", periodic_id="daily")
@app.task(name="network.jobs_remove_old", queue=PERIODIC_QUEUE, queueing_lock="remove_old")
async def jobs_remove_old(timestamp: int) -> None:
    await app.job_manager.delete_old_jobs(nb_hours=SUCCEEDED_KEPT_HOURS)

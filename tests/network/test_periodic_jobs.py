"""The jobs that replace cron: procrastinate's periodic deferrer, in every worker, defers
them on schedule; a worker pass runs them like any other job (tests/mail.py)."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from procrastinate.contrib.django import app

from tests.mail import jobs, run_jobs

pytestmark = pytest.mark.usefixtures("email_queue")


def test_the_workers_schedule_what_cron_used_to_run():
    schedule = {periodic.task.name: periodic.cron for periodic in _registry().values()}
    assert schedule == {
        "payments.refunds_reconcile": "*/15 * * * *",
        "switch.prune": "*/5 * * * *",
        "network.jobs_retry_stalled": "*/5 * * * *",
        "network.jobs_remove_old": "30 3 * * *",
        "customers.runs_prune": "45 3 * * *",
    }


def _registry():
    return app.periodic_registry.periodic_tasks


def _defer(name: str) -> None:
    app.configure_task(name).defer(timestamp=0)


def test_the_prune_job_runs_and_succeeds(network):
    """What it prunes is tests/switch/test_prune.py's business: here, that it is a job."""
    _defer("switch.prune")
    run_jobs()
    assert [(job["task"], job["status"]) for job in jobs()] == [("switch.prune", "succeeded")]


def test_the_refunds_job_runs_and_succeeds_with_nothing_pending(network):
    _defer("payments.refunds_reconcile")
    run_jobs()
    assert [(job["task"], job["status"]) for job in jobs()] == [
        ("payments.refunds_reconcile", "succeeded")
    ]


def test_a_job_left_doing_by_a_dead_worker_is_tried_again(network):
    """A worker died mid-job (no worker holds it any more): the upkeep job puts it back,
    and the next worker pass runs it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO procrastinate_jobs (queue_name, task_name, args, status, attempts) "
            "VALUES ('periodic', 'switch.prune', %s, 'doing', 0) RETURNING id",
            [json.dumps({"timestamp": 0})],
        )
        (stalled_id,) = cursor.fetchone()
    _defer("network.jobs_retry_stalled")
    run_jobs()
    run_jobs()  # the job put back is due now
    statuses = {job["id"]: (job["task"], job["status"]) for job in jobs()}
    assert statuses[stalled_id] == ("switch.prune", "succeeded")


def test_jobs_that_succeeded_long_ago_are_deleted_and_failed_ones_kept(network):
    with connection.cursor() as cursor:
        for status in ("succeeded", "failed"):
            cursor.execute(
                "INSERT INTO procrastinate_jobs (queue_name, task_name, args, status) "
                "VALUES ('periodic', 'switch.prune', '{}', 'todo') RETURNING id"
            )
            (job_id,) = cursor.fetchone()
            cursor.execute(
                "UPDATE procrastinate_jobs SET status = %s WHERE id = %s", [status, job_id]
            )
            cursor.execute(  # a month ago
                "UPDATE procrastinate_events SET at = now() - interval '30 days' WHERE job_id = %s",
                [job_id],
            )
    _defer("network.jobs_remove_old")
    run_jobs()
    left = [(job["task"], job["status"]) for job in jobs()]
    assert ("switch.prune", "succeeded") not in left
    assert ("switch.prune", "failed") in left

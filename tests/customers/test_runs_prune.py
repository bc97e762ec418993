"""Finished runs go RUNS_KEPT_DAYS days after they finished, by a daily job; unfinished
runs stay however old they are."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from customers.models import Run, RunOutcome
from customers.services import runs_prune
from tests.mail import jobs, run_jobs


def make_run(status: Run.Status, finished_days_ago: int | None, created_days_ago: int = 400):
    now = timezone.now()
    return Run.objects.create(
        kind=Run.Kind.DELETE,
        customer_ids=[1],
        total=1,
        status=status,
        created_at=now - timedelta(days=created_days_ago),
        finished_at=None if finished_days_ago is None else now - timedelta(days=finished_days_ago),
    )


@pytest.mark.django_db
def test_finished_runs_past_their_days_go_with_their_outcomes(settings):
    settings.RUNS_KEPT_DAYS = 90
    old_done = make_run(Run.Status.DONE, 91)
    old_failed = make_run(Run.Status.FAILED, 120)
    RunOutcome.objects.create(run=old_done, customer_ref=1, label="Ada", result="done")
    recent = make_run(Run.Status.DONE, 89)
    stuck = make_run(Run.Status.RUNNING, None)
    waiting = make_run(Run.Status.QUEUED, None)
    retrying = make_run(Run.Status.RETRYING, None)

    assert runs_prune() == 2

    assert set(Run.objects.values_list("pk", flat=True)) == {
        recent.pk,
        stuck.pk,
        waiting.pk,
        retrying.pk,
    }
    assert not RunOutcome.objects.filter(run_id__in=[old_done.pk, old_failed.pk]).exists()


@pytest.mark.django_db
def test_the_days_are_a_setting(settings):
    run = make_run(Run.Status.DONE, 10)
    settings.RUNS_KEPT_DAYS = 11
    assert runs_prune() == 0
    settings.RUNS_KEPT_DAYS = 9
    assert runs_prune() == 1
    assert not Run.objects.filter(pk=run.pk).exists()


@pytest.mark.usefixtures("email_queue")
def test_it_is_a_daily_job_of_the_workers(network):
    make_run(Run.Status.DONE, 365)
    from procrastinate.contrib.django import app

    app.configure_task("customers.runs_prune").defer(timestamp=0)
    run_jobs()
    assert [(job["task"], job["status"]) for job in jobs()] == [
        ("customers.runs_prune", "succeeded")
    ]
    assert not Run.objects.exists()

"""Bulk VIP above BULK_SYNC_LIMIT runs as a job on the queue, and a run's page shows how
far it got; the worker runs for real against the committed database (tests/mail.py)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import Customer, Run, RunOutcome
from events.models import Event
from tests.conftest import network_url
from tests.customers.test_customer_list import make_customer
from tests.mail import jobs, run_jobs

VIP = network_url("customers:bulk_vip")


def run_url(run: Run) -> str:
    return network_url("customers:run", run.pk)


def make_run(super_admin, **fields) -> Run:
    defaults = {"kind": Run.Kind.DELETE, "customer_ids": [1, 2, 3], "total": 3}
    return Run.objects.create(
        actor=super_admin, actor_label="Root <root@network.localhost>", **(defaults | fields)
    )


def test_it_rejects_outsiders(outsider_client, staff_client, anonymous_client, super_admin):
    run = make_run(super_admin)
    assert outsider_client.get(run_url(run)).status_code == 403
    assert staff_client.get(run_url(run)).status_code == 403
    assert anonymous_client.get(run_url(run)).status_code == 302


def test_an_unknown_run_is_not_found(admin_client):
    assert admin_client.get(network_url("customers:run", 999999)).status_code == 404


def test_a_waiting_run_says_so_and_follows_itself(admin_client, super_admin):
    run = make_run(super_admin)
    html = admin_client.get(run_url(run)).content.decode()
    assert "<h1>Delete 3 customers</h1>" in html
    assert 'data-run-status="queued"' in html
    assert "not yet: waiting for a worker" in html
    # Without JavaScript the page reloads itself; with it, app.js swaps #run in place.
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in html
    assert 'id="run" data-refresh="2"' in html


def test_a_finished_run_stops_following_and_lists_failures_apart(admin_client, super_admin):
    run = make_run(super_admin, status=Run.Status.DONE, done=2, failed=1)
    RunOutcome.objects.create(run=run, customer_ref=1, label="Ada", result="done", detail="ok")
    RunOutcome.objects.create(
        run=run, customer_ref=2, label="Bob", result="failed", detail="Not deleted: boom"
    )
    RunOutcome.objects.create(run=run, customer_ref=3, label="Cleo", result="done", detail="ok")
    html = admin_client.get(run_url(run)).content.decode()
    assert "http-equiv" not in html and "data-refresh" not in html
    assert "3 of 3 done (100%)" in html
    assert "Ada" in html and "Bob" in html and "Cleo" in html
    failed = admin_client.get(run_url(run) + "?show=failed").content.decode()
    assert "Not deleted: boom" in failed
    assert "Ada" not in failed and "Cleo" not in failed


def test_the_page_makes_the_same_queries_for_3_or_300_outcomes(admin_client, super_admin):
    """The outcomes are one page of one query; the total comes from the run's counters,
    not from counting its outcomes."""

    def queries(run: Run) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(run_url(run)).status_code == 200
        return len(captured)

    small = make_run(super_admin, status=Run.Status.DONE, done=3)
    RunOutcome.objects.bulk_create(
        RunOutcome(run=small, customer_ref=i, label=f"#{i}", result="done") for i in range(3)
    )
    big = make_run(super_admin, status=Run.Status.DONE, done=300, total=300)
    RunOutcome.objects.bulk_create(
        RunOutcome(run=big, customer_ref=i, label=f"#{i}", result="done") for i in range(300)
    )
    # The session, the user and the middleware's own (at most 5), the run, and its page of
    # outcomes.
    assert queries(small) == queries(big) <= 7


@pytest.mark.usefixtures("email_queue")
def test_tagging_more_than_the_limit_runs_as_a_job_with_one_event_each(admin_client, settings):
    settings.BULK_SYNC_LIMIT = 5
    pending = [make_customer("Pending", f"P{i}", email_verification="pending") for i in range(7)]
    pending[0].vip = True
    pending[0].save(update_fields=["vip"])
    make_customer("Verified", "V", email_verification="verified")

    response = admin_client.post(
        VIP, {"all_matching": "on", "verification": "pending", "vip_action": "tag"}
    )
    run = Run.objects.get()
    assert response.status_code == 302
    assert response["Location"] == run_url(run)
    assert (run.kind, run.total, run.status) == (Run.Kind.VIP_TAG, 7, Run.Status.QUEUED)
    assert run.customer_ids == sorted(c.pk for c in pending)
    assert [job["task"] for job in jobs()] == ["customers.vip_run"]
    assert Customer.objects.filter(vip=True).count() == 1  # nothing yet: the job does it

    run_jobs()

    run.refresh_from_db()
    assert (run.status, run.done, run.skipped, run.failed) == (Run.Status.DONE, 6, 1, 0)
    assert run.started_at and run.finished_at
    assert Customer.objects.filter(vip=True).count() == 7
    changed = Event.objects.filter(type=Event.Type.VIP_CHANGED)
    assert sorted(changed.values_list("customer_ref", flat=True)) == sorted(
        c.pk for c in pending[1:]
    )
    assert {event.actor for event in changed} == {run.actor}  # who started the run
    html = admin_client.get(run_url(run)).content.decode()
    assert "<h1>Tag 7 customers as VIP</h1>" in html
    assert 'data-run-status="done"' in html


@pytest.mark.usefixtures("email_queue")
def test_a_selection_within_the_limit_is_still_done_in_the_request(admin_client, settings):
    settings.BULK_SYNC_LIMIT = 5
    for i in range(5):
        make_customer("Few", f"F{i}")
    response = admin_client.post(VIP, {"all_matching": "on", "vip_action": "tag"})
    assert response["Location"] == network_url("customers:list")
    assert Customer.objects.filter(vip=True).count() == 5
    assert not Run.objects.exists() and not jobs()


def test_exporting_more_than_the_limit_is_refused(admin_client, settings):
    settings.BULK_SYNC_LIMIT = 2
    for i in range(3):
        make_customer("Many", f"M{i}")
    response = admin_client.post(network_url("customers:bulk_export"), {"all_matching": "on"})
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("An export takes at most 2 selected customers" in m for m in messages)
    assert not Event.objects.filter(type=Event.Type.CUSTOMER_EXPORTED).exists()

"""Deleting "all N that match" above BULK_SYNC_LIMIT: confirmed with the number typed, then
deleted by a job on the queue, each customer by the single delete in its own
transaction. The worker runs for real against the committed database (tests/mail.py)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_exists

from customers.models import Customer, Run, RunOutcome
from customers.tasks import RUN_RETRIES
from events.models import Event
from sites.models import Site
from tests.conftest import network_url
from tests.factories import CustomerFactory
from tests.mail import jobs, make_retry_due, run_jobs

CONFIRM = network_url("deletion:bulk_confirm")
DELETE = network_url("deletion:bulk_delete")
PENDING = {"all_matching": "on", "verification": "pending"}


@pytest.fixture(autouse=True)
def _small_limit(settings):
    """Five is "thousands" here: more than five customers go to a job."""
    settings.BULK_SYNC_LIMIT = 5


def make(n: int, prefix: str = "bulk", **kwargs) -> list[Customer]:
    return [
        CustomerFactory(
            user__first_name=f"{prefix}{i}",
            user__email=f"{prefix}{i}@example.com",
            email_verification="pending",
            **kwargs,
        )
        for i in range(n)
    ]


def confirm(client, data=PENDING):
    response = client.post(CONFIRM, data)
    assert response.status_code == 200
    return response


def delete(client, typed: str, **extra):
    digest = confirm(client).context["selection"].digest
    return client.post(DELETE, {**PENDING, "digest": digest, "confirm_count": typed, **extra})


def test_it_rejects_outsiders(outsider_client, staff_client, super_admin):
    make(7)
    for client in (outsider_client, staff_client):
        assert client.post(CONFIRM, PENDING).status_code == 403
        assert client.post(DELETE, {**PENDING, "confirm_count": "7"}).status_code == 403
    assert Customer.objects.count() == 7
    assert not Run.objects.exists()


def test_the_confirmation_shows_totals_and_the_first_few_and_carries_the_filters(
    admin_client, give
):
    customers = make(7)
    give(customers[0], n=2, slug="ada")
    CustomerFactory(email_verification="verified")
    html = confirm(admin_client).content.decode()
    assert "<h1>Delete 7 customers</h1>" in html
    assert "a job on the queue deletes them" in html
    assert "<dt>Sites</dt><dd><strong>2</strong>" in html
    assert "<dt>Memberships</dt><dd><strong>2</strong>" in html
    assert "bulk0@example.com" in html
    # The filters travel, with the digest of exactly these customers; never every id.
    assert 'name="all_matching" value="on"' in html
    assert 'name="verification" value="pending"' in html
    assert 'name="digest"' in html
    assert 'name="ids"' not in html


def test_the_confirmation_makes_the_same_queries_for_7_or_40_customers(admin_client):
    """The totals are one aggregate over the selection (its ids one array parameter), not
    a query per customer."""

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            confirm(admin_client)
        return len(captured)

    make(7)
    few = queries()
    make(33, prefix="more")
    assert queries() == few


def test_a_wrong_number_deletes_nothing_and_says_what_to_type(admin_client):
    make(7)
    for typed in ("", "6", "seven"):
        response = delete(admin_client, typed)
        assert response.status_code == 400
        assert "Type 7, the number of customers listed" in response.content.decode() or not typed
    assert Customer.objects.count() == 7
    assert not Run.objects.exists()


def test_customers_that_changed_since_the_page_are_shown_again_not_deleted(admin_client):
    make(7)
    digest = confirm(admin_client).context["selection"].digest
    make(1, prefix="late")  # matches the filters too, after the page was shown
    response = admin_client.post(DELETE, {**PENDING, "digest": digest, "confirm_count": "7"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "changed since this page was shown" in html
    assert "<h1>Delete 8 customers</h1>" in html
    assert Customer.objects.count() == 8
    assert not Run.objects.exists()


@pytest.mark.usefixtures("email_queue", "committed")
def test_the_job_deletes_each_and_one_failure_stops_nothing_else(
    admin_client, give, refuse_deleting_customer
):
    customers = make(7)
    with_sites, refused, main_owner = customers[1], customers[3], customers[5]
    give(with_sites, n=2, slug="bulk")
    give(refused, slug="kept")
    Site.objects.filter(customer=main_owner).delete()
    give(main_owner, slug="main")
    Site.objects.filter(customer=main_owner).update(type=Site.Type.MAIN)  # never deleted
    refuse_deleting_customer(refused)

    response = delete(admin_client, "7")
    run = Run.objects.get()
    assert response.status_code == 302
    assert response["Location"] == network_url("customers:run", run.pk)
    assert (run.kind, run.total, run.status) == (Run.Kind.DELETE, 7, Run.Status.QUEUED)
    assert [job["task"] for job in jobs()] == ["deletion.customers_delete_run"]
    assert Customer.objects.count() == 7  # the job deletes, not the request

    run_jobs()

    run.refresh_from_db()
    assert (run.status, run.done, run.skipped, run.failed) == (Run.Status.DONE, 5, 0, 2)
    assert sorted(Customer.objects.values_list("pk", flat=True)) == [refused.pk, main_owner.pk]
    assert not schema_exists("bulk0") and not schema_exists("bulk1")
    # The refused customer lost nothing: its deletion was one transaction.
    assert schema_exists("kept") and Site.objects.filter(customer=refused).count() == 1
    tombstones = Event.objects.filter(type=Event.Type.CUSTOMER_DELETED)
    assert sorted(tombstones.values_list("customer_ref", flat=True)) == sorted(
        c.pk for c in customers if c not in (refused, main_owner)
    )
    assert set(tombstones.values_list("actor", flat=True)) == {run.actor_id}
    outcomes = {o.customer_ref: o for o in RunOutcome.objects.filter(run=run)}
    assert len(outcomes) == 7
    assert "2 sites deleted with them" in outcomes[with_sites.pk].detail
    assert outcomes[refused.pk].result == RunOutcome.Result.FAILED
    assert "an unexpected error" in outcomes[refused.pk].detail
    assert "main site" in outcomes[main_owner.pk].detail

    page = admin_client.get(network_url("customers:run", run.pk) + "?show=failed")
    html = page.content.decode()
    assert 'data-run-status="done"' in html
    assert "bulk3@example.com" in html and "bulk5@example.com" in html
    assert "bulk0@example.com" not in html


@pytest.fixture
def refuse_recording_outcome(db_refuses):
    """The run's own bookkeeping fails for one customer: the job fails as a whole."""

    def refuse(customer: Customer):
        return db_refuses(
            "customers_runoutcome",
            event="INSERT",
            when=f"NEW.customer_ref = {int(customer.pk)}",
            message="'forced failure recording an outcome'",
        )

    return refuse


@pytest.mark.usefixtures("email_queue", "committed")
def test_a_job_that_fails_is_shown_retried_and_resumes_where_it_stopped(
    admin_client, refuse_recording_outcome
):
    customers = make(7)
    allow = refuse_recording_outcome(customers[2])
    delete(admin_client, "7")
    run = Run.objects.get()

    run_jobs()  # the job fails: the worker records it, and the queue schedules a retry

    run.refresh_from_db()
    assert (run.status, run.done) == (Run.Status.RETRYING, 2)
    assert "forced failure recording an outcome" in run.error
    # The third customer's deletion went back with its outcome: it is still there.
    assert Customer.objects.count() == 5
    assert [job["status"] for job in jobs()] == ["todo"]  # waiting for its retry
    html = admin_client.get(network_url("customers:run", run.pk)).content.decode()
    assert "it will try again and go on where it stopped" in html

    allow()
    make_retry_due()
    run_jobs()

    run.refresh_from_db()
    assert (run.status, run.done, run.failed) == (Run.Status.DONE, 7, 0)
    assert not Customer.objects.exists()
    assert RunOutcome.objects.filter(run=run).count() == 7
    assert Event.objects.filter(type=Event.Type.CUSTOMER_DELETED).count() == 7


@pytest.mark.usefixtures("email_queue", "committed")
def test_a_job_that_fails_its_last_try_is_shown_failed(admin_client, refuse_recording_outcome):
    customers = make(6)
    refuse_recording_outcome(customers[0])
    delete(admin_client, "6")
    run = Run.objects.get()
    with connection.cursor() as cursor:  # as if every earlier try had failed already
        cursor.execute("UPDATE procrastinate_jobs SET attempts = %s", [RUN_RETRIES])

    run_jobs()

    run.refresh_from_db()
    assert run.status == Run.Status.FAILED and run.finished_at is not None
    assert [job["status"] for job in jobs()] == ["failed"]
    html = admin_client.get(network_url("customers:run", run.pk)).content.decode()
    assert "The job failed and was given up" in html
    assert "data-refresh" not in html


@pytest.mark.usefixtures("email_queue", "committed")
def test_the_outcomes_are_written_in_the_language_of_the_admin_who_started_it(
    admin_client, super_admin, give
):
    super_admin.language = "fr"
    super_admin.save(update_fields=["language"])
    customers = make(6)
    give(customers[0], n=2, slug="fr")

    delete(admin_client, "6")
    run_jobs()
    assert Run.objects.get().status == Run.Status.DONE

    outcome = RunOutcome.objects.get(customer_ref=customers[0].pk)
    assert "supprimés avec lui" in outcome.detail
    # The events stay in English, whoever reads them later.
    tombstone = Event.objects.get(type=Event.Type.CUSTOMER_DELETED, customer_ref=customers[0].pk)
    assert tombstone.message.startswith("Customer ")

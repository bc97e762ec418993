"""Deleting everything of a customer who owns more than DELETE_JOB_SITES sites: a job
does it off the request (the same customer_delete, all or nothing), and its page says
how it went, with the way to the tombstone."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_exists

from customers.models import Customer, Run, RunOutcome
from events.models import Event
from sites.models import Site
from tests.conftest import network_url
from tests.mail import jobs, run_jobs


@pytest.fixture(autouse=True)
def _small_threshold(settings):
    settings.DELETE_JOB_SITES = 2


def url(customer: Customer) -> str:
    return network_url("deletion:confirm", customer.pk)


def post_delete(client, customer: Customer, **data):
    data = {"option": "delete", "confirm_email": customer.user.email, **data}
    return client.post(url(customer), data)


def test_the_confirmation_says_it_will_run_as_a_job(admin_client, customer, give):
    give(customer, n=3)
    html = admin_client.get(url(customer)).content.decode()
    assert "With 3 sites, this runs as a job on the queue" in html


@pytest.mark.usefixtures("email_queue", "committed")
def test_a_customer_with_many_sites_is_deleted_by_a_job(admin_client, customer, give):
    give(customer, n=3)
    response = post_delete(admin_client, customer)
    run = Run.objects.get()
    assert response.status_code == 302
    assert response["Location"] == network_url("customers:run", run.pk)
    assert (run.kind, run.customer_ids, run.label) == (
        Run.Kind.DELETE_ONE,
        [customer.pk],
        "Ada Lovelace <ada@example.com>",
    )
    assert Customer.objects.filter(pk=customer.pk).exists()  # the job deletes, later
    html = admin_client.get(response["Location"]).content.decode()
    assert "<h1>Delete Ada Lovelace &lt;ada@example.com&gt;</h1>" in html
    assert "data-refresh" in html
    # A second submit (the back button) finds the run under way instead of a second one.
    assert post_delete(admin_client, customer)["Location"] == response["Location"]
    assert len(jobs()) == 1

    run_jobs()

    run.refresh_from_db()
    assert (run.status, run.done, run.failed) == (Run.Status.DONE, 1, 0)
    assert not Customer.objects.filter(pk=customer.pk).exists()
    assert not Site.objects.filter(customer_id=customer.pk).exists()
    assert not any(schema_exists(f"acme{i}") for i in range(3))
    assert Event.objects.filter(type=Event.Type.CUSTOMER_DELETED).count() == 1
    outcome = RunOutcome.objects.get(run=run)
    assert "3 sites deleted with them" in outcome.detail
    html = admin_client.get(response["Location"]).content.decode()
    assert 'data-run-status="done"' in html
    assert network_url("deletion:tombstone", customer.pk) in html  # what was deleted


def test_a_customer_with_few_sites_is_still_deleted_in_the_request(admin_client, customer, give):
    give(customer, n=2)
    response = post_delete(admin_client, customer)
    assert response["Location"] == network_url("customers:list")
    assert not Customer.objects.filter(pk=customer.pk).exists()
    assert not Run.objects.exists()


def test_reassigning_many_sites_stays_in_the_request(admin_client, customer, bob, give):
    """Reassigning moves rows and drops no schema: quick whatever the number of sites."""
    give(customer, n=3)
    response = post_delete(admin_client, customer, option="reassign", reassign_to=bob.pk, q="bob")
    assert response["Location"] == network_url("customers:list")
    assert Site.objects.filter(customer=bob).count() == 3
    assert not Run.objects.exists()


def test_a_wrong_email_starts_no_job(admin_client, customer, give):
    give(customer, n=3)
    response = post_delete(admin_client, customer, confirm_email="nope@example.com")
    assert response.status_code == 200
    assert not Run.objects.exists()

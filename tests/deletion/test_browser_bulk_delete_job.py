"""In Chromium: "all N that match" above BULK_SYNC_LIMIT (5 here) is confirmed, deleted by
a real worker pass, and followed on the run's page until it is done, one customer's
failure shown beside the others' deletions."""

from __future__ import annotations

import pytest

from customers.models import Customer
from tests.conftest import login_in_browser
from tests.factories import CustomerFactory, make_super_admin
from tests.mail import run_jobs

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("email_queue")]


def test_an_admin_deletes_all_that_match_and_watches_the_job_finish(
    live_network, page, settings, refuse_deleting_customer
):
    settings.BULK_SYNC_LIMIT = 5
    make_super_admin(username="root", email="root@network.localhost")
    pending = [
        CustomerFactory(
            user__first_name=f"Pending{i}",
            user__last_name="Test",
            user__email=f"pending{i}@example.com",
            email_verification="pending",
        )
        for i in range(7)
    ]
    kept = CustomerFactory(user__email="verified@example.com", email_verification="verified")
    refuse_deleting_customer(pending[4])
    login_in_browser(page, live_network, "root@network.localhost")
    page.wait_for_selector("h1:has-text('Customers')")

    page.goto(live_network("/customers/?verification=pending"))
    page.get_by_role("checkbox", name="Select all 7 that match").check()
    page.get_by_role("button", name="Delete selected…").click()
    page.wait_for_selector("h1:has-text('Delete 7 customers')")
    assert "a job on the queue deletes them" in page.inner_text("main")
    page.fill("input[name=confirm_count]", "7")
    page.get_by_role("button", name="Delete 7 permanently").click()

    page.wait_for_url("**/customers/runs/*/")
    assert page.inner_text("[data-run-status]") == "Waiting for a worker"
    assert Customer.objects.count() == 8  # the request deleted nothing

    run_jobs()  # the worker `make run` starts, for one pass

    # The page follows the job by itself (static/js/app.js) until it is done.
    page.wait_for_selector("[data-run-status=done]")
    progress = page.inner_text("#progress")
    assert "7 of 7 done (100%)" in progress
    results = page.inner_text("#outcomes")
    assert "pending0@example.com" in results and "Deleted" in results
    assert "pending4@example.com" in results and "Not deleted" in results
    assert sorted(Customer.objects.values_list("pk", flat=True)) == sorted([pending[4].pk, kept.pk])

    page.get_by_role("link", name="Not deleted (1)").click()
    failures = page.inner_text("#outcomes tbody")
    assert "pending4@example.com" in failures
    assert "pending0@example.com" not in failures

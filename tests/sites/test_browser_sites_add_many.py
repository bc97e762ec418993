"""In Chromium: a super admin picks a customer, pastes three sites into Add many sites,
and follows the run's page while a real worker pass creates them. Both pages pass axe-core
(no critical or serious violation) and fit a phone's width."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from sites.models import Site
from tests.conftest import login_in_browser
from tests.factories import CustomerFactory, MembershipFactory, ProductFactory, make_super_admin
from tests.mail import run_jobs

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("email_queue")]

PHONE = {"width": 390, "height": 844}
axe = Axe()


def serious_violations(page) -> list[str]:
    return [
        f"{violation['id']} ({violation['impact']})"
        for violation in axe.run(page).response["violations"]
        if violation["impact"] in ("critical", "serious")
    ]


def fits_a_phone(page) -> bool:
    size = page.viewport_size
    page.set_viewport_size(PHONE)
    fits = page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    page.set_viewport_size(size)
    return fits


def test_an_admin_adds_three_sites_and_watches_the_job_create_them(live_network, page):
    make_super_admin(username="root", email="root@network.localhost")
    ada = CustomerFactory(
        user__username="ada",
        user__email="ada@example.com",
        user__first_name="Ada",
        user__last_name="Lovelace",
    )
    membership = MembershipFactory(customer=ada, plan=ProductFactory(name="Gold"))
    login_in_browser(page, live_network, "root@network.localhost")
    page.wait_for_selector("h1:has-text('Customers')")

    page.goto(live_network("/sites/add/"))
    page.get_by_label("Customer name, username or email").fill("lovelace")
    page.get_by_role("button", name="Find customer").click()
    page.get_by_role("link", name="Ada Lovelace").click()
    page.get_by_role("link", name="Add many sites at once").click()

    page.wait_for_selector("h1:has-text('Add many sites for Ada Lovelace')")
    page.get_by_label("Membership").select_option(str(membership.pk))
    page.get_by_label("Sites", exact=True).fill(
        "rock.localhost, Rock Shop\n\nroll.localhost\njazz.localhost, Jazz Club\n"
    )
    assert page.inner_text("#sites-count") == "3"
    assert serious_violations(page) == []
    assert fits_a_phone(page)
    page.get_by_role("button", name="Create sites").click()

    page.wait_for_url("**/customers/runs/*/")
    assert page.inner_text("h1") == "Create 3 sites for Ada Lovelace <ada@example.com>"
    assert page.inner_text("[data-run-status]") == "Waiting for a worker"
    assert not Site.objects.filter(customer=ada).exists()  # the request created none

    run_jobs()  # the worker `make run` starts, for one pass

    # The page follows the job by itself (static/js/app.js) until it is done.
    page.wait_for_selector("[data-run-status=done]")
    assert "3 of 3 done (100%)" in page.inner_text("#progress")
    results = page.inner_text("#outcomes tbody")
    for host in ("rock.localhost", "roll.localhost", "jazz.localhost"):
        assert host in results
    assert results.count("Created") == 3
    assert "Not created" not in results
    assert serious_violations(page) == []
    assert fits_a_phone(page)
    assert sorted(Site.objects.filter(customer=ada).values_list("title", flat=True)) == [
        "Jazz Club",
        "Rock Shop",
        "roll.localhost",
    ]

    page.get_by_role("link", name="Not created (0)").click()
    assert "No site failed." in page.inner_text("#outcomes")
    page.get_by_role("link", name="Back to customer").click()
    page.wait_for_selector("h1:has-text('Ada Lovelace')")
    assert "jazz.localhost" in page.locator("#sites").inner_text()

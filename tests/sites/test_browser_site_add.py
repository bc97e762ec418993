"""Create a site from the network admin in Chromium, then Switch to it."""

from __future__ import annotations

import pytest

from tests.conftest import login_in_browser, network_url
from tests.factories import CustomerFactory, MembershipFactory, ProductFactory, make_super_admin

pytestmark = pytest.mark.browser


def test_a_super_admin_creates_a_site_switches_to_it_and_sees_its_dashboard(live_network, page):
    make_super_admin(username="root", email="root@network.localhost")
    customer = CustomerFactory(
        user__username="ada",
        user__email="ada@example.com",
        user__first_name="Ada",
        user__last_name="Lovelace",
    )
    membership = MembershipFactory(customer=customer, plan=ProductFactory(name="Gold"))
    login_in_browser(page, live_network, "root@network.localhost")
    page.wait_for_url("**/customers/**")

    customer_page = live_network(network_url("customers:detail", customer.pk))
    page.goto(customer_page)
    page.locator("#sites").get_by_role("link", name="+ Add site").click()
    page.get_by_label("Title").fill("Rocket Shop")
    page.get_by_label("Membership").select_option(str(membership.pk))
    page.get_by_label("Primary domain").fill("rockets.localhost")
    page.get_by_label("Site type").select_option("regular")
    page.get_by_role("button", name="Create site").click()

    page.wait_for_url("**/sites/*/")
    assert "provisioned in" in page.locator(".messages, [role=status], main").first.inner_text()
    assert page.locator("h1").first.inner_text().startswith("Rocket Shop")

    page.goto(customer_page)
    assert "rockets.localhost" in page.locator("#sites").inner_text()
    page.get_by_role("button", name="Switch to").first.click()
    page.wait_for_url(live_network("/dashboard/", host="rockets.localhost"))
    assert page.locator("h1").first.inner_text() == "Dashboard"
    assert "Rocket Shop" in page.locator(".switch-banner").inner_text()

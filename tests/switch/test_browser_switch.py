"""The Switch to journey in Chromium: network admin → the customer's subsite → back."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

from sites.services import site_create
from tests.conftest import login_in_browser, network_url
from tests.factories import CustomerFactory, make_super_admin

pytestmark = pytest.mark.browser

SCREENSHOT = Path(settings.BASE_DIR) / "docs" / "screenshots" / "switch-banner.png"


def test_a_super_admin_switches_to_a_customer_and_back(live_network, page):
    make_super_admin(username="root", email="root@network.localhost")
    customer = CustomerFactory(
        user__username="ada",
        user__email="ada@example.com",
        user__first_name="Ada",
        user__last_name="Lovelace",
    )
    site_create(title="Acme Rockets", domain="acme.localhost", customer=customer)
    login_in_browser(page, live_network, "root@network.localhost")
    page.wait_for_url("**/customers/**")

    customer_page = live_network(network_url("customers:detail", customer.pk))
    page.goto(customer_page)
    page.get_by_role("button", name="Switch to").click()

    page.wait_for_url(live_network("/dashboard/", host="acme.localhost"))
    banner = page.locator(".switch-banner")
    assert "You (root@network.localhost) are acting as Ada Lovelace" in banner.inner_text()
    assert "Acme Rockets" in banner.inner_text()
    assert page.locator("h1").first.inner_text() == "Dashboard"
    if os.environ.get("UPDATE_SCREENSHOTS"):  # refresh the README's picture on demand only
        page.screenshot(path=str(SCREENSHOT))

    banner.get_by_role("button", name="Switch back").click()

    page.wait_for_url(customer_page)
    assert page.get_by_text("ada@example.com").first.is_visible()
    notice = page.get_by_text("Switched back: you are no longer acting as Ada Lovelace")
    assert notice.is_visible()
    assert page.locator(".switch-banner").count() == 0
    assert "/login/" not in page.url
    page.goto(live_network("/dashboard/", host="acme.localhost"))
    assert "/login/" in page.url

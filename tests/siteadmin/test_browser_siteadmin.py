"""The site's own administration in Chromium: Switch to and fix the postcode, View as and
be refused, and the owner inviting a team member who logs in on this site only."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from django_tenants.utils import tenant_context

from customers.models import Customer
from events.models import Event
from siteadmin.models import SiteSettings
from sites.services import site_create
from tests.conftest import login_in_browser, network_url
from tests.factories import (
    CustomerFactory,
    MembershipFactory,
    PaymentFactory,
    make_super_admin,
)

pytestmark = pytest.mark.browser

SCREENSHOT = Path(settings.BASE_DIR) / "docs" / "screenshots" / "subsite-admin.png"


@pytest.fixture
def ada(live_network):
    make_super_admin(
        username="root", email="root@network.localhost", first_name="Root", last_name="Admin"
    )
    customer = CustomerFactory(
        user__username="ada",
        user__email="ada@example.com",
        user__first_name="Ada",
        user__last_name="Lovelace",
        billing_email="billing@acme.example",
        address_line_1="1 Launch Road",
        postal_code="LS1 1XX",
        country="GB",
    )
    membership = MembershipFactory(customer=customer, plan__name="Business")
    PaymentFactory(customer=customer, membership=membership)
    PaymentFactory(customer=customer, membership=membership, status="failed")
    site_create(
        title="Acme Rockets", domain="acme.localhost", customer=customer, membership=membership
    )
    return customer


def _switch(page, live_network, customer, button: str) -> str:
    login_in_browser(page, live_network, "root@network.localhost")
    page.wait_for_url("**/customers/**")
    customer_page = live_network(network_url("customers:detail", customer.pk))
    page.goto(customer_page)
    page.locator(".customer-head").get_by_role("button", name=button).click()
    page.wait_for_url(live_network("/dashboard/", host="acme.localhost"))
    return customer_page


def test_switch_to_fix_the_postcode_and_the_network_shows_who_did_it(live_network, page, ada):
    customer_page = _switch(page, live_network, ada, "Switch to")
    page.get_by_role("navigation", name="Site administration").get_by_role(
        "link", name="Billing"
    ).click()
    page.get_by_label("Postal code").fill("LS1 1AA")
    page.get_by_role("button", name="Save billing details").click()
    assert page.get_by_text("Billing details saved.").is_visible()
    if os.environ.get("UPDATE_SCREENSHOTS"):
        page.screenshot(path=str(SCREENSHOT), full_page=True)

    page.get_by_role("button", name="Switch back").click()

    page.wait_for_url(customer_page)
    row = page.locator("#events tr", has_text="Billing info changed: postal code")
    assert "Root Admin as Ada Lovelace" in row.inner_text()
    assert Customer.objects.get(pk=ada.pk).postal_code == "LS1 1AA"


def test_view_as_refuses_a_save_and_nothing_changes(live_network, page, ada):
    _switch(page, live_network, ada, "View as (read-only)")
    assert "Read-only:" in page.locator(".switch-banner").inner_text()
    page.goto(live_network("/dashboard/billing/", host="acme.localhost"))
    page.get_by_label("Postal code").fill("LS1 1AA")

    page.get_by_role("button", name="Save billing details").click()

    assert "this is a read-only view" in page.locator("h1").first.inner_text()
    assert Customer.objects.get(pk=ada.pk).postal_code == "LS1 1XX"
    assert not Event.objects.filter(type=Event.Type.BILLING_CHANGED).exists()
    page.goto(live_network("/dashboard/settings/", host="acme.localhost"))
    page.get_by_role("textbox", name="Tagline").fill("Changed")
    page.get_by_role("button", name="Save settings").click()
    assert "read-only view" in page.content()
    with tenant_context(ada.sites.get()):
        assert not SiteSettings.objects.exists()


def test_the_owner_invites_a_team_member_who_logs_in_on_this_site_only(
    live_network, page, browser, ada
):
    site_create(title="Beta Labs", domain="beta.localhost", customer=CustomerFactory())
    page.goto(live_network("/login/", host="acme.localhost"))
    page.fill("input[name=username]", "ada@example.com")
    page.fill("input[name=password]", "correct horse battery staple")
    page.click("button[type=submit]")
    page.wait_for_url(live_network("/dashboard/", host="acme.localhost"))
    page.get_by_role("link", name="Team").first.click()
    page.get_by_label("Email").fill("helper@example.com")
    page.get_by_label("Role").select_option("administrator")
    page.get_by_role("button", name="Invite").click()
    link = page.locator("#invite-link-title + p + p a").inner_text()

    newcomer = browser.new_context().new_page()
    newcomer.goto(link)
    newcomer.get_by_label("New password", exact=True).fill("a long team password 7")
    newcomer.get_by_label("New password confirmation").fill("a long team password 7")
    newcomer.get_by_role("button", name="Set password").click()
    newcomer.wait_for_url(live_network("/login/", host="acme.localhost"))
    newcomer.fill("input[name=username]", "helper@example.com")
    newcomer.fill("input[name=password]", "a long team password 7")
    newcomer.click("button[type=submit]")
    newcomer.wait_for_url(live_network("/dashboard/", host="acme.localhost"))
    assert "Administrator" in newcomer.locator(".page-head").inner_text()

    newcomer.goto(live_network("/login/", host="beta.localhost"))
    newcomer.fill("input[name=username]", "helper@example.com")
    newcomer.fill("input[name=password]", "a long team password 7")
    newcomer.click("button[type=submit]")
    assert "/login/" in newcomer.url
    assert newcomer.locator(".form-errors, .field-error, [role=alert]").count() > 0
    newcomer.context.close()

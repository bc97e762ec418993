from __future__ import annotations

import pytest

from memberships.models import Membership
from tests.conftest import login_in_browser
from tests.factories import CustomerFactory, MembershipFactory, make_super_admin

pytestmark = pytest.mark.browser


def test_an_admin_finds_a_customer_and_manages_it(live_network, page):
    make_super_admin(username="root", email="root@network.localhost")
    ada = CustomerFactory(
        user__username="ada",
        user__email="ada@example.com",
        user__first_name="Ada",
        user__last_name="Lovelace",
    )
    pending = MembershipFactory(customer=ada, status=Membership.Status.PENDING)
    CustomerFactory(user__first_name="Alan", user__last_name="Turing")

    login_in_browser(page, live_network, "root@network.localhost")
    page.wait_for_selector("h1:has-text('Customers')")

    # Search, and the URL carries it.
    page.fill("input[name=q]", "lovelace")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/customers/?q=lovelace*")
    rows = page.locator("table.customer-table tbody tr")
    assert rows.count() == 1
    assert "Ada Lovelace" in rows.first.inner_text()

    rows.first.get_by_role("link", name="Manage").click()
    page.wait_for_selector("h1:has-text('Ada Lovelace')")
    assert page.locator("#at-a-glance").is_visible()

    # Customer Options: VIP.
    page.locator("#customer-options label.toggle").click()
    page.get_by_role("button", name="Save options").click()
    page.wait_for_selector(".message-success:has-text('Customer options saved.')")
    assert page.locator(".customer-badges .badge-vip").is_visible()

    # Billing Info: an error first, then fixed.
    page.get_by_role("tab", name="Billing Info").click()
    page.fill("#id_company_name", "Analytical Engines Ltd")
    page.fill("#id_billing_email", "accounts@engines.test")
    page.fill("#id_address_line_1", "12 St James's Square")
    page.select_option("#id_country", "GB")
    page.get_by_role("button", name="Save billing info").click()
    error = page.locator("#customer-options .field.has-error")
    assert "This field is required." in error.inner_text()
    assert page.input_value("#id_company_name") == "Analytical Engines Ltd"
    page.fill("#id_postal_code", "SW1Y 4JH")
    page.get_by_role("button", name="Save billing info").click()
    page.wait_for_selector(".message-success:has-text('Billing info saved.')")
    assert page.input_value("#id_postal_code") == "SW1Y 4JH"

    # Fields: verify the email and activate the pending membership.
    page.select_option("#id_email_verification", "verified")
    page.check("#id_activate_pending_memberships")
    page.get_by_role("button", name="Save fields").click()
    page.wait_for_selector(".message-success:has-text('Fields saved.')")
    assert page.locator(".customer-badges").inner_text().count("Email verified") == 1

    events = page.locator("#events").inner_text()
    assert "Email verification changed from none to verified" in events
    assert f"Membership {pending.reference} activated" in events
    assert "Billing info changed" in events
    assert "Marked Ada Lovelace as VIP" in events
    assert events.index("Email verification changed") < events.index("Marked Ada Lovelace")

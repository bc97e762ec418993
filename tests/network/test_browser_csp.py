"""The Content-Security-Policy allows no inline script or handler: in Chromium, the main
pages report no violation, and what their JavaScript did still works from static/js/app.js."""

from __future__ import annotations

import pytest

from memberships.models import Membership
from sites.services import site_create
from tests.conftest import login_in_browser, network_url
from tests.factories import MembershipFactory, PaymentFactory, make_super_admin

pytestmark = pytest.mark.browser

# Registered before any page script runs, on every page the test opens.
COLLECT_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI} at ${where}`);
});
"""


@pytest.fixture
def watched_page(page):
    """The page, with every CSP complaint Chromium reports, in the console or as an event."""
    page.add_init_script(COLLECT_VIOLATIONS)
    page.console_errors = []
    page.on(
        "console",
        lambda message: (
            page.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    return page


def violations(page) -> list[str]:
    reported = page.evaluate("window.cspViolations")
    logged = [text for text in page.console_errors if "Content Security Policy" in text]
    return reported + logged


def test_the_main_pages_break_no_rule_of_the_content_security_policy(live_network, watched_page):
    page = watched_page
    make_super_admin(username="root", email="root@network.localhost")
    membership = MembershipFactory(
        customer__user__first_name="Ada", customer__user__last_name="Lovelace"
    )
    customer = membership.customer
    payment = PaymentFactory(customer=customer, membership=membership)
    site = site_create(
        title="Acme Rockets", domain="acme.localhost", customer=customer, membership=membership
    )

    page.goto(live_network("/login/"))
    assert violations(page) == []
    login_in_browser(page, live_network, "root@network.localhost")
    page.wait_for_selector("h1:has-text('Customers')")

    for path in [
        network_url("customers:list"),
        network_url("customers:add"),
        network_url("customers:detail", customer.pk),
        network_url("memberships:detail", membership.pk),
        network_url("payments:detail", payment.pk),
        network_url("sites:detail", site.pk),
        network_url("deletion:confirm", customer.pk),
        network_url("events:list"),
        "/admin/",
        "/admin/customers/customer/",
        "/admin/events/event/",
        f"/admin/payments/payment/{payment.pk}/change/",
    ]:
        page.goto(live_network(path))
        page.wait_for_selector("h1")
        assert violations(page) == [], path

    for host in ["acme.localhost", "nobody.localhost"]:
        page.goto(live_network("/", host=host))
        page.wait_for_selector("h1")
        assert violations(page) == [], host


def test_a_filter_applies_as_soon_as_it_changes(live_network, watched_page):
    page = watched_page
    make_super_admin(username="root", email="root@network.localhost")
    login_in_browser(page, live_network, "root@network.localhost")
    page.wait_for_selector("h1:has-text('Customers')")

    page.select_option("select[name=vip]", "yes")
    page.wait_for_url("**/customers/?*vip=yes*")
    page.select_option("select[name=per_page]", "50")
    page.wait_for_url("**per_page=50*")
    assert page.input_value("select[name=vip]") == "yes"
    assert violations(page) == []


def test_add_customer_shows_only_the_fields_of_the_chosen_mode(live_network, watched_page):
    page = watched_page
    make_super_admin(username="root", email="root@network.localhost")
    login_in_browser(page, live_network, "root@network.localhost")
    page.wait_for_selector("h1:has-text('Customers')")
    page.goto(live_network(network_url("customers:add")))

    new_fields = page.locator(".mode-panel[data-mode=new]")
    existing_fields = page.locator(".mode-panel[data-mode=existing]")
    assert new_fields.is_visible()
    assert existing_fields.is_hidden()
    page.check("input[name=mode][value=existing]")
    assert new_fields.is_hidden()
    assert existing_fields.is_visible()
    assert violations(page) == []


def test_a_refused_confirmation_changes_nothing(live_network, watched_page):
    page = watched_page
    make_super_admin(username="root", email="root@network.localhost")
    membership = MembershipFactory(status=Membership.Status.ACTIVE)
    site = site_create(
        title="O'Brien & Sons", domain="obrien.localhost", customer=membership.customer
    )
    login_in_browser(page, live_network, "root@network.localhost")
    page.wait_for_selector("h1:has-text('Customers')")
    page.goto(live_network(network_url("sites:detail", site.pk)))

    questions = []

    def dismiss(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.click("button:has-text('Deactivate site')")
    page.wait_for_selector("h1")  # the click did not navigate

    assert questions == ["Deactivate O'Brien & Sons? Its visitors will see “site unavailable”."]
    site.refresh_from_db()
    assert site.active
    assert violations(page) == []

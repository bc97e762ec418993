"""The emails' journeys in Chromium: the admin's click, the queue's worker, a real SMTP
server on loopback, and the customer following the link in their own browser."""

from __future__ import annotations

import pytest

from customers.models import Customer
from tests.conftest import login_in_browser, network_url
from tests.factories import PASSWORD, CustomerFactory, make_super_admin
from tests.mail import link_in, run_jobs

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("email_queue")]


@pytest.fixture
def links_to_live_server(live_network, settings):
    """Email links point at the live server's port, as they point at `make run`'s."""
    settings.EMAIL_LINK_PORT = live_network("/").rsplit(":", 1)[1].strip("/")
    return live_network


def test_an_admin_asks_for_verification_and_the_customer_verifies(
    browser, page, links_to_live_server, smtp_server
):
    url = links_to_live_server
    make_super_admin(username="root", email="root@network.localhost")
    ada = CustomerFactory(
        user__username="ada", user__email="ada@example.com", user__first_name="Ada"
    )
    login_in_browser(page, url, "root@network.localhost")
    page.wait_for_url("**/customers/")
    page.goto(url(network_url("customers:detail", ada.pk)))
    page.select_option("#id_email_verification", "pending")
    page.get_by_role("button", name="Save fields").click()
    page.wait_for_selector(".message-success:has-text('Fields saved.')")
    assert page.get_by_role("button", name="Resend verification email").is_visible()

    run_jobs()
    message = smtp_server.inbox.next()
    assert message["To"] == "ada@example.com"

    customer_browser = browser.new_context()
    inbox_tab = customer_browser.new_page()
    inbox_tab.goto(link_in(message))
    assert inbox_tab.locator("h1").inner_text() == "Email verified"
    customer_browser.close()

    page.reload()
    assert page.input_value("#id_email_verification") == "verified"
    assert page.get_by_role("button", name="Resend verification email").count() == 0
    events = page.locator("#events").inner_text()
    assert f"Email sent to ada@example.com: {message['Subject']}" in events
    assert "verified through the link" in events
    ada.refresh_from_db()
    assert ada.email_verification == Customer.EmailVerification.VERIFIED


def test_an_invited_customer_chooses_a_password(browser, page, links_to_live_server, smtp_server):
    url = links_to_live_server
    make_super_admin(username="root", email="root@network.localhost")
    login_in_browser(page, url, "root@network.localhost")
    page.wait_for_url("**/customers/")
    page.goto(url("/customers/add/"))
    page.fill("#id_username", "grace")
    page.fill("#id_email", "grace@example.com")
    page.get_by_role("button", name="Add customer").click()
    page.wait_for_selector(".message-success:has-text('invitation')")

    run_jobs()
    invitation = smtp_server.inbox.next()
    assert invitation["To"] == "grace@example.com"

    grace = browser.new_context().new_page()
    grace.goto(link_in(invitation))
    grace.fill("#id_new_password1", "grace's own long secret")
    grace.fill("#id_new_password2", "grace's own long secret")
    grace.get_by_role("button", name="Set password").click()
    grace.wait_for_selector("h1:has-text('Password set')")
    grace.context.close()


def test_a_site_owner_who_forgot_the_password_resets_it_on_the_subsite(
    page, links_to_live_server, smtp_server, make_site
):
    url = links_to_live_server
    ada = CustomerFactory(user__username="ada", user__email="ada@example.com")
    make_site("acme", customer=ada)

    page.goto(url("/login/", host="acme.localhost"))
    page.get_by_role("link", name="Forgot password?").click()
    page.fill("#id_email", "ada@example.com")
    page.get_by_role("button", name="Send the link").click()
    page.wait_for_selector("h1:has-text('Check your email')")

    run_jobs()
    link = link_in(smtp_server.inbox.next())
    assert link.startswith(url("/password-reset/", host="acme.localhost"))
    page.goto(link)
    page.fill("#id_new_password1", "a brand new passphrase")
    page.fill("#id_new_password2", "a brand new passphrase")
    page.get_by_role("button", name="Set password").click()
    page.locator("#main").get_by_role("link", name="Log in").click()
    page.fill("input[name=username]", "ada@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    assert page.locator(".form-errors").is_visible()  # the old password is gone
    page.fill("input[name=username]", "ada@example.com")
    page.fill("input[name=password]", "a brand new passphrase")
    page.click("button[type=submit]")
    page.wait_for_url(url("/dashboard/", host="acme.localhost"))

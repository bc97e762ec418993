from __future__ import annotations

import pytest

from customers.models import Customer
from sites.services import site_create
from tests.conftest import login_in_browser
from tests.factories import CustomerFactory, make_super_admin

pytestmark = pytest.mark.browser


def test_an_admin_deletes_a_customer_and_their_site_stops_being_served(
    committed, live_network, page
):
    make_super_admin(username="root", email="root@network.localhost")
    ada = CustomerFactory(
        user__username="ada",
        user__email="ada@example.com",
        user__first_name="Ada",
        user__last_name="Lovelace",
    )
    site_create(title="Analytical Engines", domain="acme.localhost", customer=ada)
    page.goto(live_network("/", host="acme.localhost"))
    assert "Analytical Engines" in page.content()

    login_in_browser(page, live_network, "root@network.localhost")
    page.wait_for_selector("h1:has-text('Customers')")
    page.goto(live_network(f"/customers/{ada.pk}/"))
    page.click(f"a[href='/customers/{ada.pk}/delete/']")  # the Delete block
    page.wait_for_selector("h1:has-text('Delete Ada Lovelace')")
    assert "you will not be able to restore it" in page.inner_text("main")
    assert "acme.localhost" in page.inner_text("section[aria-labelledby=delete-sites]")

    page.fill("input[name=confirm_email]", "ada@example.com")
    page.click("button:has-text('Delete permanently')")

    page.wait_for_selector(".message-success")
    assert page.url == live_network("/customers/")
    assert "Ada Lovelace <ada@example.com> was deleted permanently" in page.inner_text(
        ".message-success"
    )
    assert not Customer.objects.filter(pk=ada.pk).exists()

    response = page.goto(live_network("/", host="acme.localhost"))
    assert response.status == 404
    assert "No site at acme.localhost" in page.inner_text("h1")


def test_searching_for_a_recipient_keeps_the_typed_confirmation(live_network, page):
    make_super_admin(username="root", email="root@network.localhost")
    ada = CustomerFactory(user__email="ada@example.com", user__first_name="Ada")
    CustomerFactory(user__email="bob@example.com", user__first_name="Bob")
    login_in_browser(page, live_network, "root@network.localhost")
    page.wait_for_selector("h1:has-text('Customers')")
    page.goto(live_network(f"/customers/{ada.pk}/delete/"))

    page.fill("input[name=confirm_email]", "ada@example.com")
    page.check("input[type=radio][value=reassign]")
    page.fill("#reassign-q", "bob")
    page.click("button:has-text('Search')")

    page.wait_for_selector("input[name=reassign_to]")
    assert page.input_value("input[name=confirm_email]") == "ada@example.com"
    assert page.is_checked("input[type=radio][value=reassign]")

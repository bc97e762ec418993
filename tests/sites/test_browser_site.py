from __future__ import annotations

import pytest

from events.models import Event
from sites.services import site_create
from tests.conftest import login_in_browser
from tests.factories import CustomerFactory, make_super_admin

pytestmark = pytest.mark.browser


def test_an_admin_deactivates_a_site_and_its_host_refuses_visitors(live_network, page):
    make_super_admin(username="root", email="root@network.localhost")
    customer = CustomerFactory(user__first_name="Ada", user__last_name="Lovelace")
    site = site_create(title="Acme Rockets", domain="acme.localhost", customer=customer)

    page.goto(live_network("/", host="acme.localhost"))
    assert "Acme Rockets" in page.inner_text("h1")

    login_in_browser(page, live_network, "root@network.localhost")
    page.wait_for_selector("h1")
    page.goto(live_network(f"/customers/{customer.pk}/"))
    page.click("a[aria-label='Open Acme Rockets']")
    page.wait_for_selector("h1:has-text('Acme Rockets')")
    assert "Active" in page.inner_text("h1")

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Deactivate site')")
    page.wait_for_selector(".message-success")
    assert "is now inactive" in page.inner_text(".messages")
    assert "Inactive" in page.inner_text("h1")

    response = page.goto(live_network("/", host="acme.localhost"))
    assert response.status == 503
    assert "This site is unavailable" in page.inner_text("h1")
    assert "Acme Rockets is not active" in page.inner_text("main")

    event = Event.objects.get(type=Event.Type.SITE_UPDATED, subject_id=site.pk)
    assert event.new == {"active": False}

from __future__ import annotations

import pytest

from tests.conftest import login_in_browser
from tests.factories import make_super_admin

pytestmark = pytest.mark.browser


def test_super_admin_logs_in_and_sees_the_network_admin(live_network, page):
    make_super_admin(username="root", email="root@network.localhost")
    page.goto(live_network("/"))
    assert "/login/" in page.url

    login_in_browser(page, live_network, "root@network.localhost")

    page.wait_for_selector("h1:has-text('Customers')")
    assert page.locator("nav.topnav").inner_text().split() == [
        "Customers",
        "Memberships",
        "Payments",
        "Sites",
        "Events",
        "Runs",
        "Django",
        "admin",
    ]

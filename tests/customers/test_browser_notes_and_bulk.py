from __future__ import annotations

import pytest

from customers.models import Customer
from events.models import Event
from tests.conftest import login_in_browser
from tests.factories import CustomerFactory, make_super_admin

pytestmark = pytest.mark.browser


def _people() -> list[Customer]:
    return [
        CustomerFactory(
            user__username=name.lower(),
            user__email=f"{name.lower()}@example.com",
            user__first_name=name,
            user__last_name="Test",
        )
        for name in ("Ada", "Alan", "Grace")
    ]


def test_an_admin_writes_edits_and_deletes_a_note(live_network, page):
    make_super_admin(username="root", email="root@network.localhost")
    ada, *_ = _people()
    login_in_browser(page, live_network, "root@network.localhost")
    page.wait_for_selector("h1:has-text('Customers')")
    page.goto(live_network(f"/customers/{ada.pk}/"))

    page.get_by_role("button", name="Add note").click()  # empty: refused, said so
    assert "Write something first" in page.inner_text("#notes")
    page.fill("#notes textarea", "Prefers email to phone.")
    page.get_by_role("button", name="Add note").click()
    page.wait_for_selector(".message-success:has-text('Note added.')")
    assert "Prefers email to phone." in page.inner_text("#notes .notes")

    page.goto(live_network("/customers/"))
    row = page.locator("table.customer-table tbody tr", has_text="Ada Test")
    assert row.get_by_role("img", name="Has notes").is_visible()

    page.goto(live_network(f"/customers/{ada.pk}/"))
    page.locator("#notes").get_by_role("link", name="Edit this note").click()
    page.fill("textarea[name=text]", "Prefers email, never phone.")
    page.get_by_role("button", name="Save note").click()
    page.wait_for_selector(".message-success:has-text('Note saved.')")
    assert "Prefers email, never phone." in page.inner_text("#notes .notes")

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#notes").get_by_role("button", name="Delete this note").click()
    page.wait_for_selector(".message-success:has-text('Note deleted.')")
    assert "No notes yet." in page.inner_text("#notes")
    assert "Note deleted" in page.inner_text("#events")


def test_an_admin_tags_exports_and_deletes_a_selection(live_network, page):
    make_super_admin(username="root", email="root@network.localhost")
    ada, alan, grace = _people()
    login_in_browser(page, live_network, "root@network.localhost")
    page.wait_for_selector("h1:has-text('Customers')")

    page.get_by_role("checkbox", name="Select Ada Test").check()
    page.get_by_role("checkbox", name="Select Alan Test").check()
    page.get_by_role("button", name="Tag VIP", exact=True).click()
    page.wait_for_selector(".message-success:has-text('Tagged 2 customers as VIP.')")
    assert sorted(Customer.objects.filter(vip=True).values_list("pk", flat=True)) == sorted(
        [ada.pk, alan.pk]
    )

    page.get_by_role("checkbox", name="Select Grace Test").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Export selected").click()
    assert "grace@example.com" in open(download.value.path()).read()  # noqa: SIM115
    assert Event.objects.filter(type=Event.Type.CUSTOMER_EXPORTED, customer_ref=grace.pk).exists()

    # "All that match" follows the list's filters: here, VIP only.
    page.select_option("select[name=vip]", "yes")
    page.wait_for_url("**vip=yes*")
    page.get_by_role("checkbox", name="Select all 2 that match").check()
    page.get_by_role("button", name="Delete selected…").click()
    page.wait_for_selector("h1:has-text('Delete 2 customers')")
    page.fill("input[name=confirm_count]", "3")
    page.get_by_role("button", name="Delete 2 permanently").click()
    assert "Type 2, the number of customers listed" in page.inner_text("main")
    page.fill("input[name=confirm_count]", "2")
    page.get_by_role("button", name="Delete 2 permanently").click()
    page.wait_for_selector("h1:has-text('2 customers deleted')")
    assert "ada@example.com" in page.inner_text("main")
    assert list(Customer.objects.values_list("pk", flat=True)) == [grace.pk]

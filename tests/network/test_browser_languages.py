"""A super admin's day in French and in Norwegian, in Chromium: the list, the customer
page, VIP, a billing error, a refund, Switch to and back, and the delete confirmation,
with the product's words, its error messages and its money in the language.

French is chosen on My settings; Norwegian comes from the browser (Accept-Language).
Names are looked up in the catalogues (tests/words.py), so a string still waiting for
its translation is found in English, as the page shows it; the block names, Django's
own error messages and the money are asserted as written in each language.

UPDATE_SCREENSHOTS=1 retakes docs/screenshots/customer-detail-fr.png and -nb.png."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest

from customers.models import Customer, User
from payments.models import Payment
from tests.conftest import login_in_browser, network_url
from tests.network.test_browser_screens import DESKTOP, SCREENSHOTS, _network
from tests.words import words

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Language:
    code: str
    chosen: bool  # on My settings; else the browser's Accept-Language
    blocks: tuple[str, ...]  # from locale/GLOSSARY.md, in the catalogues today
    required: str  # Django's own "This field is required."
    total: str  # 1234.50 EUR, as the language writes it
    net: str  # what is left of it after a refund of 234.50


FRENCH = Language(
    code="fr",
    chosen=True,
    blocks=("Aperçu", "Options client", "Infos de facturation", "Champs", "Horodatages"),
    required="Ce champ est obligatoire.",
    total="1\u202f234,50\xa0€",
    net="1\u202f000,00\xa0€",
)
NORWEGIAN = Language(
    code="nb",
    chosen=False,
    blocks=("Kundeinnstillinger", "Fakturainfo"),
    required="Feltet er påkrevet.",
    total="1\xa0234,50\xa0€",
    net="1\xa0000,00\xa0€",
)


def _screenshot(page, name: str) -> None:
    if os.environ.get("UPDATE_SCREENSHOTS"):
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _choose_language(page, url, language: Language) -> None:
    page.goto(url(network_url("my_settings")))
    page.select_option("#id_language", language.code)
    page.get_by_role("button", name="Save language").click()
    page.wait_for_selector(".message-success")
    assert page.get_attribute("html", "lang") == language.code
    assert User.objects.get(username="root").language == language.code


@pytest.mark.parametrize("language", [FRENCH, NORWEGIAN], ids=lambda language: language.code)
def test_a_super_admins_day_in_another_language(browser, live_network, language):
    net = _network()
    payment = Payment.objects.create(
        customer=net.ada,
        status=Payment.Status.COMPLETED,
        gateway="manual",
        currency="EUR",
        subtotal=Decimal("1234.50"),
        total=Decimal("1234.50"),
    )
    context = browser.new_context(
        viewport=DESKTOP, locale="en" if language.chosen else language.code
    )
    page = context.new_page()
    page.set_default_timeout(10_000)

    def say(msgid: str, context: str | None = None, **params) -> str:
        return words(language.code, msgid, context, **params)

    login_in_browser(page, live_network, "root@network.localhost")
    page.wait_for_url("**/customers/")
    if language.chosen:
        _choose_language(page, live_network, language)
        page.goto(live_network(network_url("customers:list")))

    # The list.
    assert page.get_attribute("html", "lang") == language.code
    assert page.inner_text("h1") == say("Customers")
    ada_row = page.locator("tr", has_text="Ada Lovelace")
    ada_row.get_by_role("link", name=say("Manage", "open a customer")).click()

    # The customer page: the glossary's block names and the money of the language.
    page.wait_for_selector("h1:has-text('Ada Lovelace')")
    main = page.inner_text("main")
    for block in language.blocks:
        assert block in main, block
    assert language.total in main
    assert "1,234.50" not in main
    _screenshot(page, f"customer-detail-{language.code}")

    # VIP: Ada is one; untag her.
    options = page.locator("#customer-options")
    options.locator("label.toggle").click()
    options.get_by_role("button", name=say("Save options")).click()
    page.wait_for_selector(".message-success")
    assert not page.locator(".customer-badges .badge-vip").is_visible()
    assert not Customer.objects.get(pk=net.ada.pk).vip

    # Billing info: a required field left empty is refused, in the language.
    page.get_by_role("tab", name=say("Billing Info")).click()
    page.fill("#id_billing_email", "accounts@engines.test")
    page.fill("#id_address_line_1", "12 St James's Square")
    page.fill("#id_postal_code", "")
    page.select_option("#id_country", "GB")
    page.get_by_role("button", name=say("Save billing info")).click()
    error = page.locator("#customer-options .field.has-error")
    assert language.required in error.first.inner_text()
    assert page.input_value("#id_address_line_1") == "12 St James's Square"

    # A refund: the totals in the language's money.
    page.goto(live_network(network_url("payments:detail", payment.pk)))
    page.fill("input[name=amount]", "234.50")
    page.fill("input[name=reason]", "Goodwill")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=say("Refund", "verb"), exact=True).click()
    page.wait_for_selector(".message-success")
    totals = page.inner_text("table.totals")
    assert re.search(r"−\s*234,50\s€", totals), totals
    assert language.net in totals
    payment.refresh_from_db()
    assert payment.refunded_total == Decimal("234.50")

    # Switch to and back: the subsite speaks the admin's language too.
    detail = network_url("customers:detail", net.ada.pk)
    page.goto(live_network(detail))
    page.locator(".customer-head").get_by_role(
        "button", name=say("Switch to", "impersonate")
    ).click()
    page.wait_for_url("**/switch/")
    page.get_by_role("button", name=say("Switch to %(title)s", title="Acme Rockets")).click()
    page.wait_for_url(live_network("/dashboard/", host="acme.localhost"))
    assert page.get_attribute("html", "lang") == language.code
    page.get_by_role("button", name=say("Switch back")).click()
    page.wait_for_url(f"**{detail}")
    assert page.get_attribute("html", "lang") == language.code

    # The delete confirmation: a wrong email deletes nothing.
    page.goto(live_network(network_url("deletion:confirm", net.ada.pk)))
    assert page.inner_text("h1") == say("Delete %(name)s", name="Ada Lovelace")
    page.fill("input[name=confirm_email]", "someone@example.com")
    page.get_by_role("button", name=say("Delete permanently")).click()
    page.wait_for_selector(".field.has-error, .form-errors")
    assert page.get_attribute("html", "lang") == language.code
    assert Customer.objects.filter(pk=net.ada.pk).exists()
    context.close()

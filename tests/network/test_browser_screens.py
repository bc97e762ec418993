"""Every page of both hosts, in Chromium, at a desktop and a phone width: no page scrolls
sideways on a phone, the actions a person came for are on screen and clickable, and
axe-core finds no critical or serious accessibility violation. In English, and at the
phone width once more in the language with the longest strings (French, measured on the
catalogues: tests/words.py), where every page must also say `<html lang="fr">`.

UPDATE_SCREENSHOTS=1 refreshes the README's pictures (docs/screenshots/) on the way."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import RequestFactory
from django.utils import translation
from django.views import defaults
from playwright.sync_api import Error as PlaywrightError

from customers.models import Customer
from events.models import Event
from events.services import event_record
from memberships.models import Membership
from sites.services import site_create
from tests.conftest import NETWORK_HOST, login_in_browser, network_url
from tests.factories import (
    CustomerFactory,
    MembershipFactory,
    PaymentFactory,
    UserFactory,
    make_super_admin,
)
from tests.words import longest_language, words

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"
SERIOUS = ("critical", "serious")
LONGEST = longest_language()
axe = Axe()


@dataclass
class Network:
    """A small network with one of everything a page can show."""

    ada: Customer
    grace: Customer
    membership: Membership
    payment_pk: int
    site_pk: int
    urls: dict[str, str] = field(default_factory=dict)


def _network() -> Network:
    make_super_admin(username="root", email="root@network.localhost")
    ada = CustomerFactory(
        user__username="ada",
        user__email="ada@example.com",
        user__first_name="Ada",
        user__last_name="Lovelace",
        email_verification=Customer.EmailVerification.PENDING,
        vip=True,
    )
    grace = CustomerFactory(
        user__username="grace",
        user__email="grace@example.com",
        user__first_name="Grace",
        user__last_name="Hopper",
    )
    membership = MembershipFactory(customer=ada, amount=Decimal("29.00"))
    payment = PaymentFactory(customer=ada, membership=membership)
    site = site_create(
        title="Acme Rockets", domain="acme.localhost", customer=ada, membership=membership
    )
    site_create(title="Acme Labs", domain="acme-labs.localhost", customer=ada)
    event_record(
        type=Event.Type.VIP_CHANGED,
        customer=ada,
        subject=ada,
        message="VIP turned on",
        old={"vip": False},
        new={"vip": True},
    )
    return Network(
        ada=ada, grace=grace, membership=membership, payment_pk=payment.pk, site_pk=site.pk
    )


def _fits_the_viewport(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def _overflowing(page) -> str:
    """The outermost elements that reach past the right edge, to say what to fix."""
    return page.evaluate(
        """() => {
          const clipped = (e) => {
            for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
              if (getComputedStyle(a).overflowX !== "visible") return true;
            }
            return false;
          };
          return [...document.querySelectorAll("body *")]
            .filter((e) => e.getBoundingClientRect().right > innerWidth + 1 && !clipped(e))
            .slice(0, 4).map((e) => e.tagName.toLowerCase() + "." + [...e.classList].join("."))
            .join(", ");
        }"""
    )


def _dangling_references(page) -> list[str]:
    """aria-describedby and aria-labelledby naming ids that are not on the page: the
    help or error they point at is never read out."""
    missing = page.evaluate(
        """() => [...document.querySelectorAll("[aria-describedby], [aria-labelledby]")]
          .flatMap((e) => [e.getAttribute("aria-describedby"), e.getAttribute("aria-labelledby")])
          .flatMap((ids) => (ids || "").split(/\\s+/).filter(Boolean))
          .filter((id) => !document.getElementById(id))"""
    )
    return [f"aria reference to missing #{id}" for id in missing]


def _serious_violations(page) -> list[str]:
    results = axe.run(page)
    return [
        f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])} elements): "
        + ", ".join(node["target"][0] for node in violation["nodes"][:4])
        for violation in results.response["violations"]
        if violation["impact"] in SERIOUS
    ]


class Screens:
    """Visits pages and keeps what each one got wrong."""

    def __init__(self, page, url, viewport, language: str = "en") -> None:
        self.page, self.url, self.viewport, self.language = page, url, viewport, language
        self.problems: dict[str, list[str]] = {}

    def check(self, name: str, screenshot: str | None = None) -> None:
        page = self.page
        page.wait_for_load_state("load")
        problems = _serious_violations(page) + _dangling_references(page)
        lang = page.evaluate("document.documentElement.lang")
        if lang != self.language:
            problems.append(f'<html lang="{lang}">, not "{self.language}"')
        if self.viewport is PHONE and not _fits_the_viewport(page):
            width = page.evaluate("document.documentElement.scrollWidth")
            problems.append(f"{width} px wide at {PHONE['width']} px: {_overflowing(page)}")
        if problems:
            self.problems[name] = problems
        # The README's pictures are the English ones (tests/network/test_browser_languages.py
        # takes the French and Norwegian customer pages).
        if screenshot and self.language == "en" and os.environ.get("UPDATE_SCREENSHOTS"):
            suffix = "-phone" if self.viewport is PHONE else ""
            page.screenshot(path=str(SCREENSHOTS / f"{screenshot}{suffix}.png"), full_page=True)

    def visit(self, name: str, path: str, host: str = NETWORK_HOST, screenshot=None) -> None:
        try:
            self.page.goto(self.url(path, host=host))
        except PlaywrightError as error:  # an empty error response: the browser's own page
            self.problems[name] = [error.message.splitlines()[0]]
            return
        self.check(name, screenshot)


def _visit_every_page(browser, live_network, viewport, language) -> dict[str, list[str]]:
    net = _network()
    # The browser's language is what Accept-Language says: the admin has chosen none.
    context = browser.new_context(viewport=viewport, bypass_csp=True, locale=language)
    page = context.new_page()
    page.set_default_timeout(10_000)
    screens = Screens(page, live_network, viewport, language)

    def say(msgid: str, context: str | None = None, **params) -> str:
        return words(language, msgid, context, **params)

    screens.visit("login", "/login/")
    login_in_browser(page, live_network, "root@network.localhost")
    page.wait_for_url("**/customers/")
    screens.check("list", "customer-list")
    screens.visit("empty list", "/customers/?q=nobody-by-this-name")
    detail = network_url("customers:detail", net.ada.pk)
    screens.visit("detail", detail, screenshot="customer-detail")
    screens.visit("detail, billing tab", detail + "?tab=billing")
    page.fill("#fields input[name=email]", "grace@example.com")
    page.locator("#fields").get_by_role("button", name=say("Save fields")).click()
    screens.check("detail, failed save", "failed-save")
    screens.visit(
        "membership", network_url("memberships:detail", net.membership.pk), screenshot="membership"
    )
    screens.visit("payment", network_url("payments:detail", net.payment_pk), screenshot="payment")
    screens.visit("site", network_url("sites:detail", net.site_pk), screenshot="site")
    screens.visit(
        "delete", network_url("deletion:confirm", net.ada.pk), screenshot="delete-confirm"
    )
    screens.visit("events", network_url("events:list"))
    screens.visit("add customer", network_url("customers:add"))
    screens.visit("memberships", network_url("memberships:list"))
    screens.visit("payments", network_url("payments:list"))
    screens.visit("sites", network_url("sites:list"))
    screens.visit("add site", network_url("sites:add") + f"?customer={net.ada.pk}")
    screens.visit("add site: pick the customer", network_url("sites:add") + "?customer_q=ada")
    screens.visit("not found", "/customers/999999/", screenshot="not-found")
    screens.visit("method not allowed", "/logout/")

    page.goto(live_network(detail))
    page.locator(".customer-head").get_by_role(
        "button", name=say("Switch to", "impersonate")
    ).click()
    page.wait_for_url("**/switch/")
    screens.check("switch site picker")
    page.get_by_role("button", name=say("Switch to %(title)s", title="Acme Rockets")).click()
    page.wait_for_url(live_network("/dashboard/", host="acme.localhost"))
    screens.check("subsite dashboard with banner", "switch-banner")
    screens.visit("subsite not found", "/nope/", host="acme.localhost")
    for name, path, shot in (
        ("subsite account", "/dashboard/account/", None),
        ("subsite billing", "/dashboard/billing/", "subsite-billing"),
        ("subsite settings", "/dashboard/settings/", None),
        ("subsite domains", "/dashboard/domains/", None),
        ("subsite team", "/dashboard/team/", None),
        ("subsite home", "/", None),
        ("subsite join link refused", "/dashboard/team/join/MQ/not-a-token/", None),
    ):
        screens.visit(name, path, host="acme.localhost", screenshot=shot)
    page.goto(live_network("/dashboard/", host="acme.localhost"))
    page.get_by_role("button", name=say("Switch back")).click()
    page.wait_for_url(f"**{detail}")
    page.locator(".customer-head").get_by_role("button", name=say("View as (read-only)")).click()
    page.get_by_role("button", name=say("View %(title)s (read-only)", title="Acme Rockets")).click()
    page.wait_for_url(live_network("/dashboard/", host="acme.localhost"))
    screens.check("subsite dashboard, read-only")
    page.goto(live_network("/dashboard/settings/", host="acme.localhost"))
    page.get_by_role("button", name=say("Save settings")).click()
    screens.check("subsite read-only refusal")

    # The server error page, as handler500 renders it (no request context), shown on the
    # network host so its stylesheet loads.
    with translation.override(language):
        html = defaults.server_error(RequestFactory().get("/")).content.decode()
    page.goto(live_network("/login/"))
    page.set_content(html)
    screens.check("server error")

    context.clear_cookies()
    screens.visit("subsite login", "/login/", host="acme.localhost")
    screens.visit("subsite forgot password", "/password-reset/", host="acme.localhost")
    screens.visit("forgot password", "/password-reset/")
    screens.visit("reset link sent", "/password-reset/sent/")
    screens.visit("reset link no longer works", "/password-reset/MQ/not-a-token/")
    screens.visit("verification link refused", "/verify-email/not-a-signed-link/")
    page.goto(live_network("/login/"))
    context.clear_cookies()  # the form's CSRF token no longer matches any cookie
    page.fill("input[name=username]", "root@network.localhost")
    page.fill("input[name=password]", "whatever")
    page.click("button[type=submit]")
    screens.check("CSRF failure")

    UserFactory(username="mallory", email="mallory@example.com")
    login_in_browser(page, live_network, "mallory@example.com")
    page.wait_for_load_state("load")
    screens.visit("forbidden", network_url("customers:list"))
    context.close()
    return screens.problems


@pytest.mark.parametrize(
    ("viewport", "language"),
    [(DESKTOP, "en"), (PHONE, "en"), (PHONE, LONGEST)],
    ids=["1400px", "390px", f"390px-{LONGEST}"],
)
def test_every_page_fits_the_screen_and_passes_axe(browser, live_network, viewport, language):
    problems = _visit_every_page(browser, live_network, viewport, language)
    assert not problems, "\n".join(f"{name}: {p}" for name, p in problems.items())


def _on_screen_and_clickable(locator) -> None:
    """Visible, inside the viewport's width, enabled and not covered: a trial click
    performs every check a real click makes, without clicking."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    locator.click(trial=True)


def test_on_a_phone_every_action_is_on_screen_and_clickable(browser, live_network):
    net = _network()
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    login_in_browser(page, live_network, "root@network.localhost")
    page.wait_for_url("**/customers/")

    _on_screen_and_clickable(page.get_by_role("button", name="Log out"))
    ada_row = page.locator("tr", has_text="Ada Lovelace")
    _on_screen_and_clickable(ada_row.get_by_role("link", name="Manage"))
    _on_screen_and_clickable(ada_row.get_by_role("button", name="Switch to"))

    page.goto(live_network(network_url("customers:detail", net.ada.pk)))
    _on_screen_and_clickable(page.get_by_role("button", name="Switch to"))
    _on_screen_and_clickable(page.get_by_role("button", name="Save fields"))
    _on_screen_and_clickable(page.get_by_role("link", name="Delete customer"))
    _on_screen_and_clickable(page.get_by_role("link", name="Open MEM-", exact=False).first)

    page.goto(live_network(network_url("deletion:confirm", net.ada.pk)))
    _on_screen_and_clickable(page.get_by_role("button", name="Delete permanently"))
    page.goto(live_network(network_url("payments:detail", net.payment_pk)))
    _on_screen_and_clickable(page.get_by_role("button", name="Refund"))
    context.close()


def test_a_failed_save_is_announced_at_the_top_with_a_link_to_each_field(live_network, page):
    net = _network()
    login_in_browser(page, live_network, "root@network.localhost")
    page.wait_for_url("**/customers/")
    page.goto(live_network(network_url("customers:detail", net.ada.pk) + "?tab=billing"))

    options = page.locator("#customer-options")
    options.locator("input[name=billing_email]").fill("not an email")
    options.locator("input[name=postal_code]").fill("")
    options.get_by_role("button", name="Save billing info").click()

    summary = page.locator("#error-summary")
    summary.wait_for()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    links = summary.get_by_role("link")
    assert links.count() >= 2
    assert "Billing email" in summary.inner_text()
    for href in links.evaluate_all("(links) => links.map((a) => a.getAttribute('href'))"):
        assert page.locator(href).count() == 1, href
    links.first.click()
    assert page.evaluate("location.hash") == links.first.get_attribute("href")

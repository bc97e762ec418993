"""Who opens which page of the site's administration, and what each page costs."""

from __future__ import annotations

import re

import pytest
from django_tenants.utils import tenant_context

from siteadmin.services import team_invite
from siteadmin.urls import urlpatterns
from tests.conftest import host_client, subsite_client
from tests.factories import MembershipFactory, PaymentFactory

OWNER_PAGES = ["/dashboard/account/", "/dashboard/billing/"]
MANAGER_PAGES = ["/dashboard/domains/", "/dashboard/team/"]
EVERYONE_PAGES = ["/dashboard/", "/dashboard/settings/"]
ALL_PAGES = OWNER_PAGES + MANAGER_PAGES + EVERYONE_PAGES
WRITES = [
    "/dashboard/account/save/",
    "/dashboard/account/password/",
    "/dashboard/billing/save/",
    "/dashboard/settings/",
    "/dashboard/domains/request/",
    "/dashboard/team/invite/",
]


def _member(site, owner, user, role):
    with tenant_context(site):
        team_invite(site=site, actor=owner.user, email=user.email, role=role)
    return subsite_client(site, user)


@pytest.mark.parametrize("path", ALL_PAGES)
def test_the_owner_opens_every_page(owner_client, path):
    assert owner_client.get(path).status_code == 200


def _every_siteadmin_url() -> list[str]:
    """Every address of the site's administration; the join link is for people who are
    not signed in, by design (its token is the proof)."""
    return [
        "/dashboard/" + re.sub(r"<int:\w+>", "1", str(pattern.pattern))
        for pattern in urlpatterns
        if pattern.name != "join"
    ]


def test_the_walk_finds_every_write():
    assert set(WRITES) <= set(_every_siteadmin_url())


@pytest.mark.parametrize("path", ["/dashboard/", *_every_siteadmin_url()])
def test_it_rejects_outsiders(acme, stranger, path):
    """Another customer, signed in on this host, is refused every page and every write."""
    client = subsite_client(acme, stranger.user)
    assert client.get(path).status_code == 403
    assert client.post(path, {}).status_code == 403


@pytest.mark.parametrize("path", ALL_PAGES)
def test_anonymous_visitors_are_sent_to_this_sites_login(acme, path):
    response = host_client("acme.localhost").get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("path", ALL_PAGES)
def test_a_super_admin_signed_in_without_switch_to_is_refused(acme, super_admin, path):
    assert subsite_client(acme, super_admin).get(path).status_code == 403


def test_an_editor_opens_the_dashboard_and_settings_only(acme, customer, plain_account):
    client = _member(acme, customer, plain_account, "editor")
    for path in EVERYONE_PAGES:
        assert client.get(path).status_code == 200, path
    for path in OWNER_PAGES + MANAGER_PAGES:
        assert client.get(path).status_code == 403, path
    nav = client.get("/dashboard/").content.decode()
    assert "Billing" not in nav and "Team" not in nav


def test_an_administrator_also_manages_domains_and_team_but_not_billing(
    acme, customer, plain_account
):
    client = _member(acme, customer, plain_account, "administrator")
    for path in EVERYONE_PAGES + MANAGER_PAGES:
        assert client.get(path).status_code == 200, path
    for path in OWNER_PAGES:
        assert client.get(path).status_code == 403, path


def test_a_team_member_of_another_site_is_refused_here(
    acme, make_site, customer, stranger, plain_account
):
    beta = make_site("beta", customer=stranger, title="Beta")
    _member(beta, stranger, plain_account, "administrator")
    assert subsite_client(acme, plain_account).get("/dashboard/").status_code == 403


def test_the_dashboard_shows_status_plan_renewal_and_a_failed_payment(owner_client, acme, customer):
    membership = MembershipFactory(customer=customer, plan__name="Pro")
    acme.membership = membership
    acme.save(update_fields=["membership"])
    failed = PaymentFactory(customer=customer, membership=membership, status="failed")

    page = owner_client.get("/dashboard/").content.decode()

    assert "Active" in page and "Pro" in page
    assert "A payment failed" in page and failed.reference in page


def test_the_dashboard_of_a_site_without_trouble_says_so(owner_client):
    page = owner_client.get("/dashboard/").content.decode()
    assert "No failed payment" in page
    assert "No membership" in page


@pytest.mark.parametrize("rows", [1, 30])
def test_pages_keep_their_query_budget(
    owner_client, acme, customer, rows, django_assert_max_num_queries
):
    """Billing lists payments and add-ons, the team its accounts: one query each, never
    one per row."""
    membership = MembershipFactory(customer=customer)
    acme.membership = membership
    acme.save(update_fields=["membership"])
    PaymentFactory.create_batch(rows, customer=customer, membership=membership)
    with tenant_context(acme):
        for n in range(rows):
            team_invite(site=acme, actor=customer.user, email=f"m{n}@example.com", role="editor")
    # Each includes finding the site by its host, the search path, the session and the
    # signed-in account.
    budgets = {
        "/": 6,
        "/dashboard/": 10,
        "/dashboard/billing/": 9,
        "/dashboard/team/": 8,
        "/dashboard/settings/": 7,
        "/dashboard/domains/": 9,
        "/dashboard/account/": 6,
    }
    for path, budget in budgets.items():
        with django_assert_max_num_queries(budget):
            assert owner_client.get(path).status_code == 200, path

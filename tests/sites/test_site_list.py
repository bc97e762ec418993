from __future__ import annotations

import csv
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sites.models import Site
from sites.services import site_active_set
from sites.views import LIST_FACETS_KEY
from tests.conftest import network_url
from tests.factories import CustomerFactory, MembershipFactory

LIST = network_url("sites:list")
EXPORT = network_url("sites:export")
# Tenant, session, user and its permissions (4), the capped counts and the page (2), and
# the test's savepoint pair.
LIST_QUERIES = 7


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.delete(LIST_FACETS_KEY)


def titles(response) -> list[str]:
    return [site.title for site in response.context["page"].items]


@pytest.fixture
def ada(network):
    return CustomerFactory(
        user__username="ada",
        user__email="ada@example.com",
        user__first_name="Ada",
        user__last_name="Lovelace",
    )


def test_it_rejects_outsiders(outsider_client, staff_client, anonymous_client):
    for url in (LIST, EXPORT):
        assert outsider_client.get(url).status_code == 403
        assert staff_client.get(url).status_code == 403
        assert anonymous_client.get(url)["Location"].startswith("/login/")


def test_each_row_links_to_the_site_its_customer_and_membership(admin_client, make_site, ada):
    membership = MembershipFactory(customer=ada)
    site = make_site("acme", customer=ada, membership=membership, title="Acme Rockets")
    html = admin_client.get(LIST).content.decode()
    assert f'href="{network_url("sites:detail", site.pk)}">Acme Rockets<' in html
    assert f'href="{network_url("customers:detail", ada.pk)}">Ada Lovelace<' in html
    assert f'href="{network_url("memberships:detail", membership.pk)}"' in html
    assert "acme.localhost" in html


@pytest.mark.parametrize("term", ["ROCKETS", "acme.local", "lovelace", "ada@example"])
def test_search_finds_sites_by_title_domain_or_customer(admin_client, make_site, ada, term):
    make_site("acme", customer=ada, title="Acme Rockets")
    make_site("other", title="Other")
    assert titles(admin_client.get(LIST, {"q": term})) == ["Acme Rockets"]


def test_filters_narrow_the_list_and_count_for_real(admin_client, make_site, ada):
    make_site("acme", customer=ada, type=Site.Type.REGULAR, title="Acme")
    make_site("beta", customer=ada, title="Beta")
    site_active_set(site=make_site("gone", customer=ada, type=Site.Type.REGULAR), active=False)
    make_site("other", type=Site.Type.REGULAR, title="Other")
    response = admin_client.get(LIST, {"type": "regular", "active": "yes", "customer": ada.pk})
    assert titles(response) == ["Acme"]
    html = response.content.decode()
    assert ">Regular site (3)<" in html
    assert ">Inactive (1)<" in html
    assert "Sites of Ada Lovelace" in html
    assert f'href="{network_url("sites:add")}?customer={ada.pk}"' in html


@pytest.mark.parametrize(
    ("sort", "expected"), [("title", ["Alpha", "Zulu"]), ("oldest", ["Zulu", "Alpha"])]
)
def test_each_sort_orders_the_list(admin_client, make_site, sort, expected):
    make_site("zulu", title="Zulu")
    make_site("alpha", title="Alpha")
    response = admin_client.get(LIST, {"sort": sort, "type": "customer-owned"})
    assert titles(response) == expected


def _list_queries(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST, params).status_code == 200
    return len(queries)


def test_the_list_makes_the_same_few_queries_for_1_or_8_sites(admin_client, make_site, ada):
    """Customer, account and primary domain come in the page's own query."""
    make_site("s0", customer=ada)
    _list_queries(admin_client, {})  # the filter counts are cached from here on
    one = _list_queries(admin_client, {"per_page": 100})
    for n in range(1, 8):
        make_site(f"s{n}", customer=CustomerFactory())
    many = _list_queries(admin_client, {"per_page": 100})
    assert one == many == LIST_QUERIES


def test_export_streams_the_filtered_list_as_csv(admin_client, make_site, ada):
    membership = MembershipFactory(customer=ada)
    make_site("acme", customer=ada, membership=membership, title="Acme")
    make_site("other", title="Other")
    response = admin_client.get(EXPORT, {"customer": ada.pk})
    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["title"] == "Acme"
    assert row["primary_domain"] == "acme.localhost"
    assert row["customer_email"] == "ada@example.com"
    assert row["membership"] == membership.reference

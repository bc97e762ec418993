from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from memberships.models import Gateway, Membership
from memberships.views import LIST_FACETS_KEY
from tests.conftest import network_url
from tests.factories import CustomerFactory, MembershipFactory, ProductFactory

LIST = network_url("memberships:list")
EXPORT = network_url("memberships:export")
# Tenant, session, user and its permissions (4), the products (for the product and
# currency menus), the capped counts and the page (3), and the test's savepoint pair.
LIST_QUERIES = 8


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.delete(LIST_FACETS_KEY)


def references(response) -> list[str]:
    return [membership.reference for membership in response.context["page"].items]


def ada(**kwargs):
    return CustomerFactory(
        user__username="ada",
        user__email="ada@example.com",
        user__first_name="Ada",
        user__last_name="Lovelace",
        **kwargs,
    )


def test_it_rejects_outsiders(outsider_client, staff_client, anonymous_client):
    for url in (LIST, EXPORT):
        assert outsider_client.get(url).status_code == 403
        assert staff_client.get(url).status_code == 403
        assert anonymous_client.get(url)["Location"].startswith("/login/")


def test_each_row_links_to_the_membership_and_its_customer(admin_client):
    membership = MembershipFactory(customer=ada(), plan=ProductFactory(name="Gold"))
    html = admin_client.get(LIST).content.decode()
    assert (
        f'href="{network_url("memberships:detail", membership.pk)}">{membership.reference}<' in html
    )
    assert f'href="{network_url("customers:detail", membership.customer_id)}">Ada Lovelace<' in html
    assert "ada@example.com" in html
    assert "Gold" in html
    assert 'aria-current="page">Memberships<' in html


@pytest.mark.parametrize("term", ["MEM-{:06d}", "mem-{}", "{}", "  MEM-{:06d} "])
def test_search_finds_a_membership_by_its_reference(admin_client, term):
    wanted = MembershipFactory()
    MembershipFactory()
    response = admin_client.get(LIST, {"q": term.format(wanted.pk)})
    assert references(response) == [wanted.reference]


@pytest.mark.parametrize("term", ["lovelace", "ADA@EXAMPLE", "Ada"])
def test_search_finds_memberships_by_customer_name_or_email(admin_client, term):
    wanted = MembershipFactory(customer=ada())
    MembershipFactory()
    assert references(admin_client.get(LIST, {"q": term})) == [wanted.reference]


def test_filters_narrow_the_list_and_stay_in_the_url(admin_client):
    gold = ProductFactory(name="Gold", currency="EUR")
    soon = timezone.now() + timedelta(days=3)
    wanted = MembershipFactory(
        plan=gold,
        currency="EUR",
        gateway=Gateway.STRIPE,
        status=Membership.Status.TRIALING,
        date_expiration=soon,
    )
    MembershipFactory(plan=gold, currency="EUR", gateway=Gateway.STRIPE, date_expiration=soon)
    MembershipFactory(plan=gold, currency="EUR", status=Membership.Status.TRIALING)
    MembershipFactory(status=Membership.Status.TRIALING, gateway=Gateway.STRIPE)
    MembershipFactory(
        plan=gold,
        gateway=Gateway.STRIPE,
        status=Membership.Status.TRIALING,
        date_expiration=timezone.now() + timedelta(days=20),
    )
    params = {
        "status": "trialing",
        "product": gold.pk,
        "gateway": "stripe",
        "currency": "eur",
        "expiring": "7",
    }
    response = admin_client.get(LIST, params)
    assert references(response) == [wanted.reference]
    html = response.content.decode()
    assert '<option value="trialing" selected>' in html
    assert f'<option value="{gold.pk}" selected>' in html
    assert '<option value="7" selected>' in html
    assert "1 membership matches these filters" in " ".join(html.split())
    export = f"{EXPORT}?status=trialing&amp;product={gold.pk}&amp;gateway=stripe&amp;currency=eur"
    assert export in html


def test_expiring_within_leaves_out_the_already_expired(admin_client):
    MembershipFactory(date_expiration=timezone.now() - timedelta(days=1))
    wanted = MembershipFactory(date_expiration=timezone.now() + timedelta(days=1))
    assert references(admin_client.get(LIST, {"expiring": "7"})) == [wanted.reference]


def test_filter_counts_are_real(admin_client):
    gold = ProductFactory(name="Gold", currency="EUR")
    MembershipFactory.create_batch(2, plan=gold, currency="EUR", gateway=Gateway.STRIPE)
    MembershipFactory(status=Membership.Status.CANCELLED)
    html = admin_client.get(LIST).content.decode()
    assert ">Gold (2)<" in html
    assert ">Stripe (2)<" in html
    assert ">Manual (1)<" in html
    assert ">EUR (2)<" in html
    assert ">Cancelled (1)<" in html
    assert ">Active (2)<" in html


def test_the_customer_filter_names_the_customer(admin_client):
    customer = ada()
    wanted = MembershipFactory(customer=customer)
    MembershipFactory()
    response = admin_client.get(LIST, {"customer": customer.pk})
    assert references(response) == [wanted.reference]
    assert "Memberships of Ada Lovelace" in response.content.decode()


def test_the_customer_list_links_each_membership_count_to_the_filtered_list(admin_client):
    customer = ada()
    MembershipFactory.create_batch(2, customer=customer)
    html = admin_client.get(network_url("customers:list")).content.decode()
    assert f'href="{LIST}?customer={customer.pk}"' in html


@pytest.mark.parametrize(
    ("sort", "expected"),
    [("newest", [3, 2, 1]), ("oldest", [1, 2, 3]), ("expiring", [2, 1, 3]), ("id", [1, 2, 3])],
)
def test_each_sort_orders_the_list(admin_client, sort, expected):
    now = timezone.now()
    made = [
        MembershipFactory(date_expiration=now + timedelta(days=5)),
        MembershipFactory(date_expiration=now + timedelta(days=1)),
        MembershipFactory(date_expiration=None),
    ]
    response = admin_client.get(LIST, {"sort": sort})
    assert references(response) == [made[n - 1].reference for n in expected]


def test_a_bad_parameter_falls_back_to_its_default(admin_client):
    MembershipFactory()
    response = admin_client.get(
        LIST, {"status": "bogus", "product": "x", "sort": "nope", "per_page": "7", "customer": "-1"}
    )
    assert response.status_code == 200
    assert len(references(response)) == 1


def test_pages_follow_each_other(admin_client):
    made = MembershipFactory.create_batch(27)
    first = admin_client.get(LIST, {"sort": "id"})
    second = admin_client.get(LIST, {"sort": "id", "page": 2})
    assert references(first) == [m.reference for m in made[:25]]
    assert references(second) == [m.reference for m in made[25:]]
    assert "?sort=id&amp;page=2" in first.content.decode()


def _list_queries(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("params", "budget"),
    [({}, LIST_QUERIES), ({"status": "active", "sort": "expiring"}, LIST_QUERIES)],
)
def test_the_list_makes_the_same_few_queries_for_1_or_30_memberships(admin_client, params, budget):
    """Customer, account and plan come in the page's own query, not one query per row."""
    MembershipFactory()
    _list_queries(admin_client, params)  # the filter counts are cached from here on
    one = _list_queries(admin_client, {**params, "per_page": 100})
    MembershipFactory.create_batch(29)
    many = _list_queries(admin_client, {**params, "per_page": 100})
    assert one == many == budget


def test_export_streams_the_filtered_list_as_csv(admin_client):
    wanted = MembershipFactory(customer=ada(), plan=ProductFactory(name="=Gold"))
    MembershipFactory(status=Membership.Status.CANCELLED)
    response = admin_client.get(EXPORT, {"status": "active"})
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["reference"] == wanted.reference
    assert row["customer_email"] == "ada@example.com"
    assert row["plan"] == "'=Gold"  # a spreadsheet will not run it
    assert row["status"] == "active"

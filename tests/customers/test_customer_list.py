from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from customers.models import CUSTOMER_SORTS, Customer, User
from customers.views import FACET_COUNTS_KEY
from sites.models import Site
from tests.conftest import network_url
from tests.customers.bulk import bulk_seed
from tests.factories import CustomerFactory, MembershipFactory

LIST = network_url("customers:list")
# Tenant, session, user and its permissions (4; no `SET search_path`: the connection is on
# the public schema already, network/db), the page and the capped counts (2), and a
# savepoint pair from the test.
LIST_QUERIES = 7
# A search adds the trigram id lookup, with the planner settings around it (and, inside
# a test's transaction, a savepoint).
SEARCH_QUERIES = LIST_QUERIES + 5


def names_on(response) -> list[str]:
    return [customer.user.display_name for customer in response.context["page"].items]


def make_customer(first: str, last: str, **kwargs) -> Customer:
    username = kwargs.pop("username", f"{first}{last}".lower())
    return CustomerFactory(
        user__username=username,
        user__email=kwargs.pop("email", f"{username}@example.com"),
        user__first_name=first,
        user__last_name=last,
        **kwargs,
    )


def test_it_sends_anonymous_visitors_to_log_in(anonymous_client):
    response = anonymous_client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_it_rejects_outsiders(outsider_client, staff_client):
    assert outsider_client.get(LIST).status_code == 403
    assert staff_client.get(LIST).status_code == 403


def test_each_row_shows_what_the_admin_needs(admin_client, make_site):
    ada = make_customer("Ada", "Lovelace", vip=True)
    make_site("engines", customer=ada)
    MembershipFactory.create_batch(2, customer=ada)
    response = admin_client.get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ada Lovelace" in html
    assert "adalovelace@example.com" in html
    assert ">AL<" in html  # initials avatar
    assert 'class="badge badge-vip">VIP' in html
    assert "Never logged in" in html
    assert f'href="{network_url("customers:detail", ada.pk)}"' in html
    assert f'action="{network_url("switch:start", ada.pk)}"' in html
    assert response.context["page"].items[0].membership_count == 2


def test_the_switch_to_control_is_a_csrf_protected_post_form(admin_client, make_site):
    ada = make_customer("Ada", "Lovelace")
    make_site("engines", customer=ada)
    """One form per page, not two per row: each row's buttons post it to their customer's
    address (`formaction`), View as with `read_only=1` as the button's own value."""
    admin_client.handler.enforce_csrf_checks = True
    html = admin_client.get(LIST).content.decode()
    switch_url = network_url("switch:start", ada.pk)
    assert (
        f'<button type="submit" form="switch" formaction="{switch_url}" class="button small">'
        "Switch to</button>" in html
    )
    assert (
        f'form="switch" formaction="{switch_url}" name="read_only" value="1" class="button small"'
        in html
    )
    form_start = html.index('<form id="switch" method="post">')
    form = html[form_start : html.index("</form>", form_start)]
    assert 'name="csrfmiddlewaretoken"' in form
    assert html.count("csrfmiddlewaretoken") == 3  # the switch, bulk and log-out forms

    token = form.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = admin_client.post(
        switch_url, {"csrfmiddlewaretoken": token, "read_only": "1"}, follow=False
    )
    assert response.status_code == 200
    assert b'name="secret"' in response.content


def test_switch_to_is_disabled_with_the_reason_where_there_is_no_active_site(
    admin_client, make_site
):
    ada = make_customer("Ada", "Lovelace")
    make_site("engines", customer=ada)
    alan = make_customer("Alan", "Turing")
    Site.objects.filter(pk=make_site("bombe", customer=alan).pk).update(active=False)
    make_customer("Nora", "Nosite")

    html = admin_client.get(LIST).content.decode()

    assert html.count(f'action="{network_url("switch:start", ada.pk)}"') == 2  # and View as
    assert f'action="{network_url("switch:start", alan.pk)}"' not in html
    assert html.count("disabled aria-describedby") == 2
    assert html.count(">No active site</span>") == 2


def test_last_login_reads_online_relative_or_never(admin_client, settings):
    settings.ONLINE_WINDOW_SECONDS = 300
    now = timezone.now()
    make_customer("Olive", "Online", last_login_at=now - timedelta(minutes=1))
    make_customer("Rita", "Recent", last_login_at=now - timedelta(hours=3))
    make_customer("Nora", "Never")
    html = admin_client.get(LIST).content.decode()
    assert ">Online</span>" in html
    assert "3\xa0hours ago" in html
    assert "Never logged in" in html


@pytest.mark.parametrize("term", ["lovelace", "LOVE", "ada@ex", "ADALOVE", "a lov"])
def test_search_matches_name_username_or_email_whatever_the_case(admin_client, term):
    make_customer("Ada", "Lovelace", username="adalove", email="ada@example.com")
    make_customer("Alan", "Turing")
    assert names_on(admin_client.get(LIST, {"q": term})) == ["Ada Lovelace"]


def test_search_understands_accented_letters(admin_client):
    make_customer("Karen", "Spärck Jones", username="ksj")
    make_customer("Alan", "Turing")
    assert names_on(admin_client.get(LIST, {"q": "SPÄRCK"})) == ["Karen Spärck Jones"]


def test_search_treats_wildcards_as_plain_text(admin_client):
    make_customer("Per", "Cent", username="per_cent")
    make_customer("Alan", "Turing")
    assert names_on(admin_client.get(LIST, {"q": "%"})) == []
    assert names_on(admin_client.get(LIST, {"q": "r_c"})) == ["Per Cent"]


def test_filters_combine_and_stay_in_the_url(admin_client):
    now = timezone.now()
    make_customer("Vera", "Vip", vip=True, email_verification="verified")
    make_customer("Vic", "Vip", vip=True, email_verification="pending")
    make_customer("Otto", "Online", last_seen_at=now, last_login_at=now)
    make_customer("Pia", "Plain", email_verification="pending")

    assert sorted(names_on(admin_client.get(LIST, {"vip": "yes"}))) == ["Vera Vip", "Vic Vip"]
    assert names_on(admin_client.get(LIST, {"vip": "yes", "verification": "pending"})) == [
        "Vic Vip"
    ]
    assert names_on(admin_client.get(LIST, {"online": "on"})) == ["Otto Online"]
    assert sorted(names_on(admin_client.get(LIST, {"vip": "no"}))) == [
        "Otto Online",
        "Pia Plain",
    ]
    html = admin_client.get(LIST, {"vip": "yes", "verification": "pending"}).content.decode()
    assert '<option value="yes" selected>' in html
    assert '<option value="pending" selected>' in html


def test_filter_counts_are_real(admin_client):
    make_customer("Vera", "Vip", vip=True, email_verification="verified")
    make_customer("Pia", "Plain", email_verification="pending")
    make_customer("Paul", "Plain", email_verification="pending")
    html = admin_client.get(LIST).content.decode()
    assert "VIP only (1)" in html
    assert "Pending (2)" in html
    assert "Verified (1)" in html
    assert "3 customers" in html


def test_filter_counts_are_kept_briefly_but_the_result_count_is_live(admin_client):
    make_customer("Vera", "Vip", vip=True)
    assert "VIP only (1)" in admin_client.get(LIST).content.decode()
    make_customer("Vic", "Vip", vip=True)
    html = admin_client.get(LIST).content.decode()
    assert "VIP only (1)" in html  # counted moments ago
    assert "recounted every 30 seconds" in html
    assert "2 customers" in html
    assert "2 customers match" in admin_client.get(LIST, {"vip": "yes"}).content.decode()
    cache.delete(FACET_COUNTS_KEY)  # as when the 30 seconds are up
    assert "VIP only (2)" in admin_client.get(LIST).content.decode()


def test_counts_are_capped_instead_of_scanning_everything(admin_client, monkeypatch):
    monkeypatch.setattr("network.paging.COUNT_CAP", 2)
    for n in range(4):
        make_customer("Many", f"Vips{n}", vip=True)
    response = admin_client.get(LIST)
    assert response.context["counts"]["vip"] == 3  # stopped at cap + 1
    assert "VIP only (2+)" in response.content.decode()


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("last_login", ["Bea", "Cid", "Abe"]),
        ("-last_login", ["Abe", "Cid", "Bea"]),
        ("newest", ["Cid", "Bea", "Abe"]),
        ("oldest", ["Abe", "Bea", "Cid"]),
        ("name", ["Abe", "Bea", "Cid"]),
        ("-name", ["Cid", "Bea", "Abe"]),
        ("id", ["Abe", "Bea", "Cid"]),
        ("-id", ["Cid", "Bea", "Abe"]),
    ],
)
def test_each_sort_orders_the_list(admin_client, sort, expected):
    now = timezone.now()
    for first, login, age in [("Abe", None, 3), ("Bea", 1, 2), ("Cid", 5, 1)]:
        customer = make_customer(first, "Sample")
        Customer.objects.filter(pk=customer.pk).update(
            created_at=now - timedelta(days=age),
            last_login_at=None if login is None else now - timedelta(hours=login),
        )
    firsts = [name.split()[0] for name in names_on(admin_client.get(LIST, {"sort": sort}))]
    assert firsts == expected


@pytest.mark.parametrize("sort", list(CUSTOMER_SORTS))
def test_every_offered_sort_walks_an_index_instead_of_sorting(sort, network):
    """At a million customers a sort no index gives reads them all to show a page."""
    make_customer("Ada", "Lovelace")
    query = Customer.objects.for_list().sorted_by(sort)[:25]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off; SET LOCAL enable_seqscan = off")
        sql, params = query.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Sort" not in plan, plan


def test_column_headers_sort_both_ways_and_say_which(admin_client):
    make_customer("Ada", "Lovelace")
    html = admin_client.get(LIST, {"vip": "no", "page": "1"}).content.decode()
    assert (
        '<th class="" aria-sort="descending">'
        '<a class="sort-link" href="?vip=no&amp;sort=-last_login">Last login' in html
    )
    assert '<a class="sort-link" href="?vip=no&amp;sort=name">Customer' in html
    html = admin_client.get(LIST, {"sort": "name"}).content.decode()
    assert 'aria-sort="ascending"><a class="sort-link" href="?sort=-name">Customer' in html
    html = admin_client.get(LIST, {"sort": "-name"}).content.decode()
    assert 'aria-sort="descending"><a class="sort-link" href="?sort=name">Customer' in html
    assert '<a class="sort-link" href="?sort=id">ID' in html


def test_rows_show_the_id_and_a_mailto_link(admin_client):
    ada = make_customer("Ada", "Lovelace", email="ada@example.com")
    html = admin_client.get(LIST).content.decode()
    assert f'data-label="ID">{ada.pk}</td>' in html
    assert '<a href="mailto:ada@example.com">ada@example.com</a>' in html


def test_a_bad_parameter_falls_back_to_its_default(admin_client):
    make_customer("Ada", "Lovelace")
    response = admin_client.get(LIST, {"sort": "password", "per_page": "9999", "page": "x"})
    assert response.status_code == 200
    assert names_on(response) == ["Ada Lovelace"]


def test_pages_follow_each_other_without_counting_the_table(admin_client):
    for n in range(30):
        make_customer("Person", f"N{n:02d}")
    first = admin_client.get(LIST, {"sort": "id", "per_page": 25})
    second = admin_client.get(LIST, {"sort": "id", "per_page": 25, "page": 2})
    assert len(first.context["page"].items) == 25 and first.context["page"].has_next
    assert len(second.context["page"].items) == 5 and not second.context["page"].has_next
    assert "page=2" in first.content.decode()
    assert "Showing 26–30 of 30" in second.content.decode()


def test_an_empty_list_says_so(admin_client):
    assert "No customers yet" in admin_client.get(LIST).content.decode()
    make_customer("Ada", "Lovelace")
    assert "No customers match" in admin_client.get(LIST, {"q": "zzz"}).content.decode()


def _list_queries(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("params", "budget"),
    [
        ({}, LIST_QUERIES),
        ({"q": "person"}, SEARCH_QUERIES),
        ({"q": "pe"}, LIST_QUERIES),
        ({"vip": "yes", "online": "on", "sort": "name"}, LIST_QUERIES),
    ],
)
def test_the_list_makes_the_same_few_queries_for_1_or_30_customers(admin_client, params, budget):
    """Membership counts and whether Switch to can work come from subqueries in the
    page's own query, not one query per row, and no COUNT(*) of the whole table is made."""
    make_customer("Person", "First", vip=True)
    one = _list_queries(admin_client, {**params, "per_page": 100})
    for n in range(29):
        customer = make_customer("Person", f"N{n:02d}", vip=True)
        MembershipFactory(customer=customer)
        if n % 2:  # a row whose Switch to works; its schema is never read by the list
            Site.objects.create(schema_name=f"person{n}", title=f"Site {n}", customer=customer)
    many = _list_queries(admin_client, {**params, "per_page": 100})
    assert one == many
    assert many == budget


def test_export_streams_the_filtered_list_as_csv(admin_client):
    ada = make_customer("Ada", "Lovelace", vip=True, company_name="Engines")
    MembershipFactory(customer=ada)
    make_customer("Alan", "Turing")
    make_customer("Mallory", "=cmd|' /C calc'!A0", username="mallory")
    response = admin_client.get(network_url("customers:export"), {"vip": "yes"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:5] == ["id", "first_name", "last_name", "username", "email"]
    assert len(rows) == 2
    assert rows[1][1:5] == ["Ada", "Lovelace", "adalovelace", "adalovelace@example.com"]
    assert rows[1][rows[0].index("memberships")] == "1"
    assert rows[1][rows[0].index("company")] == "Engines"


def test_export_defuses_spreadsheet_formulas(admin_client):
    make_customer("Mallory", "=HYPERLINK(1)", username="mallory")
    response = admin_client.get(network_url("customers:export"))
    body = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK(1)" in body


def test_export_writes_moments_as_python_isoformat_would(admin_client):
    """PostgreSQL writes the moments (network.lists.IsoMoment), to the character what
    `isoformat()` gave: UTC, and no fraction when it is zero."""
    whole = timezone.now().replace(microsecond=0) - timedelta(days=400)
    fraction = whole.replace(microsecond=250)
    ada = make_customer("Ada", "Lovelace")
    Customer.objects.filter(pk=ada.pk).update(created_at=whole, last_login_at=fraction)
    response = admin_client.get(network_url("customers:export"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["customer_since"] == whole.isoformat() and "." not in row["customer_since"]
    assert row["last_login"] == fraction.isoformat()
    assert row["last_login"].endswith(".000250+00:00")


def test_export_reads_through_a_server_side_cursor(admin_client):
    """A million rows never sit in memory: Django fetches them in chunks from a named
    (server-side) cursor."""
    make_customer("Ada", "Lovelace")
    response = admin_client.get(network_url("customers:export"))
    opened = []
    real_chunked_cursor = connection.chunked_cursor

    def spy():
        cursor = real_chunked_cursor()
        opened.append(cursor)
        return cursor

    connection.chunked_cursor = spy
    try:
        body = b"".join(response.streaming_content).decode()
    finally:
        del connection.chunked_cursor
    assert "Lovelace" in body
    assert opened and getattr(opened[0].cursor, "name", None)  # only server-side ones have names


def test_export_refuses_outsiders(outsider_client, anonymous_client):
    assert outsider_client.get(network_url("customers:export")).status_code == 403
    assert anonymous_client.get(network_url("customers:export")).status_code == 302


@pytest.fixture
def seeded_users(db):
    bulk_seed(20_000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE customers_user")


def _plan(sql: str, params=None) -> str:
    """EXPLAIN as the id lookup runs: with sequential and plain index scans off."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan TO DEFAULT; SET LOCAL enable_indexscan TO DEFAULT")
    return plan


def test_search_reads_the_trigram_index(seeded_users):
    """The id lookup a search runs is a bitmap scan of user_search_trgm, built on
    exactly customers.models.search_expression(); so is the filter used for terms
    too common for that lookup."""
    with CaptureQueriesContext(connection) as queries:
        User.objects.search_ids("lovelace12", limit=10)
    lookup = next(q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT"))
    assert "Bitmap Index Scan on user_search_trgm" in _plan(lookup)

    common_path = Customer.objects.filter(user__in=User.objects.search("lovelace12").values("pk"))
    assert "Bitmap Index Scan on user_search_trgm" in _plan(*common_path.query.sql_with_params())


def test_search_finds_the_same_customers_by_either_path(seeded_users, monkeypatch):
    rare = set(Customer.objects.search("lovelace1").values_list("pk", flat=True))
    monkeypatch.setattr("customers.models.SEARCH_ID_LIMIT", 1)
    walked = set(Customer.objects.search("lovelace1").values_list("pk", flat=True))
    assert rare and rare == walked


def test_a_page_past_the_end_shows_the_last_page_not_no_customers(admin_client):
    for n in range(3):
        make_customer("Person", f"N{n:02d}")
    response = admin_client.get(LIST, {"page": "400"})
    html = response.content.decode()
    assert response.status_code == 200
    assert len(response.context["page"].items) == 3
    assert "No customers yet" not in html
    assert "Showing 1–3 of 3" in html


def test_a_very_long_search_is_cut_not_dropped(admin_client):
    make_customer("Ada", "Lovelace")
    make_customer("Alan", "Turing")
    response = admin_client.get(LIST, {"q": "lovelace" + " " * 300})
    html = response.content.decode()
    assert "Ada Lovelace" in html
    assert "Alan Turing" not in html


def test_the_last_page_paging_reaches_says_how_to_reach_the_rest(admin_client, monkeypatch):
    CustomerFactory.create_batch(26)
    limit = "Pages stop here: narrow the search or change the sort to reach the rest."

    assert limit not in admin_client.get(LIST).content.decode()

    monkeypatch.setattr("network.paging.MAX_PAGE", 1)
    page = admin_client.get(LIST)
    assert not page.context["page"].has_next
    assert limit in page.content.decode()

"""What a request costs before its view runs (issue 14, "Per request").

A probe middleware, last in MIDDLEWARE, answers in place of the view with the number of
statements the request has sent so far: the whole middleware stack's cost, measured on
real pages. Committed data (transactional tests) and a warm process, as in production:
the host cache is filled (sites/hosts.py) and the connection already has the search path
of the previous request on the same host (network/db/base.py).

Before this work: anonymous 2, a super admin on the network host 5, a site's owner on its
subsite 5, an impersonated session 8 (plus, in production, Django's health check).
"""

from __future__ import annotations

import time

import psycopg
import pytest
from django.db import connection, connections
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext

from sites.hosts import APPLICATION_NAME, hosts
from sites.models import Site
from sites.services import site_active_set
from tests.conftest import drop_site_schemas, host_client, subsite_client
from tests.switch.conftest import redeem, start

pytestmark = pytest.mark.django_db(transaction=True)

PROBE = "HTTP_X_QUERIES_BEFORE_VIEW"


class QueriesBeforeView:
    """Answers a request that carries the probe header with the count of statements sent
    before the view, instead of running the view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if PROBE not in request.META:
            return None
        return HttpResponse(str(len(connection.queries_log)))


@pytest.fixture(autouse=True)
def _probe(settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.QueriesBeforeView"]
    yield
    connection.set_schema_to_public()
    drop_site_schemas()


@pytest.fixture
def acme(make_site, customer):
    return make_site("acme", customer=customer, title="Acme Rockets")


def before_view(client, path: str = "/") -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, **{PROBE: "1"})
    assert response.status_code == 200, response
    sent = int(response.content) - queries.initial_queries
    return [query["sql"] for query in queries.captured_queries[:sent]]


def warm(client, path: str = "/") -> list[str]:
    """The cost once the process is warm: its listener listening, then a first request on
    this host (fills the host cache, sets the connection's search path)."""
    client.get(path)
    wait_for(lambda: hosts.listening)
    before_view(client, path)
    return before_view(client, path)


def wait_for(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_an_anonymous_request_costs_no_query_before_the_view(anonymous_client):
    assert warm(anonymous_client) == []


def test_a_super_admin_request_costs_two_queries_before_the_view(admin_client):
    """The session and the user: no SET search_path, no host lookup."""
    queries = warm(admin_client)
    assert len(queries) <= 2, queries
    assert ['"django_session"' in queries[0], '"customers_user"' in queries[1]] == [True, True]


def test_a_site_owner_costs_two_queries_before_the_view(acme, customer):
    owner = subsite_client(acme, customer.user)
    assert len(warm(owner, "/dashboard/")) == 2


def test_an_impersonated_request_costs_three_queries_before_the_view(admin_client, customer, acme):
    """The session, the user, and the re-check: the grant with its admin and whether the
    admin still holds the network-admin permission, in one query."""
    switched, _ = redeem(start(admin_client, customer))
    queries = warm(switched, "/dashboard/")
    assert len(queries) == 3, queries
    assert '"sites_switchgrant"' in queries[2]


def test_a_request_on_another_schema_than_the_last_sets_the_search_path_once(
    admin_client, acme, customer
):
    owner = subsite_client(acme, customer.user)
    warm(owner, "/dashboard/")
    warm(admin_client)

    queries = before_view(owner, "/dashboard/")

    assert queries[0] == 'SET search_path = "acme","public"'
    assert len(queries) == 3


# --- The host cache across processes: what one commits, every other sees at once.


def other_process_runs(*statements: str, commit: bool = True) -> None:
    """Another client of the database (another gunicorn worker, a shell), with a
    connection of its own."""
    params = connections["default"].get_connection_params()
    with psycopg.connect(**params) as other:
        for statement in statements:
            other.execute(statement)
        if commit:
            other.commit()
        else:
            other.rollback()


def test_a_site_deactivated_elsewhere_shows_its_503_page_at_once(acme, customer):
    owner = subsite_client(acme, customer.user)
    assert len(warm(owner, "/dashboard/")) == 2  # served from the cache

    other_process_runs(f"UPDATE sites_site SET active = false WHERE id = {acme.pk}")

    wait_for(lambda: owner.get("/dashboard/").status_code == 503, seconds=2)


def test_a_rolled_back_change_is_not_heard(acme, customer):
    owner = subsite_client(acme, customer.user)
    warm(owner, "/dashboard/")

    other_process_runs(f"UPDATE sites_site SET active = false WHERE id = {acme.pk}", commit=False)
    other_process_runs("SELECT 1")  # a later commit, so a notification would have arrived
    time.sleep(0.2)

    assert owner.get("/dashboard/").status_code == 200
    assert len(before_view(owner, "/dashboard/")) == 2  # still from the cache


def test_the_service_deactivating_a_site_is_seen_at_once(acme, customer, super_admin):
    owner = subsite_client(acme, customer.user)
    warm(owner, "/dashboard/")

    site_active_set(site=acme, active=False, actor=super_admin)

    wait_for(lambda: owner.get("/dashboard/").status_code == 503, seconds=2)


def test_a_removed_domain_stops_serving_its_site_at_once(acme, customer, anonymous_client):
    shop = host_client("shop.localhost")
    other_process_runs(
        f"INSERT INTO sites_domain (domain, tenant_id, is_primary) VALUES "
        f"('shop.localhost', {acme.pk}, false)"
    )
    warm(shop, "/login/")

    other_process_runs("DELETE FROM sites_domain WHERE domain = 'shop.localhost'")

    wait_for(lambda: shop.get("/login/").status_code == 404, seconds=2)


def test_a_change_to_another_site_keeps_this_ones_host_cached(acme, make_site, customer):
    beta = make_site("beta")
    owner = subsite_client(acme, customer.user)
    warm(owner, "/dashboard/")

    other_process_runs(f"UPDATE sites_site SET title = 'Beta 2' WHERE id = {beta.pk}")
    time.sleep(0.2)

    assert len(before_view(owner, "/dashboard/")) == 2


def test_a_lost_listener_connection_clears_the_cache_and_reconnects(acme, customer, monkeypatch):
    monkeypatch.setattr("sites.hosts.RECONNECT_SECONDS", 3)
    owner = subsite_client(acme, customer.user)
    warm(owner, "/dashboard/")

    other_process_runs(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE application_name = '{APPLICATION_NAME}' AND datname = current_database()"
    )
    wait_for(lambda: not hosts.listening)
    # Unheard while nobody listens; seen anyway, since nothing kept is trusted any more.
    Site.objects.filter(pk=acme.pk).update(active=False)

    assert owner.get("/dashboard/").status_code == 503
    wait_for(lambda: hosts.listening)
    assert owner.get("/dashboard/").status_code == 503


# --- The connection's own round trips.


def sets_of(queries) -> list[str]:
    return [query["sql"] for query in queries if query["sql"].startswith("SET search_path")]


def test_setting_the_schema_the_connection_has_sends_nothing(network, acme):
    connection.set_schema_to_public()
    Site.objects.count()
    with CaptureQueriesContext(connection) as queries:
        connection.set_schema_to_public()
        Site.objects.count()
        connection.set_tenant(acme)
        Site.objects.count()
        connection.set_tenant(acme)
        Site.objects.count()
    assert sets_of(queries) == ['SET search_path = "acme","public"']


def test_a_rolled_back_transaction_sets_the_search_path_again(network):
    connection.set_schema_to_public()
    Site.objects.count()

    connection.set_autocommit(False)
    connection.rollback()
    connection.set_autocommit(True)
    with CaptureQueriesContext(connection) as queries:
        Site.objects.count()
    assert sets_of(queries) == ['SET search_path = "public"']


class CountingConnection:
    """The psycopg connection, counting the cursors opened on it."""

    def __init__(self, raw):
        self.raw = raw
        self.cursors = 0

    def cursor(self, *args, **kwargs):
        self.cursors += 1
        return self.raw.cursor(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.raw, name)


def test_the_health_check_of_a_quiet_connection_costs_no_round_trip(network):
    connection.ensure_connection()
    counting = connection.connection = CountingConnection(connection.connection)
    try:
        assert connection.is_usable()
        assert counting.cursors == 0
    finally:
        connection.connection = counting.raw


def test_the_health_check_notices_a_connection_the_server_closed(network):
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    other_process_runs(f"SELECT pg_terminate_backend({pid})")
    wait_for(lambda: not connection.is_usable())

    connection.close()
    assert Site.objects.count() == 1

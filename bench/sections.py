"""The benchmark's sections. Each adds rows to the report; a feature that is not there
yet gives an "n/a (not built)" row instead of an error."""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import re
import secrets
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import admin
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from bench.data import Dataset, sites_drop, template_ensure, tenants_create
from bench.measure import Report, Row, Timing, measure
from customers.models import Customer, User
from events.models import Event
from sites.models import Site

# Issue 14's targets for the customer list, the heavy customer page and the export.
LIST_TARGET_MS = 10
LIST_SPEEDUP = 5
NETWORK_LIST_TARGET_MS = 25
DETAIL_TARGET_MS = 20
DETAIL_MAX_QUERIES = 12
EXPORT_TARGET_MS = 2000
SITE_TARGET_MS = 150
MIGRATE_TARGET_MS = 50
TRGM_INDEX = "user_search_trgm"


class NotBuilt(Exception):
    pass


class PageError(Exception):
    pass


@dataclass
class Context:
    data: Dataset
    report: Report
    iterations: int
    results_dir: Path
    explain: list[str] = field(default_factory=list)
    page_calls: dict[str, Callable[[], object]] = field(default_factory=dict)
    floor: Timing | None = None  # base.html for a signed-in super admin


def network_path(name: str, *args, query: dict | None = None) -> str:
    try:
        path = reverse(name, args=args, urlconf=settings.PUBLIC_SCHEMA_URLCONF)
    except NoReverseMatch as missing:
        raise NotBuilt(name) from missing
    return f"{path}?{urlencode(query)}" if query else path


def network_client(user: User) -> Client:
    client = Client(HTTP_HOST=settings.NETWORK_HOST)
    client.force_login(user)
    return client


def fetch(client: Client, path: str, *, expect: int = 200) -> int:
    """GET a page, read all of it (streamed or not) and return its size in bytes."""
    response = client.get(path)
    if response.status_code != expect:
        raise PageError(f"GET {path} answered {response.status_code}")
    if response.streaming:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


# --- In-process pages ---------------------------------------------------------------------

FLOOR_URLCONF = "bench.urls"


def floors(ctx: Context, client: Client) -> None:
    """What a request costs before a page does anything (bench/urls.py): an empty view
    anonymous, the same signed in as a super admin, and base.html signed in, the floor
    every page's "× floor" is read against."""
    from bench.urls import FLOORS

    anonymous = Client(HTTP_HOST=settings.NETWORK_HOST)
    with override_settings(PUBLIC_SCHEMA_URLCONF=FLOOR_URLCONF):
        for metric, name, who in FLOORS:
            path = reverse(name, urlconf=FLOOR_URLCONF)
            caller = anonymous if who == "anonymous" else client
            fetch(caller, path)
            timing = measure(lambda c=caller, p=path: fetch(c, p), ctx.iterations)
            ctx.report.add(Row(metric, ours=timing))
            ctx.floor = timing
        ctx.report.rows[-1].note = "the floor: Ours / floor divides by this row's median"


def floor_ratios(ctx: Context) -> None:
    """Each in-process page's median over the signed-in base.html floor's."""
    if ctx.floor is None:
        return
    for row in ctx.report.rows:
        if row.ours is not None and (
            row.metric in ctx.page_calls or row.metric.startswith("Floor")
        ):
            row.floor = ctx.floor


def _admin_order(field_name: str, descending: bool = False) -> str | None:
    """Django admin's `o=` value for a list_display column, or None if it has none."""
    model_admin = admin.site._registry.get(Customer)
    if model_admin is None or field_name not in model_admin.list_display:
        return None
    index = list(model_admin.list_display).index(field_name) + 1
    return f"-{index}" if descending else str(index)


def list_cases(data: Dataset) -> list[tuple[str, dict, dict | None, str]]:
    """(metric, our query, Django admin's query or None, note) for the same question."""

    def admin_sort(field_name: str, descending: bool = False) -> dict | None:
        order = _admin_order(field_name, descending)
        return {"o": order} if order else None

    return [
        ("Customer list (default)", {}, {}, "ours: by last login; admin: by id desc"),
        ("Sort: last login", {"sort": "last_login"}, admin_sort("last_login_at", True), ""),
        (
            "Sort: last login (never first)",
            {"sort": "-last_login"},
            admin_sort("last_login_at"),
            "",
        ),
        ("Sort: customer since", {"sort": "newest"}, admin_sort("created_at", True), ""),
        ("Sort: customer since (oldest)", {"sort": "oldest"}, admin_sort("created_at"), ""),
        ("Sort: name", {"sort": "name"}, admin_sort("user"), "admin sorts the user column by id"),
        ("Sort: name (Z–A)", {"sort": "-name"}, admin_sort("user", True), "admin: user by id"),
        ("Sort: id", {"sort": "id"}, admin_sort("id"), ""),
        ("Sort: id (highest first)", {"sort": "-id"}, admin_sort("id", True), ""),
        ("Filter: VIP", {"vip": "yes"}, {"vip__exact": "1"}, ""),
        (
            "Filter: VIP, by name",
            {"vip": "yes", "sort": "name"},
            {"vip__exact": "1", **(admin_sort("user") or {})},
            "",
        ),
        (
            "Filter: email pending",
            {"verification": "pending"},
            {"email_verification__exact": "pending"},
            "",
        ),
        (
            "Filter: VIP, email pending",
            {"vip": "yes", "verification": "pending"},
            {"vip__exact": "1", "email_verification__exact": "pending"},
            "",
        ),
        ("Search: email", {"q": data.email_term}, {"q": data.email_term}, f"“{data.email_term}”"),
        ("Search: name", {"q": data.name_term}, {"q": data.name_term}, f"“{data.name_term}”"),
    ]


def pages(ctx: Context) -> None:
    client = network_client(ctx.data.admin)
    try:
        floors(ctx, client)
        list_pages(ctx, client)
    finally:
        floor_ratios(ctx)


def list_pages(ctx: Context, client: Client) -> None:
    report = ctx.report
    try:
        list_path = network_path("customers:list")
    except NotBuilt:
        report.not_built("Customer list", f"≤ {LIST_TARGET_MS} ms, ≥ {LIST_SPEEDUP}× admin")
        return
    admin_path = network_path("admin:customers_customer_changelist")
    model_admin = admin.site._registry.get(Customer)
    per_page = model_admin.list_per_page if model_admin else None
    if model_admin is not None:
        model_admin.list_per_page = 25  # the same page size as ours
    cases = []
    for metric, ours_query, admin_query, note in list_cases(ctx.data):
        ours_path = f"{list_path}?{urlencode(ours_query)}" if ours_query else list_path
        theirs_path = None
        if admin_query is not None and model_admin is not None:
            theirs_path = f"{admin_path}?{urlencode(admin_query)}" if admin_query else admin_path
        cases.append((metric, ours_query, ours_path, theirs_path, note))
    try:
        for *_, ours_path, theirs_path, _ in cases:  # warm PostgreSQL's caches for both
            fetch(client, ours_path)
            if theirs_path:
                fetch(client, theirs_path)
        for metric, ours_query, ours_path, theirs_path, note in cases:
            ours = measure(lambda p=ours_path: fetch(client, p), ctx.iterations)
            ctx.page_calls[metric] = lambda p=ours_path: fetch(client, p)
            theirs = None
            if theirs_path:
                theirs = measure(lambda p=theirs_path: fetch(client, p), ctx.iterations)
            row = report.add(
                Row(
                    metric,
                    ours=ours,
                    admin=theirs,
                    target=f"≤ {LIST_TARGET_MS} ms, ≤ {1 / LIST_SPEEDUP:.1f} × admin",
                )
            )
            row.met = ours.median <= LIST_TARGET_MS and (
                row.ratio is not None and row.ratio <= 1 / LIST_SPEEDUP
            )
            row.note = note
            if "q" in ours_query:
                row.note = ", ".join(filter(None, [row.note, _explain(ctx, metric, ours_path)]))
    finally:
        if model_admin is not None:
            model_admin.list_per_page = per_page
    _constant_queries(ctx, client, list_path)
    _detail(ctx, client)
    _export(ctx, client)
    network_lists(ctx, client)


# The network-wide lists: (metric, list URL name, our query, Django admin's changelist,
# admin's query or None).
NETWORK_LISTS = [
    ("Memberships list (default)", "memberships:list", {}, "memberships_membership", {}),
    (
        "Memberships: status",
        "memberships:list",
        {"status": "active"},
        "memberships_membership",
        {"status__exact": "active"},
    ),
    ("Memberships: expiring", "memberships:list", {"expiring": "30", "sort": "expiring"}, "", None),
    ("Payments list (default)", "payments:list", {}, "payments_payment", {}),
    ("Payments: has refunds", "payments:list", {"refunds": "on"}, "payments_payment", None),
    (
        "Payments: status",
        "payments:list",
        {"status": "failed"},
        "payments_payment",
        {"status__exact": "failed"},
    ),
    ("Sites list (default)", "sites:list", {}, "sites_site", {}),
    ("Sites: type", "sites:list", {"type": "regular"}, "sites_site", {"type__exact": "regular"}),
]


def network_lists(ctx: Context, client: Client) -> None:
    """The memberships, payments and sites lists, each against Django admin's changelist
    for the same model and question in the same run."""
    searches = [
        ("Payments: search email", "payments:list", {"q": ctx.data.email_term}),
        ("Memberships: search name", "memberships:list", {"q": ctx.data.name_term}),
    ]
    cases = [*NETWORK_LISTS, *((m, n, q, "", None) for m, n, q in searches)]
    for metric, name, query, admin_model, admin_query in cases:
        try:
            ours_path = network_path(name, query=query)
        except NotBuilt:
            ctx.report.not_built(metric, f"≤ {NETWORK_LIST_TARGET_MS} ms")
            continue
        theirs_path = None
        if admin_query is not None:
            theirs_path = network_path(f"admin:{admin_model}_changelist", query=admin_query)
        fetch(client, ours_path)  # warm PostgreSQL's caches for both
        if theirs_path:
            fetch(client, theirs_path)
        ours = measure(lambda p=ours_path: fetch(client, p), ctx.iterations)
        ctx.page_calls[metric] = lambda p=ours_path: fetch(client, p)
        theirs = (
            measure(lambda p=theirs_path: fetch(client, p), ctx.iterations) if theirs_path else None
        )
        target = f"≤ {NETWORK_LIST_TARGET_MS} ms"
        row = ctx.report.add(Row(metric, ours=ours, admin=theirs, target=target))
        row.met = ours.median <= NETWORK_LIST_TARGET_MS
    for name in ("memberships:list", "payments:list", "sites:list"):
        counts = {}
        for size in (25, 100):
            with CaptureQueriesContext(connection) as captured:
                fetch(client, network_path(name, query={"per_page": size}))
            counts[size] = len(captured)
        ctx.report.add(
            Row(
                f"{name.split(':')[0].title()} list queries, 25 vs 100 rows",
                value=f"{counts[25]} vs {counts[100]}",
                target="constant",
                met=counts[25] == counts[100],
            )
        )


def _constant_queries(ctx: Context, client: Client, list_path: str) -> None:
    counts = {}
    for size in (25, 100):
        with CaptureQueriesContext(connection) as captured:
            fetch(client, f"{list_path}?per_page={size}")
        counts[size] = len(captured)
    row = ctx.report.add(
        Row(
            "List queries, 25 vs 100 rows",
            value=f"{counts[25]} vs {counts[100]}",
            target="constant",
            met=counts[25] == counts[100],
        )
    )
    row.note = "same count whatever the page size" if row.met else "grows with rows (N+1?)"


def _explain(ctx: Context, metric: str, path: str) -> str:
    """EXPLAIN ANALYZE the search queries of a page; says whether the trigram index ran."""
    client = network_client(ctx.data.admin)
    with CaptureQueriesContext(connection) as captured:
        fetch(client, path)
    searches = [q["sql"] for q in captured.captured_queries if " LIKE " in q["sql"].upper()]
    used = 0
    for sql in searches:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        used += TRGM_INDEX in plan
        ctx.explain.append(f"## {metric}\n\n{sql}\n\n{plan}\n")
    if not searches:
        return "no LIKE query seen"
    return f"{TRGM_INDEX} used in {used}/{len(searches)} search queries"


def _detail(ctx: Context, client: Client) -> None:
    try:
        path = network_path("customers:detail", ctx.data.heavy.pk)
    except NotBuilt:
        ctx.report.not_built("Customer detail (heavy)")
        return
    timing = measure(lambda: fetch(client, path), ctx.iterations)
    ctx.page_calls["Customer detail (heavy)"] = lambda: fetch(client, path)
    heavy = ctx.data.heavy
    ctx.report.add(
        Row(
            "Customer detail (heavy)",
            ours=timing,
            target=f"≤ {DETAIL_MAX_QUERIES} queries, ≤ {DETAIL_TARGET_MS} ms",
            met=timing.queries <= DETAIL_MAX_QUERIES and timing.median <= DETAIL_TARGET_MS,
            note=f"{heavy.payments.count():,} payments, {heavy.sites.count()} sites, "
            f"{Event.objects.filter(customer_ref=heavy.pk).count():,} events",
        )
    )


def _export(ctx: Context, client: Client) -> None:
    try:
        path = network_path("customers:export", query={"verification": "none"})
    except NotBuilt:
        ctx.report.not_built("CSV export")
        return
    rows = Customer.objects.filter(email_verification=Customer.EmailVerification.NONE).count()
    timing = measure(lambda: fetch(client, path), max(1, min(ctx.iterations, 5)))
    tracemalloc.start()
    try:
        size = fetch(client, path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    ctx.report.add(
        Row(
            f"CSV export ({rows:,} rows)",
            ours=timing,
            target=f"≤ {EXPORT_TARGET_MS / 1000:g} s",
            met=timing.median <= EXPORT_TARGET_MS,
            note=f"{size / 1e6:,.1f} MB streamed, peak Python memory {peak / 2**20:,.1f} MiB",
        )
    )


def profile_slowest(ctx: Context, path: Path) -> list[str]:
    """cProfile the slowest of our pages; returns a short summary."""
    timed = [
        row
        for row in ctx.report.rows
        if row.ours is not None and row.metric in ctx.page_calls and "CSV" not in row.metric
    ]
    if not timed:
        return []
    slowest = max(timed, key=lambda row: row.ours.median)
    call = ctx.page_calls[slowest.metric]
    with CaptureQueriesContext(connection) as captured:
        call()
    queries = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
    sql_ms = sum(float(q["time"]) for q in queries) * 1000
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(5):
        call()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(25)
    out.write("\n\nBy own time:\n")
    stats.sort_stats("tottime").print_stats(25)
    out.write(
        f"\n\nSQL of one request ({len(queries)} queries, {sql_ms:,.1f} ms), slowest first:\n"
    )
    for query in queries:
        out.write(f"\n{float(query['time']) * 1000:8.1f} ms  {query['sql']}\n")
    path.write_text(f"Profile of: {slowest.metric} (5 requests)\n\n{out.getvalue()}")
    summary = _profile_summary(slowest, stats)
    summary.insert(
        1, f"One request spends {sql_ms:,.1f} ms in its {len(queries)} SQL queries (wall clock)."
    )
    return summary


def _profile_summary(slowest: Row, stats: pstats.Stats) -> list[str]:
    """Where the time goes: PostgreSQL round trips, template rendering, the rest."""
    entries = stats.stats  # (file, line, name) -> (calls, ncalls, own, cumulative, callers)
    total = max((entry[3] for entry in entries.values()), default=0) or 1
    database = sum(entry[2] for key, entry in entries.items() if "psycopg" in key[0])
    templates = max(
        (entry[3] for key, entry in entries.items() if key[2] == "render_to_string"), default=0
    )
    summary = [
        f"Slowest page: {slowest.metric} ({slowest.ours.median:,.1f} ms median, "
        f"{slowest.ours.queries} queries).",
        f"Time split under the profiler: {database / total:.0%} waiting on PostgreSQL "
        f"(psycopg), {templates / total:.0%} rendering templates, "
        f"{max(0.0, 1 - (database + templates) / total):.0%} the rest (middleware, view, ORM).",
    ]
    by_own = sorted(entries.items(), key=lambda item: -item[1][2])[:5]
    for (filename, line, name), (_, _, own, _cumulative, _) in by_own:
        where = f"{Path(filename).name}:{line}" if line else filename
        summary.append(f"{own / total:5.1%} own time in {name} ({where})")
    return summary


# --- Site provisioning --------------------------------------------------------------------


def _timed(make: Callable[[int], Site], count: int) -> tuple[Timing, list[Site]]:
    samples, made = [], []
    for index in range(count):
        started = time.perf_counter()
        made.append(make(index))
        samples.append((time.perf_counter() - started) * 1000)
    return Timing(samples=samples), made


def provisioning(ctx: Context, count: int) -> None:
    from sites.services import site_create

    report = ctx.report
    tag = secrets.token_hex(3)
    target = f"≤ {SITE_TARGET_MS} ms"

    def shipped(index: int) -> Site:
        return site_create(title=f"Bench {index}", domain=f"bench-{tag}-{index}.localhost")

    def by_migrations(index: int) -> Site:
        site = Site.objects.create(schema_name=f"bench_m_{tag}_{index}", title=f"Bench {index}")
        site.create_schema(check_if_exists=False, verbosity=0)
        return site

    def by_base_schema(index: int) -> Site:
        site = Site.objects.create(schema_name=f"bench_c_{tag}_{index}", title=f"Bench {index}")
        site.create_schema(check_if_exists=False, verbosity=0)
        return site

    variants = [
        ("Site creation: site_create (as shipped)", shipped, {}),
        ("Site schema by running migrations", by_migrations, {}),
        (
            "Site schema by TENANT_BASE_SCHEMA clone",
            by_base_schema,
            {"TENANT_BASE_SCHEMA": template_ensure(), "TENANT_CREATION_FAKES_MIGRATIONS": True},
        ),
    ]
    for metric, make, overrides in variants:
        made: list[Site] = []
        try:
            with override_settings(**overrides):
                shipped_provisioning = make is shipped
                timing, made = _timed(make, count)
            row = report.add(Row(f"{metric}, {count} sites", ours=timing, target=target))
            row.met = timing.median <= SITE_TARGET_MS
            if shipped_provisioning:
                row.note = _provisioning_note()
        except Exception as error:  # one variant failing must not stop the others
            report.add(Row(metric, value=f"failed: {type(error).__name__}", note=str(error)[:120]))
        finally:
            connection.set_schema_to_public()
            sites_drop(made or list(Site.objects.filter(schema_name__contains=f"_{tag}_")))


def _provisioning_note() -> str:
    try:
        from sites import provisioning as shipped  # noqa: F401
    except ImportError:
        return "migrations per site"
    return "clones a migrated template schema (sites.provisioning)"


def migrate_noop(ctx: Context, tenants: int) -> None:
    """A migrate_schemas run with nothing to migrate, over `tenants` extra tenants."""
    made = tenants_create(count=tenants, prefix="bench_noop")
    try:
        total = Site.objects.exclude(schema_name="public").count()
        for metric, options, overrides in (
            ("No-op migrate_schemas (standard)", {}, {}),
            (
                "No-op migrate_schemas (multiprocessing)",
                {"executor": "multiprocessing"},
                {"TENANT_MULTIPROCESSING_MAX_PROCESSES": os.cpu_count() or 2},
            ),
        ):
            started = time.perf_counter()
            with override_settings(**overrides):
                call_command(
                    "migrate_schemas", tenant=True, interactive=False, verbosity=0, **options
                )
            connection.set_schema_to_public()
            seconds = time.perf_counter() - started
            per_tenant = seconds * 1000 / total
            ctx.report.add(
                Row(
                    f"{metric}, ms per tenant",
                    value=f"{per_tenant:,.1f}",
                    target=f"≤ {MIGRATE_TARGET_MS} ms",
                    met=per_tenant <= MIGRATE_TARGET_MS,
                    note=f"{total:,} tenants in {seconds:,.1f} s",
                )
            )
        migrate_network_noop(ctx, total)
    finally:
        connection.set_schema_to_public()
        sites_drop(made)


def migrate_network_noop(ctx: Context, total: int, where: str = "") -> None:
    """The deploy's pass (`manage.py migrate_network --tenant`) with nothing to do: one
    query per 1,000 schemas finds none behind, so `migrate` runs nowhere."""
    started = time.perf_counter()
    call_command("migrate_network", tenant=True, interactive=False, verbosity=0)
    connection.set_schema_to_public()
    seconds = time.perf_counter() - started
    per_tenant = seconds * 1000 / max(total, 1)
    ctx.report.add(
        Row(
            f"{where}migrate_network with nothing to do (only sites behind), ms per tenant",
            value=f"{per_tenant:,.2f}",
            target=f"≤ {MIGRATE_TARGET_MS} ms",
            met=per_tenant <= MIGRATE_TARGET_MS,
            note=f"{total:,} tenants in {seconds:,.1f} s, none behind",
        )
    )


# --- Switch to and Delete -----------------------------------------------------------------

SECRET_FIELD = re.compile(r'name="secret"\s+value="([^"]+)"|value="([^"]+)"\s+name="secret"')


def switch_to(ctx: Context) -> None:
    report = ctx.report
    try:
        # Imported here on purpose: a checkout without Switch to reports "not built".
        from switch import services, views  # noqa: F401

        network_path("switch:start", ctx.data.heavy.pk)
        reverse("tenant_switch:redeem", urlconf=settings.ROOT_URLCONF)
    except (ImportError, NotBuilt, NoReverseMatch):
        for step in ("grant", "redemption", "first subsite page"):
            report.not_built(f"Switch to: {step}")
        return
    customer = ctx.data.heavy
    site = (
        Site.objects.filter(customer=customer, active=True)
        .exclude(domains=None)
        .order_by("pk")
        .first()
    )
    host = site.domains.order_by("-is_primary", "pk").first().domain
    start_path = network_path("switch:start", customer.pk)
    redeem_path = reverse("tenant_switch:redeem", urlconf=settings.ROOT_URLCONF)
    admin_client = network_client(ctx.data.admin)
    first_event = Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    samples: dict[str, list[float]] = {"grant": [], "redemption": [], "first subsite page": []}
    queries: dict[str, int] = {}
    try:
        for iteration in range(max(ctx.iterations, 2)):
            subsite = Client(HTTP_HOST=host)
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = admin_client.post(start_path, {"site": site.pk})
                samples["grant"].append((time.perf_counter() - started) * 1000)
            queries.setdefault("grant", len(captured))
            html = response.content.decode()
            match = SECRET_FIELD.search(html)
            if response.status_code != 200 or match is None:
                raise PageError(f"Switch to answered {response.status_code} without a grant")
            secret = match.group(1) or match.group(2)
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = subsite.post(redeem_path, {"secret": secret})
                samples["redemption"].append((time.perf_counter() - started) * 1000)
            queries.setdefault("redemption", len(captured))
            if response.status_code != 302:
                raise PageError(f"Redeeming answered {response.status_code}")
            landing = urlsplit(response["Location"]).path
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                fetch(subsite, landing)
                samples["first subsite page"].append((time.perf_counter() - started) * 1000)
            queries.setdefault("first subsite page", len(captured))
            connection.set_schema_to_public()
            if iteration == 0:  # the first round warms up
                for values in samples.values():
                    values.clear()
    finally:
        connection.set_schema_to_public()
        Event.objects.filter(pk__gt=first_event, type__startswith="switch.").delete()
    for step, values in samples.items():
        report.add(
            Row(f"Switch to: {step}", ours=Timing(values, queries.get(step)), note=f"on {host}")
        )


def delete(ctx: Context, count: int, sites_each: int = 20) -> None:
    try:
        from deletion.services import customer_delete
    except ImportError:
        ctx.report.not_built(f"Delete a customer with {sites_each} sites")
        return
    samples = []
    for index in range(count):
        tag = secrets.token_hex(3)
        user = User.objects.create_user(
            username=f"bench-delete-{tag}", email=f"delete-{tag}@bench.example"
        )
        customer = Customer.objects.create(user=user)
        sites = tenants_create(count=sites_each, prefix=f"bench_del_{index}", customer=customer)
        started = time.perf_counter()
        customer_delete(customer=customer, actor=ctx.data.admin)
        samples.append((time.perf_counter() - started) * 1000)
        connection.set_schema_to_public()
        Event.objects.filter(customer_ref=customer.pk).delete()
        gone = Site.objects.filter(pk__in=[s.pk for s in sites]).count()
        if gone:
            raise PageError(f"customer_delete left {gone} of the sites behind")
    ctx.report.add(
        Row(
            f"Delete a customer with {sites_each} sites",
            ours=Timing(samples),
            note="rows, domains and schemas, one transaction",
        )
    )

"""Figures at many sites, on one node or on a Citus cluster: `python -m bench.run --only scale`.

Runs on whatever database the settings point at and labels every row with where it ran
("one node" or "Citus"), so the same command on the embedded server (NETWORK_DATA_DIR) and on
the cluster (DATABASE_URL) gives two tables to read side by side (`make bench-scale`):

- `site_create` as shipped, before and after the network grows to `--sites` sites;
- the customer list and a customer's page, before and after;
- growing to `--sites` sites by the shipped provisioning path (`schema_provision`: plain
  DDL copied from the template schema), in batches of one transaction each; the sites stay
  (schemas `scale_*`), so a second run only tops them up;
- `migrate_schemas` with nothing to do over every site (multiprocessing executor;
  `--migrate-seconds` stops it and reports the tenants done), and the deploy's pass that
  migrates only the sites behind (`manage.py migrate_network`, as `make run`);
- the catalog: relations, columns, its size on disk, on each node;
- where many schemas start to hurt: a `\\dt`-like listing, Django's table introspection
  (what `migrate` asks of each schema), a new connection's first query, `pg_dump --schema-only`;
- on Citus: one site's schema (with `--sessions` sessions) moved to the other worker.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time
import traceback
from functools import partial

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings

from bench.measure import Report, Row, Timing, measure, table
from bench.sections import Context, fetch, migrate_network_noop, network_client, network_path
from sites.models import Domain, Site
from sites.provisioning import schema_provision, template_ensure
from sites.services import site_create

PREFIX = "scale"
BATCH = 50
PG_DUMP_TIMEOUT = 300


def citus_running() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')")
        return cursor.fetchone()[0]


def site_count() -> int:
    return Site.objects.exclude(schema_name="public").count()


def scale(
    ctx: Context, *, sites: int, provision: int, sessions: int, migrate_seconds: int = 0
) -> None:
    where = "Citus" if citus_running() else "one node"
    template_ensure()

    def step(run: partial) -> None:
        """A step that fails is a row; the hour-long run goes on with the next one. Each
        step's rows are printed as soon as it ends, in case the run is stopped."""
        first = len(ctx.report.rows)
        try:
            run()
        except Exception as error:
            traceback.print_exc()
            ctx.report.add(
                Row(
                    f"{where}: {run.func.__name__}",
                    value=f"error: {type(error).__name__}",
                    note=str(error)[:160],
                )
            )
        finally:
            connection.set_schema_to_public()
            rows = table(Report(rows=ctx.report.rows[first:])).splitlines()[2:]
            print("\n".join(rows), file=sys.stderr, flush=True)

    step(partial(_site_create, ctx, where, provision))
    step(partial(_pages, ctx, where))
    step(partial(_grow, ctx, where, sites))
    total = site_count()
    step(partial(_site_create, ctx, where, provision))
    step(partial(_pages, ctx, where))
    step(partial(migrate_network_noop, ctx, total, f"{where}: "))
    step(partial(_catalog, ctx, where, citus=where == "Citus"))
    step(partial(_hurts, ctx, where))
    if where == "Citus":
        step(partial(_move, ctx, sessions))
    step(partial(_migrate_noop, ctx, where, total, migrate_seconds))  # the longest, last


def _site_create(ctx: Context, where: str, count: int) -> None:
    at = site_count()
    tag = f"{os.getpid():x}{at}"
    samples, made = [], []
    try:
        for index in range(count):
            started = time.perf_counter()
            made.append(site_create(title=f"Scale {index}", domain=f"sc-{tag}-{index}.localhost"))
            samples.append((time.perf_counter() - started) * 1000)
    finally:
        connection.set_schema_to_public()
        _drop(made)
    ctx.report.add(
        Row(
            f"{where}: site_create at {at:,} sites, {count} sites",
            ours=Timing(samples),
            note="row, schema (template copy, plain DDL) and domain, one transaction",
        )
    )


def _drop(sites: list[Site]) -> None:
    from bench.data import sites_drop

    sites_drop(sites)


def _pages(ctx: Context, where: str) -> None:
    client = network_client(ctx.data.admin)
    at = site_count()
    heavy = ctx.data.heavy
    for metric, path in (
        ("customer list (default)", network_path("customers:list")),
        ("customer detail (heavy)", network_path("customers:detail", heavy.pk)),
    ):
        fetch(client, path)  # warm the caches
        timing = measure(lambda p=path: fetch(client, p), ctx.iterations)
        ctx.report.add(
            Row(
                f"{where}: {metric} at {at:,} sites",
                ours=timing,
                note=f"{ctx.data.customers:,} customers",
            )
        )
    connection.set_schema_to_public()


def _grow(ctx: Context, where: str, target: int) -> None:
    """Top the network up to `target` sites, `BATCH` per transaction: rows, domains and
    schemas by the shipped copy of the template."""
    missing = target - site_count()
    if missing <= 0:
        return
    first = Site.objects.filter(schema_name__startswith=f"{PREFIX}_").count()
    started = time.perf_counter()
    made = 0
    while made < missing:
        size = min(BATCH, missing - made)
        with transaction.atomic():
            batch = Site.objects.bulk_create(
                Site(
                    schema_name=f"{PREFIX}_{first + made + i}",
                    title=f"Scale site {first + made + i}",
                    type=Site.Type.CUSTOMER_OWNED,
                )
                for i in range(size)
            )
            Domain.objects.bulk_create(
                Domain(domain=f"{site.schema_name.replace('_', '-')}.localhost", tenant=site)
                for site in batch
            )
            for site in batch:
                schema_provision(site)
        made += size
        if made % 1000 < BATCH:
            elapsed = time.perf_counter() - started
            print(f"  {made:,} of {missing:,} sites in {elapsed:,.0f} s", flush=True)
    seconds = time.perf_counter() - started
    ctx.report.add(
        Row(
            f"{where}: {missing:,} sites created by schema_provision, ms per site",
            value=f"{seconds * 1000 / missing:,.1f}",
            note=f"{seconds / 60:,.1f} min, {BATCH} sites per transaction",
        )
    )


class BudgetSpent(Exception):
    """Raised in a migrate worker process once the time budget is spent."""


def _migrate_noop(ctx: Context, where: str, total: int, budget: int) -> None:
    """migrate_schemas over every site, as `make run` does; past `budget` seconds (0: none)
    the remaining tenants are refused and the figure is over those done."""
    from django_tenants.signals import schema_migrated, schema_pre_migration

    processes = os.cpu_count() or 2
    done = multiprocessing.Value("i", 0)  # shared with the forked worker processes
    started = time.perf_counter()

    def before(**kwargs) -> None:
        if budget and time.perf_counter() - started > budget:
            raise BudgetSpent

    def after(**kwargs) -> None:
        with done.get_lock():
            done.value += 1
            count = done.value
        if count % 500 == 0:
            elapsed = time.perf_counter() - started
            print(f"  migrate: {count:,} tenants after {elapsed:,.0f} s", flush=True)

    schema_pre_migration.connect(before, weak=False)
    schema_migrated.connect(after, weak=False)
    stopped = False
    try:
        with override_settings(TENANT_MULTIPROCESSING_MAX_PROCESSES=processes):
            call_command(
                "migrate_schemas",
                tenant=True,
                interactive=False,
                verbosity=0,
                executor="multiprocessing",
            )
    except BudgetSpent:
        stopped = True
    finally:
        schema_pre_migration.disconnect(before)
        schema_migrated.disconnect(after)
    connection.close()  # django-tenants closed it before forking; the children used theirs
    connection.set_schema_to_public()
    seconds = time.perf_counter() - started
    count = done.value
    note = f"{count:,} of {total:,} tenants in {seconds / 60:,.1f} min, {processes} processes"
    if stopped:
        note += f", stopped at the {budget} s budget"
    ctx.report.add(
        Row(
            f"{where}: no-op migrate_schemas (multiprocessing), ms per tenant",
            value=f"{seconds * 1000 / max(count, 1):,.1f}",
            note=note,
        )
    )


CATALOG_SQL = """
SELECT (SELECT count(*) FROM pg_namespace),
       (SELECT count(*) FROM pg_class),
       (SELECT count(*) FROM pg_attribute),
       (SELECT sum(pg_total_relation_size(oid)) FROM pg_class
        WHERE relnamespace = 'pg_catalog'::regnamespace AND relkind = 'r'),
       pg_database_size(current_database())
"""


def _catalog(ctx: Context, where: str, *, citus: bool) -> None:
    with connection.cursor() as cursor:
        cursor.execute(CATALOG_SQL)
        nodes = [("coordinator" if citus else "the server", cursor.fetchone())]
        if citus:
            one_value = (
                f"SELECT concat_ws(',', a, b, c, d, e) FROM ({CATALOG_SQL}) AS c (a, b, c, d, e)"
            )
            cursor.execute(
                "SELECT nodeport, result FROM run_command_on_workers(%s) ORDER BY nodeport",
                [one_value],
            )
            for port, result in cursor.fetchall():
                nodes.append((f"worker :{port}", [int(x) for x in result.split(",")]))
    for node, (namespaces, classes, attributes, catalog_bytes, db_bytes) in nodes:
        ctx.report.add(
            Row(
                f"{where}: catalog on {node}",
                value=f"{classes:,} pg_class rows",
                note=f"{namespaces:,} schemas, {attributes:,} pg_attribute rows, pg_catalog "
                f"{catalog_bytes / 2**20:,.0f} MiB, database {db_bytes / 2**20:,.0f} MiB",
            )
        )


DT_SQL = """
SELECT n.nspname, c.relname FROM pg_catalog.pg_class c
LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname <> 'pg_catalog' AND n.nspname !~ '^pg_toast'
AND n.nspname <> 'information_schema' ORDER BY 1, 2
"""


def _hurts(ctx: Context, where: str) -> None:
    import psycopg

    report = ctx.report
    schema = Site.objects.exclude(schema_name="public").order_by("pk")[0].schema_name

    def listing() -> None:
        with connection.cursor() as cursor:
            cursor.execute(DT_SQL)
            cursor.fetchall()

    report.add(Row(f"{where}: \\dt *.* (every table of every schema)", ours=measure(listing, 5)))

    def introspection(djangos: bool) -> None:
        from django.db.backends.postgresql.introspection import DatabaseIntrospection
        from django_tenants.postgresql_backend.introspection import (
            DatabaseSchemaIntrospectionSearchPathContext as search_path,
        )

        connection.set_tenant(Site.objects.get(schema_name=schema))
        with connection.cursor() as cursor:
            if djangos:  # Django's own query, as django-tenants runs it
                with search_path(cursor=cursor, connection=connection):
                    DatabaseIntrospection.get_table_list(connection.introspection, cursor)
            else:
                connection.introspection.table_names(cursor)
        connection.set_schema_to_public()

    for djangos, label in ((True, "Django's query"), (False, "ours (network/db)")):
        report.add(
            Row(
                f"{where}: table_names() in one site's schema, {label}",
                ours=measure(partial(introspection, djangos), 10),
                note="what migrate asks of every schema (MigrationRecorder.has_table)",
            )
        )

    db = settings.DATABASES["default"]
    params = {
        "host": db["HOST"],
        "port": db["PORT"] or None,
        "user": db["USER"],
        "dbname": db["NAME"],
        "password": db["PASSWORD"] or None,
    }

    def first_query() -> None:
        with psycopg.connect(**params) as conn:
            conn.execute(f'SET search_path = "{schema}", public')
            conn.execute("SELECT count(*) FROM django_session").fetchone()

    report.add(
        Row(
            f"{where}: new connection + first query in a site",
            ours=measure(first_query, 20),
            note="connect, SET search_path, one tenant table: the cold catalog cache",
        )
    )
    _pg_dump(ctx, where, params)


def _pg_dump(ctx: Context, where: str, params: dict) -> None:
    from bench.citus import pg_bin

    command = [
        pg_bin("pg_dump"),
        "--schema-only",
        "--file",
        os.devnull,
        "--host",
        params["host"],
        "--username",
        params["user"],
        "--dbname",
        params["dbname"],
    ]
    if params["port"]:
        command += ["--port", str(params["port"])]
    started = time.perf_counter()
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=PG_DUMP_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        ctx.report.add(
            Row(f"{where}: pg_dump --schema-only", value=f"> {PG_DUMP_TIMEOUT} s (stopped)")
        )
        return
    seconds = time.perf_counter() - started
    if done.returncode == 0:
        value, note = f"{seconds:,.1f} s", ""
    else:
        error = next(
            (line for line in done.stderr.splitlines() if "error" in line.lower()),
            done.stderr.strip()[-160:],
        )
        value, note = f"failed after {seconds:,.1f} s", error[:200]
    ctx.report.add(Row(f"{where}: pg_dump --schema-only", value=value, note=note))


def _move(ctx: Context, sessions: int) -> None:
    """One site's schema (with `sessions` sessions) moved to the other worker."""
    from bench.citus import HOST

    schema = (
        Site.objects.filter(schema_name__startswith=f"{PREFIX}_").order_by("-pk")[0].schema_name
    )
    with connection.cursor() as cursor:
        cursor.execute(f'TRUNCATE "{schema}".django_session')
        cursor.execute(
            f'INSERT INTO "{schema}".django_session '
            "SELECT md5(i::text), repeat('x', 200), now() + interval '1 day' "
            "FROM generate_series(1, %s) AS i",
            [sessions],
        )
        samples = []
        for _ in range(2):  # there and back
            cursor.execute(
                "SELECT nodeport FROM citus_shards WHERE table_name::text LIKE %s LIMIT 1",
                [f"{schema}.%"],
            )
            (source,) = cursor.fetchone()
            cursor.execute(
                "SELECT nodeport FROM pg_dist_node WHERE groupid <> 0 AND nodeport <> %s",
                [source],
            )
            (target,) = cursor.fetchone()
            started = time.perf_counter()
            cursor.execute("SELECT citus_schema_move(%s, %s, %s)", [schema, HOST, target])
            samples.append((time.perf_counter() - started) * 1000)
        cursor.execute(f'SELECT count(*) FROM "{schema}".django_session')
        (kept,) = cursor.fetchone()
    ctx.report.add(
        Row(
            "Citus: move one site's schema to the other worker (citus_schema_move)",
            ours=Timing(samples),
            note=f"{sessions:,} sessions, there and back; {kept:,} read back after",
        )
    )

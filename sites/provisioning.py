"""Creating a site's schema fast: copy the structure of a migrated template schema.

Running the tenant migrations for every new site costs ~400 ms (Django renders the whole
migration state). Instead we keep one migrated template schema and copy its tables with
plain DDL (`CREATE TABLE ... (LIKE ...)`, then its indexes and constraints under their own
names, so later migrations find them), plus its `django_migrations` rows. The template is
rebuilt whenever the migrations on disk differ from the ones it has, so a copy is never
behind.

Plain DDL, not django-tenants' `clone_schema` SQL function, for two reasons: it is several
times faster, and on a Citus cluster (schema-based sharding on) statements run inside a
function are not propagated, so a function's tables stayed local on the coordinator. Plain
`CREATE SCHEMA` and `CREATE TABLE` make the site's schema a distributed schema whose tables
live on one worker. The template itself stays a plain local schema: it is only read.

The statements are read from the catalog once per template version (its migrations) and
process, then written for each new schema: the query reads every relation of the database
(nothing indexes `pg_class` by schema), so its cost grew with the number of sites, and on
Citus, which checks every `pg_class` row a query reads against its shards, it was half of
what making a site cost at 1,500 sites.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django_tenants.utils import schema_context, schema_exists

from sites.models import Site

TEMPLATE_SCHEMA = "_site_template"
# Any constant works; it serialises template rebuilds across processes.
TEMPLATE_LOCK = 7_311_001
# Where the new schema's name goes in the statements read from the template.
SCHEMA_MARK = "__site_schema__"

# The statements that rebuild the template's tables in the schema %(schema)s, in order:
# tables (columns, defaults, identity, checks, comments), the indexes behind primary key,
# unique and exclusion constraints (as those constraints, under their names), the other
# indexes, and foreign keys last. Read with the template first on the search path, so a
# foreign key to a table of the template is written unqualified and lands in the copy.
DDL_QUERY = """
WITH tables AS (
    SELECT oid, relname FROM pg_class
    WHERE relnamespace = to_regnamespace(%(template)s) AND relkind = 'r'
)
SELECT statement FROM (
    SELECT 1, relname::text, format(
        'CREATE TABLE %%I.%%I (LIKE %%I.%%I INCLUDING ALL EXCLUDING INDEXES)',
        %(schema)s, relname, %(template)s, relname
    )
    FROM tables
    UNION ALL
    SELECT 2 + (con.contype = 'f')::int * 2, con.conname::text, format(
        'ALTER TABLE %%I.%%I ADD CONSTRAINT %%I %%s',
        %(schema)s, tables.relname, con.conname, pg_get_constraintdef(con.oid)
    )
    FROM pg_constraint con JOIN tables ON con.conrelid = tables.oid
    WHERE con.contype IN ('p', 'u', 'x', 'f')
    UNION ALL
    SELECT 3, index.relname::text, format(
        'CREATE %%s INDEX %%I ON %%I.%%I %%s',
        CASE WHEN i.indisunique THEN 'UNIQUE' ELSE '' END, index.relname,
        %(schema)s, tables.relname, substring(pg_get_indexdef(i.indexrelid) FROM ' USING .*$')
    )
    FROM pg_index i
    JOIN tables ON i.indrelid = tables.oid
    JOIN pg_class index ON index.oid = i.indexrelid
    WHERE NOT EXISTS (
        SELECT 1 FROM pg_constraint con
        WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid
        AND con.contype IN ('p', 'u', 'x')
    )
) AS statements (step, name, statement)
ORDER BY step, name
"""


@lru_cache(maxsize=1)
def migrations_on_disk() -> frozenset[tuple[str, str]]:
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def _template_migrations() -> frozenset[tuple[str, str]] | None:
    """The template's migrations if it is up to date, else None (missing or behind)."""
    if not schema_exists(TEMPLATE_SCHEMA):
        return None
    with schema_context(TEMPLATE_SCHEMA), connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        applied = frozenset(cursor.fetchall())
    return applied if applied >= migrations_on_disk() else None


def template_ensure() -> frozenset[tuple[str, str]]:
    """Build (or rebuild) the template schema if it is missing or behind; its migrations."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [TEMPLATE_LOCK])
        applied = _template_migrations()
        if applied is not None:
            return applied
        with connection.cursor() as cursor:
            # On Citus the template stays a local schema on the coordinator (no worker
            # holds a copy of it). A custom setting: plain PostgreSQL accepts it too.
            cursor.execute("SET LOCAL citus.enable_schema_based_sharding = off")
            cursor.execute(f'DROP SCHEMA IF EXISTS "{TEMPLATE_SCHEMA}" CASCADE')
            cursor.execute(f'CREATE SCHEMA "{TEMPLATE_SCHEMA}"')
        call_command(
            "migrate_schemas",
            tenant=True,
            schema_name=TEMPLATE_SCHEMA,
            interactive=False,
            verbosity=0,
        )
        connection.set_schema_to_public()
        return _template_migrations()


@lru_cache(maxsize=4)
def _template_statements(version: frozenset[tuple[str, str]]) -> tuple[str, ...]:
    """The statements that copy the template of this version (its migrations), for the
    schema SCHEMA_MARK."""
    with schema_context(TEMPLATE_SCHEMA), connection.cursor() as cursor:
        cursor.execute(DDL_QUERY, {"template": TEMPLATE_SCHEMA, "schema": SCHEMA_MARK})
        statements = tuple(statement for (statement,) in cursor.fetchall())
    connection.set_schema_to_public()
    return statements


def schema_provision(site: Site) -> None:
    """Create `site`'s schema, migrated, as a copy of the template's structure."""
    statements = _template_statements(template_ensure())
    quoted = connection.ops.quote_name(site.schema_name)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {quoted}")
        for statement in statements:
            cursor.execute(statement.replace(SCHEMA_MARK, quoted))
        # Only the migration history travels; nothing else in the template is data.
        cursor.execute(
            f"INSERT INTO {quoted}.django_migrations (app, name, applied) "
            f'SELECT app, name, applied FROM "{TEMPLATE_SCHEMA}".django_migrations'
        )


# A query takes a lock on every table it reads and on the index it uses (two a schema
# here), and one over 10,000 schemas runs out of the lock table, which holds
# max_locks_per_transaction x (max_connections + max_prepared_transactions) locks for the
# whole server: the check reads at most this many schemas a query, and at most what takes
# an eighth of the lock table (a quarter of it in locks), which a small max_connections
# (behind PgBouncer) makes smaller.
CHECK_BATCH = 1000
IDENTIFIER = re.compile(r"^\w+$")
CHECK_BATCH_SQL = """
SELECT current_setting('max_locks_per_transaction')::int
       * (current_setting('max_connections')::int
          + current_setting('max_prepared_transactions')::int) / 8
"""


def schemas_behind(schemas: list[str]) -> dict[str, set[tuple[str, str]]]:
    """Which of `schemas` miss a migration on disk, and which ones: one query per
    CHECK_BATCH schemas (or fewer, for a small lock table) over their `django_migrations`
    (a schema without that table misses them all). Up-to-date schemas are not in the
    answer."""
    expected = migrations_on_disk()
    if not expected:
        return {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(CHECK_BATCH_SQL)
        per_query = max(1, min(CHECK_BATCH, cursor.fetchone()[0]))
        cursor.execute(
            "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relname = 'django_migrations' AND c.relkind IN ('r', 'p')"
            " AND n.nspname = ANY (%s)",
            [schemas],
        )
        recorded = {schema for (schema,) in cursor.fetchall()}
        behind = {schema: set(expected) for schema in schemas if schema not in recorded}
        counted = [schema for schema in schemas if schema in recorded]
        # Migration names and app labels are Python identifiers, written into the query
        # as they are: the same list of pairs for every schema of the batch.
        if not all(IDENTIFIER.match(part) for pair in expected for part in pair):
            raise ValueError("A migration's app or name is not an identifier.")
        wanted = ", ".join(f"('{app}', '{name}')" for app, name in sorted(expected))
        lagging = []
        for first in range(0, len(counted), per_query):
            batch = counted[first : first + per_query]
            cursor.execute(
                f"WITH wanted (app, name) AS (VALUES {wanted}) "
                + " UNION ALL ".join(
                    f"SELECT %s, count(DISTINCT (app, name)) FROM {quote(schema)}.django_migrations"
                    " WHERE (app, name) IN (SELECT * FROM wanted)"
                    for schema in batch
                ),
                batch,
            )
            lagging += [schema for schema, count in cursor.fetchall() if count < len(expected)]
        # What each lagging schema has, the same number of schemas a query.
        for first in range(0, len(lagging), per_query):
            batch = lagging[first : first + per_query]
            cursor.execute(
                " UNION ALL ".join(
                    f"SELECT %s, app, name FROM {quote(schema)}.django_migrations"
                    for schema in batch
                ),
                batch,
            )
            applied: dict[str, set[tuple[str, str]]] = {schema: set() for schema in batch}
            for schema, app, name in cursor.fetchall():
                applied[schema].add((app, name))
            for schema in batch:
                behind[schema] = set(expected) - applied[schema]
    return behind


def migrations_record(schema: str, migrations: set[tuple[str, str]]) -> None:
    """Record `migrations` as applied in `schema` without running them: what `migrate`
    does in a site's schema for the migrations of apps that have no tables there (the
    router refuses their operations, and Django records them all the same)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(schema)}.django_migrations"
            " (app, name, applied) SELECT app, name, now() FROM unnest(%s::text[], %s::text[])"
            " AS m (app, name)",
            [[app for app, _ in sorted(migrations)], [name for _, name in sorted(migrations)]],
        )

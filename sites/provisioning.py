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
"""

from __future__ import annotations

from functools import lru_cache

from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django_tenants.utils import schema_context, schema_exists

from sites.models import Site

TEMPLATE_SCHEMA = "_site_template"
# Any constant works; it serialises template rebuilds across processes.
TEMPLATE_LOCK = 7_311_001

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


def _template_is_current() -> bool:
    if not schema_exists(TEMPLATE_SCHEMA):
        return False
    with schema_context(TEMPLATE_SCHEMA), connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        applied = frozenset(cursor.fetchall())
    return applied >= migrations_on_disk()


def template_ensure() -> None:
    """Build (or rebuild) the template schema if it is missing or behind."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [TEMPLATE_LOCK])
        if _template_is_current():
            return
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


def schema_provision(site: Site) -> None:
    """Create `site`'s schema, migrated, as a copy of the template's structure."""
    template_ensure()
    schema = site.schema_name
    with schema_context(TEMPLATE_SCHEMA), connection.cursor() as cursor:
        cursor.execute(DDL_QUERY, {"template": TEMPLATE_SCHEMA, "schema": schema})
        statements = [statement for (statement,) in cursor.fetchall()]
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{schema}"')
        for statement in statements:
            cursor.execute(statement)
        # Only the migration history travels; nothing else in the template is data.
        cursor.execute(
            f'INSERT INTO "{schema}".django_migrations (app, name, applied) '
            f'SELECT app, name, applied FROM "{TEMPLATE_SCHEMA}".django_migrations'
        )

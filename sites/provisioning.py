"""Creating a site's schema fast: clone a migrated template schema.

Running the tenant migrations for every new site costs ~400 ms (Django renders the whole
migration state). Instead we keep one migrated template schema, copy its structure with
django-tenants' `clone_schema` SQL function and its `django_migrations` rows. The template
is rebuilt whenever the migrations on disk differ from the ones it has, so a clone is
never behind.
"""

from __future__ import annotations

from functools import lru_cache

from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django_tenants.clone import CloneSchema
from django_tenants.utils import schema_context, schema_exists

from sites.models import Site

TEMPLATE_SCHEMA = "_site_template"
# Any constant works; it serialises template rebuilds across processes.
TEMPLATE_LOCK = 7_311_001


@lru_cache(maxsize=1)
def migrations_on_disk() -> frozenset[tuple[str, str]]:
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def _template_is_current() -> bool:
    if not schema_exists(TEMPLATE_SCHEMA):
        return False
    with schema_context(TEMPLATE_SCHEMA), connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'clone_schema')")
        if not cursor.fetchone()[0]:
            return False
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
        # Installing the (large) clone function costs ~25 ms: once here, not per site.
        CloneSchema()._create_clone_schema_function()


def schema_provision(site: Site) -> None:
    """Create `site`'s schema, migrated, by cloning the template."""
    template_ensure()
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute("SELECT clone_schema(%s, %s, 'NODATA')", [TEMPLATE_SCHEMA, site.schema_name])
        # Only the migration history travels; nothing else in the template is data.
        cursor.execute(
            f'INSERT INTO "{site.schema_name}".django_migrations (app, name, applied) '
            f'SELECT app, name, applied FROM "{TEMPLATE_SCHEMA}".django_migrations'
        )

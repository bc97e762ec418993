"""A deploy's migrations (`manage.py migrate_network`) visit only the sites that are behind."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.signals import schema_migrated
from django_tenants.utils import schema_context

from sites.provisioning import (
    TEMPLATE_SCHEMA,
    migrations_on_disk,
    schemas_behind,
    template_ensure,
)
from sites.services import site_create


@pytest.fixture
def three_sites(network):
    return [
        site_create(title=name.title(), domain=f"{name}.localhost").schema_name
        for name in ("alpha", "bravo", "charlie")
    ]


@pytest.fixture
def migrated():
    """The schemas in which `migrate` ran."""
    schemas: list[str] = []

    def seen(schema_name, **kwargs):
        schemas.append(schema_name)

    schema_migrated.connect(seen, weak=False)
    yield schemas
    schema_migrated.disconnect(seen)


def table_exists(schema: str, table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f"{schema}.{table}"])
        return cursor.fetchone()[0]


def applied(schema: str) -> set[tuple[str, str]]:
    with schema_context(schema), connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        return set(cursor.fetchall())


def unapply_siteadmin(schema: str) -> None:
    call_command(
        "migrate_schemas", "siteadmin", "zero", schema_name=schema, interactive=False, verbosity=0
    )
    connection.set_schema_to_public()


def test_new_sites_are_up_to_date(three_sites):
    assert schemas_behind(three_sites) == {}


def test_a_site_behind_on_a_tenant_app_is_migrated_and_only_it(three_sites, migrated):
    alpha, bravo, charlie = three_sites
    unapply_siteadmin(bravo)
    migrated.clear()
    assert not table_exists(bravo, "siteadmin_sitesettings")
    assert schemas_behind(three_sites) == {bravo: {("siteadmin", "0001_initial")}}

    out = StringIO()
    call_command("migrate_network", interactive=False, verbosity=1, stdout=out)

    assert table_exists(bravo, "siteadmin_sitesettings")
    assert schemas_behind(three_sites) == {}
    assert migrated == ["public", bravo]
    assert "3 sites: 2 up to date, 1 migrated, 0 recorded" in out.getvalue()


def test_migrations_of_apps_without_tables_in_sites_are_recorded_without_migrate(
    three_sites, migrated
):
    alpha, bravo, charlie = three_sites
    with schema_context(charlie), connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = 'customers'")
    missing = {key for key in migrations_on_disk() if key[0] == "customers"}
    assert missing
    assert schemas_behind(three_sites) == {charlie: missing}

    call_command("migrate_network", interactive=False, verbosity=0)

    assert migrated == ["public"]
    assert applied(charlie) >= migrations_on_disk()
    assert schemas_behind(three_sites) == {}


def test_the_template_behind_is_rebuilt(three_sites):
    template_ensure()
    with schema_context(TEMPLATE_SCHEMA), connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = 'sessions'")
    call_command("migrate_network", interactive=False, verbosity=0)
    assert applied(TEMPLATE_SCHEMA) >= migrations_on_disk()


def test_list_behind_names_each_site_and_what_it_misses_and_fails(three_sites, migrated):
    bravo = three_sites[1]
    unapply_siteadmin(bravo)
    migrated.clear()
    out = StringIO()
    with pytest.raises(CommandError, match="1 site"):
        call_command("migrate_network", list_behind=True, stdout=out)
    assert out.getvalue() == f"{bravo}: siteadmin.0001_initial\n"
    assert migrated == []
    assert not table_exists(bravo, "siteadmin_sitesettings")


def test_a_schema_without_its_migration_table_misses_every_migration(three_sites):
    charlie = three_sites[2]
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE "{charlie}".django_migrations')
    assert schemas_behind(three_sites) == {charlie: set(migrations_on_disk())}


@pytest.mark.parametrize("schema", ["public", "alpha"])
def test_the_table_list_is_djangos_own(three_sites, schema):
    """Our backend reads only the search path's schemas (README, "Scaling out"); the list
    is what Django's query gives, temporary tables included."""
    from django.db.backends.postgresql.introspection import DatabaseIntrospection
    from django_tenants.postgresql_backend.introspection import (
        DatabaseSchemaIntrospectionSearchPathContext,
    )

    with schema_context(schema), connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE scratch (id int)")
        ours = connection.introspection.get_table_list(cursor)
        with DatabaseSchemaIntrospectionSearchPathContext(cursor=cursor, connection=connection):
            djangos = DatabaseIntrospection.get_table_list(connection.introspection, cursor)
    assert sorted(ours) == sorted(djangos)
    assert "scratch" in {table.name for table in ours}
    assert ("siteadmin_sitesettings" in {table.name for table in ours}) == (schema != "public")


def test_list_behind_also_reads_the_public_schema_and_the_template(three_sites):
    template_ensure()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = 'events'")
    with schema_context(TEMPLATE_SCHEMA), connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = 'sessions'")
    out = StringIO()
    with pytest.raises(CommandError, match="2 site"):
        call_command("migrate_network", list_behind=True, stdout=out)
    listed = [line.split(":")[0] for line in out.getvalue().splitlines()]
    assert listed == [TEMPLATE_SCHEMA, "public"]


def test_list_behind_takes_no_schema(three_sites):
    with pytest.raises(CommandError, match="no --schema"):
        call_command("migrate_network", list_behind=True, schema_name="alpha")


def test_plan_only_shows_and_changes_nothing(three_sites):
    bravo = three_sites[1]
    unapply_siteadmin(bravo)
    call_command("migrate_network", plan=True, interactive=False, verbosity=0, stdout=StringIO())
    assert schemas_behind(three_sites) == {bravo: {("siteadmin", "0001_initial")}}
    assert not table_exists(bravo, "siteadmin_sitesettings")


@pytest.mark.parametrize("per_query", [1, 2, 1000])
def test_schemas_behind_in_batches_names_what_each_misses(three_sites, monkeypatch, per_query):
    import sites.provisioning

    monkeypatch.setattr(sites.provisioning, "CHECK_BATCH", per_query)
    alpha, bravo, charlie = three_sites
    unapply_siteadmin(bravo)
    with schema_context(charlie), connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = 'customers'")
    customers = {key for key in migrations_on_disk() if key[0] == "customers"}
    assert schemas_behind(three_sites) == {
        bravo: {("siteadmin", "0001_initial")},
        charlie: customers,
    }

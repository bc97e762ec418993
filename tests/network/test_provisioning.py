from __future__ import annotations

from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from sites.models import Site
from sites.provisioning import (
    TEMPLATE_SCHEMA,
    migrations_on_disk,
    schema_provision,
    template_ensure,
)


def applied_migrations(schema: str) -> set[tuple[str, str]]:
    with schema_context(schema), connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        return set(cursor.fetchall())


def test_a_provisioned_schema_is_fully_migrated(network):
    site = Site.objects.create(schema_name="clone_me", title="Clone me")
    schema_provision(site)
    assert schema_exists("clone_me")
    assert applied_migrations("clone_me") >= migrations_on_disk()
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('clone_me.django_session') IS NOT NULL")
        assert cursor.fetchone()[0]


def test_a_template_that_is_behind_is_rebuilt_before_cloning(network):
    template_ensure()
    with schema_context(TEMPLATE_SCHEMA), connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = 'sessions'")
        cursor.execute("DROP TABLE django_session")
    site = Site.objects.create(schema_name="after_rebuild", title="After")
    schema_provision(site)
    assert applied_migrations("after_rebuild") >= migrations_on_disk()
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('after_rebuild.django_session') IS NOT NULL")
        assert cursor.fetchone()[0]


def test_sessions_never_travel_from_the_template(network):
    template_ensure()
    with schema_context(TEMPLATE_SCHEMA), connection.cursor() as cursor:
        cursor.execute("INSERT INTO django_session VALUES ('leak', 'x', now() + interval '1 day')")
    site = Site.objects.create(schema_name="copy_check", title="Copy")
    schema_provision(site)
    with schema_context("copy_check"), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_session")
        assert cursor.fetchone()[0] == 0

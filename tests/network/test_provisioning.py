from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction
from django_tenants.utils import schema_context, schema_exists

from sites.models import Site
from sites.provisioning import (
    TEMPLATE_SCHEMA,
    migrations_on_disk,
    schema_provision,
    template_ensure,
)
from sites.services import site_create, site_delete
from tests.conftest import host_client
from tests.factories import PASSWORD


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


def names(schema: str) -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint "
            "WHERE connamespace = to_regnamespace(%s) "
            "UNION SELECT tablename, indexname FROM pg_indexes WHERE schemaname = %s",
            [schema, schema],
        )
        return {(table.split(".")[-1], name) for table, name in cursor.fetchall()}


def test_a_copy_keeps_the_templates_index_and_constraint_names(network):
    """Later migrations drop and rename indexes and constraints by name."""
    template_ensure()
    site = Site.objects.create(schema_name="same_names", title="Same names")
    schema_provision(site)
    assert names("same_names") == names(TEMPLATE_SCHEMA)
    assert ("django_session", "django_session_expire_date_a5c62663") in names("same_names")


# --- On a Citus cluster (`make test-citus`): a site's schema lives whole on one worker.


def citus_running() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')")
        return cursor.fetchone()[0]


def placements(schema: str) -> dict[str, int]:
    """Each of the schema's tables, with the port of the node that holds it."""
    connection.set_schema_to_public()  # regclass names come qualified only off the path
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name::text, nodeport FROM citus_shards "
            "WHERE table_name::text LIKE %s || '.%%'",
            [schema],
        )
        return dict(cursor.fetchall())


def shards_on_workers(schema: str) -> list[int]:
    """How many of the schema's shard tables each worker holds (every worker has the
    schema itself and the tables' metadata; only one holds their rows)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT array_agg(shard_name::text) FROM citus_shards "
            "WHERE table_name::text LIKE %s || '.%%'",
            [schema],
        )
        (names,) = cursor.fetchone()
        cursor.execute(
            "SELECT result FROM run_command_on_workers(format("
            "'SELECT count(to_regclass(name)) FROM unnest(%%L::text[]) AS name', %s::text[]))",
            [names or []],
        )
        return sorted(int(result) for (result,) in cursor.fetchall())


@pytest.fixture
def cluster(transactional_db, network):
    """Commits for real: run_command_on_workers looks from other connections. The
    schemas go afterwards."""
    if not citus_running():
        pytest.skip("not a Citus cluster (make test-citus)")
    yield
    from tests.conftest import drop_site_schemas

    connection.set_schema_to_public()
    drop_site_schemas()


def test_on_citus_each_site_is_a_distributed_schema_on_one_worker(cluster):
    site_create(title="Acme", domain="acme.localhost")

    where = placements("acme")
    assert {"acme.django_migrations", "acme.django_session"} <= set(where)
    with connection.cursor() as cursor:
        cursor.execute("SELECT nodeport FROM pg_dist_node WHERE groupid = 0")
        (coordinator,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM citus_schemas WHERE schema_name::text = 'acme'")
        assert cursor.fetchone()[0] == 1
    assert len(set(where.values())) == 1
    assert coordinator not in where.values()
    assert applied_migrations("acme") >= migrations_on_disk()


def test_on_citus_the_template_stays_on_the_coordinator(cluster):
    template_ensure()
    assert placements(TEMPLATE_SCHEMA) == {}


def test_on_citus_deleting_a_site_drops_its_schema_on_its_worker_all_or_nothing(cluster):
    site = site_create(title="Acme", domain="acme.localhost")
    tables = len(placements("acme"))
    assert shards_on_workers("acme") == [0, tables]

    with pytest.raises(RuntimeError), transaction.atomic():
        site_delete(site=site)
        raise RuntimeError("a later step of the same transaction fails")
    assert shards_on_workers("acme") == [0, tables]

    site_delete(site=Site.objects.get(pk=site.pk))
    assert placements("acme") == {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT result FROM run_command_on_workers("
            "$$SELECT count(*) FROM pg_namespace WHERE nspname = 'acme'$$)"
        )
        assert [result for (result,) in cursor.fetchall()] == ["0", "0"]


def test_on_citus_a_site_moved_to_the_other_worker_keeps_answering_and_its_sessions(
    cluster, customer
):
    site_create(title="Acme", domain="acme.localhost", customer=customer)
    subsite = host_client("acme.localhost")
    subsite.post("/login/", {"username": "ada", "password": PASSWORD})
    assert subsite.get("/dashboard/").status_code == 200
    (source,) = set(placements("acme").values())

    answers: list[int] = []
    moving = threading.Event()

    def serve() -> None:
        reader = host_client("acme.localhost")
        reader.cookies = subsite.cookies
        while moving.is_set():
            answers.append(reader.get("/dashboard/").status_code)
        connections.close_all()

    moving.set()
    thread = threading.Thread(target=serve)
    thread.start()
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nodename, nodeport FROM pg_dist_node WHERE groupid <> 0 AND nodeport <> %s",
                [source],
            )
            cursor.execute("SELECT citus_schema_move('acme', %s, %s)", cursor.fetchone())
    finally:
        moving.clear()
        thread.join()

    assert set(placements("acme").values()) != {source}
    assert answers and set(answers) == {200}
    assert subsite.get("/dashboard/").status_code == 200

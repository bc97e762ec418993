"""django-tenants' PostgreSQL backend, without the round trips a request need not make.

- `SET search_path` is sent only when the path changes. django-tenants forgets what the
  connection's path is each time a tenant is set, and the tenant middleware sets one twice
  per request (public, to find the host's site; then the site): two `SET`s per request,
  even when the persistent connection (CONN_MAX_AGE) already has the right path. The path
  is remembered across requests; it is forgotten on close, rollback and savepoint
  rollback (django-tenants), where PostgreSQL may have undone the `SET`.
- Django's health check (CONN_HEALTH_CHECKS) sends `SELECT 1` on the first query of every
  request that reuses a connection. A connection the server (or a proxy) has closed has
  something to read: its goodbye, or the end of the stream. Only then is `SELECT 1` sent.
- Django's list of a schema's tables (`table_names()`, asked by `migrate` of every schema
  it visits: MigrationRecorder.has_table) reads only the catalog rows of the schemas on
  the search path. Django's query keeps the rows that `pg_table_is_visible()` accepts, a
  call made for every relation of every schema: 175 ms a schema at 10,000 sites (README,
  "Scaling out"), so a no-op `migrate_schemas` grew with sites x catalog.
"""

from __future__ import annotations

import select

from django.core.exceptions import ValidationError
from django.db.backends.postgresql.introspection import TableInfo
from django_tenants.postgresql_backend.base import DatabaseWrapper as TenantDatabaseWrapper
from django_tenants.postgresql_backend.introspection import (
    DatabaseSchemaIntrospection,
    DatabaseSchemaIntrospectionSearchPathContext,
)
from psycopg import pq

# Django's own query (django.db.backends.postgresql.introspection.get_table_list), with
# one more condition that PostgreSQL checks first, as it is the cheaper: a visible relation
# is in a schema of the effective search path, so the others are skipped before
# pg_table_is_visible() is called. The result is the same.
TABLE_LIST_SQL = """
SELECT
    c.relname,
    CASE
        WHEN c.relispartition THEN 'p'
        WHEN c.relkind IN ('m', 'v') THEN 'v'
        ELSE 't'
    END,
    obj_description(c.oid, 'pg_class')
FROM pg_catalog.pg_class c
LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('f', 'm', 'p', 'r', 'v')
    AND c.relnamespace IN (
        SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = ANY (current_schemas(true))
    )
    AND n.nspname NOT IN ('pg_catalog', 'pg_toast')
    AND pg_catalog.pg_table_is_visible(c.oid)
"""


class Introspection(DatabaseSchemaIntrospection):
    def get_table_list(self, cursor):
        with DatabaseSchemaIntrospectionSearchPathContext(
            cursor=cursor, connection=self.connection
        ):
            cursor.execute(TABLE_LIST_SQL)
            return [
                TableInfo(*row) for row in cursor.fetchall() if row[0] not in self.ignored_tables
            ]


class DatabaseWrapper(TenantDatabaseWrapper):
    # The search path the server has, as far as we know: None after close, rollback and
    # savepoint rollback, which may have undone a `SET`.
    server_search_path: list[str] | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.introspection = Introspection(self)

    def set_tenant(self, tenant, include_public=True):
        super().set_tenant(tenant, include_public)
        if self.server_search_path is None:
            return
        try:
            wanted = self._get_cursor_search_paths()
        except ValidationError:
            return  # an unusable name fails on the next query, as it did
        if wanted == self.server_search_path:
            self.search_path_set_schemas = wanted

    def _handle_search_path(self, cursor=None):
        super()._handle_search_path(cursor)
        self.server_search_path = self.search_path_set_schemas

    def close(self):
        self.server_search_path = None
        super().close()

    def rollback(self):
        self.server_search_path = None
        super().rollback()

    def savepoint_rollback(self, sid):
        try:
            super().savepoint_rollback(sid)
        finally:
            self.server_search_path = None

    def is_usable(self):
        raw = self.connection
        if raw is None or raw.closed or raw.broken:
            return False
        if raw.info.transaction_status != pq.TransactionStatus.IDLE:
            return super().is_usable()
        poller = select.poll()
        poller.register(raw.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
        if poller.poll(0):
            return super().is_usable()
        return True

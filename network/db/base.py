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
"""

from __future__ import annotations

import select

from django.core.exceptions import ValidationError
from django_tenants.postgresql_backend.base import DatabaseWrapper as TenantDatabaseWrapper
from psycopg import pq


class DatabaseWrapper(TenantDatabaseWrapper):
    # The search path the server has, as far as we know: None after close, rollback and
    # savepoint rollback, which may have undone a `SET`.
    server_search_path: list[str] | None = None

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

"""Which site a host name serves: looked up once, then remembered by each process until a
change to a site or a domain is committed.

Every request needs its host's site (sites.middleware), and the answer changes only when
someone changes a site or a domain, which is rare. So each process keeps what it looked up,
and forgets it when PostgreSQL tells it to: triggers on `sites_site` and `sites_domain`
(migration sites 0004) send `NOTIFY sites_changed, '<site id>'` for every row any path
changes (the services, Django admin, a raw `UPDATE`, a cascade). PostgreSQL delivers a
notification when its transaction commits, to every listening process, and never when it
rolls back. Each process has one listener: a daemon thread with a connection of its own.

The cache is trusted only while that listener is listening: before it has started, after
its connection dropped and until it has reconnected (and cleared everything), every
request reads the database. A lookup that overlapped a notification is not kept, since it
may have read the row as it was before the change. Nothing is kept from inside a
transaction either (it may roll back): the middleware runs outside one in production, while
a test's own transaction (pytest-django's `db`) reads through on every request.

The change is seen by every process as soon as its listener has read the notification,
a few milliseconds after the commit: an inactive site's 503 page with it.
"""

from __future__ import annotations

import logging
import os
import select
import threading

import psycopg
from django.db import connection, connections

from sites.models import Domain, Site

CHANNEL = "sites_changed"
EVERY_SITE = "*"  # the payload of a TRUNCATE
# Past this many hosts per process the oldest entry goes.
MAX_HOSTS = 5_000
# With nothing heard for this long, the listener asks its connection whether it is alive.
HEARTBEAT_SECONDS = 30
RECONNECT_SECONDS = 1
# The listener's connection, as pg_stat_activity shows it.
APPLICATION_NAME = "sites-hosts-listener"

logger = logging.getLogger(__name__)

_FIELDS = [field.attname for field in Site._meta.concrete_fields]
_PK = _FIELDS.index(Site._meta.pk.attname)


class HostCache:
    """host -> the site's field values, and a listener that keeps it true."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sites: dict[str, tuple] = {}
        # Bumped by every forgetting; a lookup is kept only if none happened meanwhile.
        self._generation = 0
        self._listening = False
        self._listener: _Listener | None = None

    def site(self, host: str) -> Site:
        """The site serving `host` (a fresh instance: the caller may change it), or
        Domain.DoesNotExist."""
        usable = not connection.in_atomic_block and self._ready()
        if usable:
            values = self._sites.get(host)
            if values is not None:
                return Site.from_db(connection.alias, _FIELDS, values)
            generation = self._generation
        site = Domain.objects.select_related("tenant").get(domain=host).tenant
        if usable:
            self._keep(host, site, generation)
        return site

    def forget(self, payload: str) -> None:
        """What a notification says: one site's hosts (its id), or every host."""
        with self._lock:
            self._generation += 1
            if payload == EVERY_SITE or not payload.isdigit():
                self._sites.clear()
                return
            site_id = int(payload)
            for host in [host for host, values in self._sites.items() if values[_PK] == site_id]:
                del self._sites[host]

    @property
    def listening(self) -> bool:
        return self._listening

    def stop(self) -> None:
        """Stop listening and forget everything (tests: before their database goes)."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.stop()
        self._set_listening(False)

    def _ready(self) -> bool:
        if self._listener is None:
            with self._lock:
                if self._listener is None:
                    self._listener = _Listener(self)
                    self._listener.start()
        return self._listening

    def _keep(self, host: str, site: Site, generation: int) -> None:
        values = tuple(getattr(site, name) for name in _FIELDS)
        with self._lock:
            if not self._listening or generation != self._generation:
                return
            if host not in self._sites and len(self._sites) >= MAX_HOSTS:
                del self._sites[next(iter(self._sites))]
            self._sites[host] = values

    def _set_listening(self, listening: bool) -> None:
        """Called as the listener (re)starts or loses its connection. Either way what was
        kept may have changed unheard: it all goes."""
        with self._lock:
            self._generation += 1
            self._sites.clear()
            self._listening = listening


class _Listener(threading.Thread):
    def __init__(self, cache: HostCache) -> None:
        super().__init__(name="sites-hosts-listener", daemon=True)
        self.cache = cache
        self.params = connections["default"].get_connection_params()
        # Over TCP, a peer that vanished without a word is noticed within about a minute.
        # A connection that dies silently (no reset) is given up within ~15 s: until then
        # the cache would still be trusted.
        for name, value in (
            ("keepalives_idle", 30),
            ("keepalives_interval", 5),
            ("keepalives_count", 3),
            ("tcp_user_timeout", 15000),
        ):
            self.params.setdefault(name, value)
        self.params["application_name"] = APPLICATION_NAME
        self._stopping = threading.Event()
        self._wake_read, self._wake_write = os.pipe()

    def stop(self) -> None:
        self._stopping.set()
        os.write(self._wake_write, b"x")
        self.join(timeout=5)
        os.close(self._wake_read)
        os.close(self._wake_write)

    def run(self) -> None:
        while not self._stopping.is_set():
            try:
                with psycopg.connect(**self.params, autocommit=True) as listening:
                    listening.execute(f"LISTEN {CHANNEL}")
                    self.cache._set_listening(True)
                    self._listen(listening)
            except psycopg.Error as error:
                logger.warning("Listening for site changes failed (%s); reconnecting.", error)
            finally:
                self.cache._set_listening(False)
            self._stopping.wait(RECONNECT_SECONDS)

    def _listen(self, listening: psycopg.Connection) -> None:
        poller = select.poll()
        poller.register(listening.fileno(), select.POLLIN)
        poller.register(self._wake_read, select.POLLIN)
        while not self._stopping.is_set():
            events = poller.poll(HEARTBEAT_SECONDS * 1000)
            if any(fd == self._wake_read for fd, _ in events):
                return
            if not events:
                listening.execute("SELECT 1")  # raises if the connection is gone
            for notify in listening.notifies(timeout=0):
                self.cache.forget(notify.payload)


hosts = HostCache()
# A forked child (gunicorn --preload) has neither the parent's listener thread nor any
# reason to trust what the parent kept: it starts afresh.
os.register_at_fork(after_in_child=hosts.__init__)

"""Email in tests, for real: an SMTP server (aiosmtpd) on loopback that keeps what
arrives, and the queue's worker run in-process against the test database, on its own
connection as `manage.py procrastinate worker` runs it. Tests that run jobs commit
(transactional_db): the worker sees only what is committed, like in production."""

from __future__ import annotations

import email
import queue
import re
import socket
import threading
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller
from django.db import connection, connections

DELIVERY_SECONDS = 5


class Inbox:
    """aiosmtpd's handler: every message that arrives, in order."""

    def __init__(self) -> None:
        self._arrived: queue.Queue[EmailMessage] = queue.Queue()

    async def handle_DATA(self, server, session, envelope) -> str:
        self._arrived.put(email.message_from_bytes(envelope.original_content, policy=default))
        return "250 Message accepted for delivery"

    def next(self, timeout: float = DELIVERY_SECONDS) -> EmailMessage:
        """The next message; fails the test when none arrives within the timeout."""
        try:
            return self._arrived.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no email arrived within {timeout} s") from None

    def is_empty(self) -> bool:
        return self._arrived.empty()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.inbox = Inbox()
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()


def body(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(message: EmailMessage) -> str:
    links = re.findall(r"https?://\S+", body(message))
    assert len(links) == 1, links
    return links[0]


def run_jobs() -> None:
    """Work the queue until nothing is due, as the worker of `make run` would, then
    return. In a thread of its own: Playwright's sync API keeps an event loop in this one."""
    from procrastinate.contrib.django import app, procrastinate_app
    from procrastinate.periodic import PeriodicRegistry

    failure: list[BaseException] = []

    def work() -> None:
        # Without the periodic jobs (refunds, Switch to, stalled jobs): a test defers the
        # jobs it means to run, and a clock-driven one would land in its queue at random.
        # (`app` is a proxy: the registry is set on the app it stands for.)
        real_app = procrastinate_app.current_app
        periodic, real_app.periodic_registry = real_app.periodic_registry, PeriodicRegistry()
        try:
            with app.replace_connector(app.connector.get_worker_connector()) as worker_app:
                worker_app.run_worker(
                    wait=False,
                    install_signal_handlers=False,
                    listen_notify=False,
                    task_middleware=[_close_connections_after],
                )
        except BaseException as error:  # re-raised in the test's thread
            failure.append(error)
        finally:
            real_app.periodic_registry = periodic

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the worker did not finish"
    if failure:
        raise failure[0]


def _close_connections_after(call_next, context, worker):
    """The worker's threads end with the run: their connections must not outlive it, or
    the test database cannot be dropped at the end."""
    try:
        return call_next()
    finally:
        connections.close_all()


def queue_empty() -> None:
    """Jobs are not Django-managed rows: a transactional test's flush leaves them."""
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE procrastinate_jobs, procrastinate_events CASCADE")


def jobs(status: str | None = None) -> list[dict]:
    """The queue's jobs (the `procrastinate_jobs` table), oldest first."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, task_name, status, attempts, args FROM procrastinate_jobs ORDER BY id"
        )
        rows = [
            dict(zip(("id", "task", "status", "attempts", "args"), row, strict=True))
            for row in cursor.fetchall()
        ]
    return [row for row in rows if status is None or row["status"] == status]


def make_retry_due() -> None:
    """Time passes: a job waiting to retry is due now."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE procrastinate_jobs SET scheduled_at = now() WHERE status = 'todo'")

"""Two redemptions of one secret racing each other: exactly one wins."""

from __future__ import annotations

import threading

from django.db import connection, transaction

from sites.services import network_ensure, site_create
from switch.services import SwitchRefused, switch_redeem, switch_start
from tests.conftest import NETWORK_HOST, drop_site_schemas
from tests.factories import CustomerFactory, make_super_admin


def test_a_secret_redeemed_twice_at_the_same_moment_wins_once(transactional_db):
    """Deterministic, on two real connections: the second redemption runs while the first
    one's transaction is still open, and the first commits only once the second is
    waiting on its row lock. So a redemption that reads the grant and then saves it
    (both would read "unused") always signs in twice, and this test fails."""
    network_ensure(host=NETWORK_HOST)
    admin = make_super_admin(username="root", email="root@network.localhost")
    customer = CustomerFactory()
    site = site_create(title="Acme", domain="acme.localhost", customer=customer)
    secret = switch_start(admin=admin, customer=customer, site=site, ip="127.0.0.1")
    outcomes: list[str] = []
    second_pid: list[int] = []
    second_connected = threading.Event()

    def redeem() -> None:
        try:
            switch_redeem(secret=secret, site=site)
            outcomes.append("signed in")
        except SwitchRefused as refusal:
            outcomes.append(str(refusal))

    def second() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                second_pid.append(cursor.fetchone()[0])
            second_connected.set()
            redeem()
        finally:
            connection.close()

    try:
        thread = threading.Thread(target=second)
        with transaction.atomic():
            redeem()
            thread.start()
            second_connected.wait()
            while thread.is_alive() and not _waits_for_a_lock(second_pid[0]):
                pass
        thread.join()
        assert outcomes == [
            "signed in",
            "This Switch to link has already been used. Each link works once.",
        ]
    finally:
        connection.set_schema_to_public()
        drop_site_schemas()


def _waits_for_a_lock(pid: int) -> bool:
    """Whether backend `pid` is blocked by another session's lock (read live, not from
    a statistics snapshot)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT cardinality(pg_blocking_pids(%s)) > 0", [pid])
        return cursor.fetchone()[0]

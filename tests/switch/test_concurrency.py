"""Two redemptions of one secret racing each other: exactly one wins."""

from __future__ import annotations

import threading

from django.db import connection

from sites.services import network_ensure, site_create
from switch.services import SwitchRefused, switch_redeem, switch_start
from tests.conftest import NETWORK_HOST, drop_site_schemas
from tests.factories import CustomerFactory, make_super_admin


def test_a_secret_redeemed_twice_at_the_same_moment_wins_once(transactional_db):
    network_ensure(host=NETWORK_HOST)
    admin = make_super_admin(username="root", email="root@network.localhost")
    customer = CustomerFactory()
    site = site_create(title="Acme", domain="acme.localhost", customer=customer)
    secret = switch_start(admin=admin, customer=customer, site=site, ip="127.0.0.1")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def redeem() -> None:
        barrier.wait()
        try:
            switch_redeem(secret=secret, site=site)
            outcomes.append("signed in")
        except SwitchRefused as refusal:
            outcomes.append(str(refusal))
        finally:
            connection.close()

    try:
        threads = [threading.Thread(target=redeem) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == [
            "This Switch to link has already been used. Each link works once.",
            "signed in",
        ]
    finally:
        connection.set_schema_to_public()
        drop_site_schemas()

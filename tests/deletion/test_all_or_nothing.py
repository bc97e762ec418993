"""All or nothing, against real commits: these tests run outside the per-test
transaction, so the service's `transaction.atomic` is the real, outermost one."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import DatabaseError, connection, connections, transaction
from django_tenants.utils import schema_exists

from customers.models import Customer, LoginRecord, User
from deletion.services import CustomerGone, customer_delete
from events.models import Event
from memberships.models import Membership
from memberships.services import membership_reassign
from payments.models import Payment
from sites.models import Domain, Site
from tests.factories import MembershipFactory


@pytest.fixture
def refuse_deleting():
    """Make PostgreSQL itself refuse to delete rows of one table, part-way through."""
    tables = []

    def refuse(table: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE FUNCTION test_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'forced failure deleting from %', TG_TABLE_NAME; END $$"
            )
            cursor.execute(
                f"CREATE TRIGGER test_refuse_delete BEFORE DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION test_refuse_delete()"
            )
        tables.append(table)

    yield refuse
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DROP TRIGGER test_refuse_delete ON {table}")
        cursor.execute("DROP FUNCTION IF EXISTS test_refuse_delete()")


@pytest.mark.parametrize(
    "table",
    [
        # Fails after the site schemas were dropped and the sites deleted.
        "payments_payment",
        # Fails at the very last step, after the customer row is gone.
        "customers_user",
    ],
)
def test_a_failure_part_way_leaves_everything_as_it_was(
    committed, refuse_deleting, customer, give, super_admin, table
):
    give(customer, n=2)
    refuse_deleting(table)
    events_before = Event.objects.count()

    with pytest.raises(DatabaseError, match=f"forced failure deleting from {table}"):
        customer_delete(customer=customer, actor=super_admin)

    assert not connection.in_atomic_block
    assert Customer.objects.filter(pk=customer.pk).exists()
    assert User.objects.filter(pk=customer.user_id).exists()
    assert Payment.objects.filter(customer=customer).count() == 2
    assert customer.memberships.count() == 2
    assert LoginRecord.objects.filter(customer=customer).count() == 2
    assert Site.objects.filter(customer=customer).count() == 2
    assert Domain.objects.filter(domain="acme0.localhost").exists()
    assert schema_exists("acme0") and schema_exists("acme1")
    assert Event.objects.count() == events_before
    assert not Event.objects.filter(type=Event.Type.CUSTOMER_DELETED).exists()


def test_two_admins_deleting_at_once_delete_once(committed, customer, give, super_admin):
    """Both requests loaded the customer; the second waits for the first one's row lock,
    then finds the customer gone instead of failing half-way."""
    give(customer)
    outcomes: list[str] = []

    def delete_in_another_request() -> None:
        try:
            customer_delete(customer=Customer.objects.get(pk=customer.pk), actor=super_admin)
            outcomes.append("deleted")
        except CustomerGone:
            outcomes.append("gone")
        finally:
            connections.close_all()

    with transaction.atomic():
        # Hold the row so both requests reach the lock before either goes on.
        Customer.objects.select_for_update().get(pk=customer.pk)
        threads = [threading.Thread(target=delete_in_another_request) for _ in range(2)]
        for thread in threads:
            thread.start()
        _wait_for_lock_waiters(2)
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["deleted", "gone"]
    assert Event.objects.filter(type=Event.Type.CUSTOMER_DELETED).count() == 1
    assert not schema_exists("acme")


def test_a_membership_moved_away_meanwhile_keeps_its_site(
    committed, customer, bob, super_admin, make_site
):
    """One admin moves a membership, with its site, to Bob while another deletes the old
    owner with Delete everything: the deletion waits for the move (it used to deadlock
    with it, one admin getting an error page), then leaves Bob's site alone."""
    membership = MembershipFactory(customer=customer)
    site = make_site("acme", customer=customer, membership=membership)
    moved, release = threading.Event(), threading.Event()
    errors: list[Exception] = []

    def move_and_hold() -> None:
        try:
            with transaction.atomic():
                membership_reassign(
                    membership=Membership.objects.get(pk=membership.pk),
                    customer=bob,
                    actor=super_admin,
                )
                moved.set()
                release.wait(timeout=30)
        except Exception as error:  # reported by the assertion below
            errors.append(error)
            moved.set()
        finally:
            connections.close_all()

    def delete() -> None:
        try:
            customer_delete(customer=Customer.objects.get(pk=customer.pk), actor=super_admin)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    mover = threading.Thread(target=move_and_hold)
    mover.start()
    assert moved.wait(timeout=30)
    deleter = threading.Thread(target=delete)
    deleter.start()
    _wait_for_lock_waiters(1)
    release.set()
    mover.join(timeout=30)
    deleter.join(timeout=30)

    assert errors == []
    assert not Customer.objects.filter(pk=customer.pk).exists()
    assert Site.objects.get(pk=site.pk).customer_id == bob.pk
    assert Membership.objects.get(pk=membership.pk).customer_id == bob.pk
    assert schema_exists("acme")


def _wait_for_lock_waiters(count: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            # Activity is snapshotted once per transaction unless cleared.
            cursor.execute("select pg_stat_clear_snapshot()")
            cursor.execute(
                "select count(*) from pg_stat_activity "
                "where wait_event_type = 'Lock' and datname = current_database()"
            )
            if cursor.fetchone()[0] >= count:
                return
        time.sleep(0.05)
    raise AssertionError(f"{count} requests never waited for the lock")

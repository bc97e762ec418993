"""The demo seed: a believable network at small scale, the same code as at a million."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, F, Max, Sum
from django_tenants.utils import schema_exists

from customers.models import Customer, LoginRecord, User
from demo import bulk, seeding
from events.models import Event
from memberships.models import Membership, MembershipAddon
from payments.models import Payment, Refund
from sites.models import Domain, Site
from tests.conftest import host_client, network_url

LOGIN = re.compile(r"Super admin: admin \(admin@network\.localhost\) / (\S+)")
OWNERS = re.compile(r"Site owners \(password (\S+)\)")


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def seeded(db) -> str:
    return seed("--customers", "50", "--sites", "0")


def test_it_adds_the_requested_number_of_customers(seeded):
    assert Customer.objects.count() == 50
    assert "Seeded 50 customers" in seeded


def test_customers_have_names_emails_and_no_usable_password(seeded):
    users = User.objects.filter(customer__isnull=False)
    assert users.filter(first_name="").count() == 0
    assert all("@" in user.email and user.username for user in users)
    assert not any(user.has_usable_password() for user in users)
    assert users.values("email").distinct().count() == 50


def test_every_status_is_represented(seeded):
    statuses = set(Membership.objects.values_list("status", flat=True))
    assert statuses == set(Membership.Status.values)
    assert set(Payment.objects.values_list("status", flat=True)) == set(Payment.Status.values)
    verifications = set(Customer.objects.values_list("email_verification", flat=True))
    assert verifications == set(Customer.EmailVerification.values)
    assert Customer.objects.filter(vip=True).exists()
    assert Payment.objects.values("currency").distinct().count() >= 2
    assert MembershipAddon.objects.exists()


def test_payment_totals_add_up(seeded):
    payments = Payment.objects.annotate(items=Sum("line_items__total"))
    assert payments.count() > 50
    for payment in payments:
        assert payment.total == payment.subtotal - payment.discount_total + payment.tax_total
        assert payment.subtotal == payment.items
        assert 0 <= payment.refunded_total <= payment.total
        if payment.status == Payment.Status.REFUNDED:
            assert payment.refunded_total == payment.total
        elif payment.status == Payment.Status.PARTIALLY_REFUNDED:
            assert 0 < payment.refunded_total < payment.total
        else:
            assert payment.refunded_total == 0
        assert payment.currency == payment.membership.currency
    refunded = Payment.objects.filter(refunded_total__gt=0).annotate(
        refunds_sum=Sum("refunds__amount")
    )
    assert refunded.exists()
    for payment in refunded:
        assert payment.refunds_sum == payment.refunded_total


def test_last_login_is_the_latest_login_record(seeded):
    latest = dict(
        LoginRecord.objects.values("customer")
        .annotate(at=Max("created_at"))
        .values_list("customer", "at")
    )
    assert latest
    for customer in Customer.objects.all():
        assert customer.last_login_at == latest.get(customer.pk)
        if customer.last_login_at:
            assert customer.last_seen_at >= customer.last_login_at
            assert customer.user.last_login == customer.last_login_at


def test_events_come_from_the_system_and_from_the_admin(seeded):
    admin = User.objects.get(username="admin")
    events = Event.objects.exclude(type=Event.Type.SITE_CREATED)
    assert events.filter(actor__isnull=True, actor_label="").exists()
    assert events.filter(actor=admin).exists()
    assert events.values("type").distinct().count() >= 4
    by_customer = events.values("customer_ref").annotate(n=Count("*"))
    assert by_customer.count() == 50


def test_the_printed_password_logs_the_admin_in(seeded):
    password = LOGIN.search(seeded).group(1)
    assert "http://network.localhost:8000/" in seeded
    client = host_client()
    response = client.post(network_url("login"), {"username": "admin", "password": password})
    assert response.status_code == 302
    assert client.get(network_url("home"), follow=True).status_code == 200
    admin = User.objects.get(username="admin")
    assert admin.is_network_admin and admin.is_superuser


def test_if_empty_leaves_the_data_alone_and_gives_the_admin_a_new_password(seeded):
    before = LOGIN.search(seeded).group(1)
    counts = (Customer.objects.count(), Payment.objects.count(), Event.objects.count())
    again = seed("--customers", "50", "--if-empty")
    assert "skipped" in again
    assert (Customer.objects.count(), Payment.objects.count(), Event.objects.count()) == counts
    after = LOGIN.search(again).group(1)
    assert after != before
    admin = User.objects.get(username="admin")
    assert admin.check_password(after) and not admin.check_password(before)


def test_if_empty_seeds_an_empty_network(db):
    out = seed("--customers", "5", "--sites", "0", "--if-empty")
    assert Customer.objects.count() == 5
    assert LOGIN.search(out)


def test_the_printed_links_use_the_port_it_serves_on(db):
    """`make run PORT=8102` passes its port along."""
    out = seed("--customers", "1", "--sites", "1", "--port", "8102")
    assert "http://network.localhost:8102/" in out
    assert re.search(r"→ http://\S+\.localhost:8102/dashboard/", out)
    assert ":8000" not in out


def test_the_admin_password_can_come_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "demo-password-42")
    out = seed("--customers", "1", "--sites", "0")
    assert "/ demo-password-42" in out
    assert User.objects.get(username="admin").check_password("demo-password-42")


def test_demo_sites_are_real_subsites_their_owners_can_log_in_to(db):
    out = seed("--customers", "3", "--sites", "2")
    password = OWNERS.search(out).group(1)
    for slug in ("acme", "globex"):
        site = Site.objects.get(schema_name=slug)
        assert schema_exists(slug)
        assert Domain.objects.get(tenant=site).domain == f"{slug}.localhost"
        assert site.customer.memberships.filter(status=Membership.Status.ACTIVE).exists()
        client = host_client(f"{slug}.localhost")
        login = client.post("/login/", {"username": site.customer.user.email, "password": password})
        assert login.status_code == 302
        assert client.get("/dashboard/").status_code == 200
        connection.set_schema_to_public()
    assert "http://acme.localhost:8000/dashboard/" in out
    # A second run keeps the sites and still prints a working owner password.
    again = seed("--customers", "0", "--sites", "2")
    assert Site.objects.filter(schema_name__in=["acme", "globex"]).count() == 2
    owner = Site.objects.get(schema_name="acme").customer.user
    assert owner.check_password(OWNERS.search(again).group(1))


def _secondary_indexes_and_foreign_keys() -> set:
    tables = [m._meta.db_table for m in (User, Customer, Membership, Payment, Event, Refund)]
    tables += [LoginRecord._meta.db_table, MembershipAddon._meta.db_table]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
            "UNION ALL SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])",
            [tables, tables],
        )
        return {row[0] for row in cursor.fetchall()}


def test_bulk_mode_rebuilds_every_index_and_foreign_key(db, monkeypatch):
    """Large loads drop and rebuild indexes and generate in a thread; the same path,
    forced at a small size, must leave the schema exactly as it was."""
    monkeypatch.setattr(bulk, "BULK_MODE_FROM", 1)
    monkeypatch.setattr(bulk, "BATCH_CUSTOMERS", 7)
    before = _secondary_indexes_and_foreign_keys()
    admin = seeding.admin_ensure(password="x" * 12)
    seeding.customers_add(customers=30, admin=admin, seed=5)
    assert _secondary_indexes_and_foreign_keys() == before
    assert Customer.objects.count() == 30
    assert Payment.objects.exists()
    assert not Payment.objects.exclude(membership__customer=F("customer")).exists()
    assert not LoginRecord.objects.exclude(customer__in=Customer.objects.all()).exists()

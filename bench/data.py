"""The data the benchmark runs on: the big network, the heavy customer, cheap tenants."""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django_tenants.utils import schema_exists

from customers.models import Customer, LoginRecord, User
from demo import seeding
from demo.bulk import CopyTable, reserve_ids, sequence_name
from demo.generators import PAYMENT_STATUS_WEIGHTS
from events.models import Event
from memberships.models import Gateway, Membership, Product
from payments.models import Payment, PaymentLineItem
from sites.models import Domain, Site
from sites.services import network_ensure

BENCH_ADMIN = "bench-admin"
HEAVY_USERNAME = "heavy.customer"
TEMPLATE = "bench_template"


@dataclass
class Dataset:
    admin: User
    heavy: Customer
    customers: int
    email_term: str
    name_term: str


def bench_admin() -> User:
    """A super admin of the benchmark's own (no usable password: it is force-logged in),
    so running the benchmark never changes the demo admin's password."""
    user, _ = User.objects.get_or_create(
        username=BENCH_ADMIN,
        defaults={"email": "bench-admin@network.localhost", "first_name": "Bench"},
    )
    if not (user.is_staff and user.is_superuser):
        user.is_staff = user.is_superuser = True
        user.set_unusable_password()
        user.save()
    user.user_permissions.add(
        Permission.objects.get(codename="network_admin", content_type__app_label="customers")
    )
    return User.objects.get(pk=user.pk)


def migrate_if_needed() -> None:
    """A fresh benchmark database gets migrated; an up-to-date one costs one check."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        print("Migrating the benchmark database…", file=sys.stderr)
        call_command("migrate_schemas", interactive=False, verbosity=0)
        connection.set_schema_to_public()


def dataset_ensure(
    *, customers: int, heavy_payments: int, heavy_sites: int, heavy_events: int, quick: bool
) -> Dataset:
    migrate_if_needed()
    network_ensure(host=settings.NETWORK_HOST)
    admin = bench_admin()
    existing = Customer.objects.count()
    if existing == 0:
        report = seeding.seed_demo(
            customers=customers, sites=1 if quick else 3, progress=sys.stderr
        )
        seeding.print_report(report, sys.stderr)
    elif existing < customers:
        print(f"Adding {customers - existing:,} customers to {existing:,}…", file=sys.stderr)
        seeding.customers_add(
            customers=customers - existing, admin=admin, seed=existing, progress=sys.stderr
        )
    template_ensure()
    leftovers_drop()
    heavy = heavy_customer_ensure(
        admin=admin, payments=heavy_payments, sites=heavy_sites, events=heavy_events
    )
    total = Customer.objects.count()
    bounds = Customer.objects.aggregate(low=Min("pk"), high=Max("pk"))
    middle = list(
        Customer.objects.filter(pk__gte=(bounds["low"] + bounds["high"]) // 2)
        .exclude(user__username=HEAVY_USERNAME)
        .select_related("user")
        .order_by("pk")[:2]
    )
    by_email, by_name = middle[0], middle[-1]
    return Dataset(
        admin=admin,
        heavy=heavy,
        customers=total,
        email_term=by_email.user.email.split("@")[0],
        name_term=f"{by_name.user.first_name} {by_name.user.last_name}",
    )


def heavy_customer_ensure(*, admin: User, payments: int, sites: int, events: int) -> Customer:
    """One customer with a long history: many payments, sites and events."""
    found = Customer.objects.filter(user__username=HEAVY_USERNAME).first()
    if found is not None:
        if (
            found.payments.count() >= payments
            and found.sites.count() >= sites
            and Event.objects.filter(customer_ref=found.pk).count() >= events
        ):
            return found
        _customer_drop(found)  # made by a smaller run: make it again at this size
    rng = random.Random(7)
    now = timezone.now()
    plan = Product.objects.filter(kind=Product.Kind.PLAN, price__gt=0).order_by("pk").first()
    with transaction.atomic():
        user = User.objects.create_user(
            username=HEAVY_USERNAME,
            email="heavy.customer@bench.example",
            first_name="Hedda",
            last_name="Heavy",
        )
        customer = Customer.objects.create(
            user=user,
            vip=True,
            email_verification=Customer.EmailVerification.VERIFIED,
            company_name="Heavy Industries",
            billing_email="billing@heavy.example",
            address_line_1="1 Load Street",
            city="Benchmark",
            postal_code="10115",
            country="DE",
        )
        memberships = Membership.objects.bulk_create(
            Membership(
                customer=customer,
                plan=plan,
                status=Membership.Status.ACTIVE,
                currency=plan.currency,
                amount=plan.price,
                initial_amount=plan.price,
                gateway=Gateway.MANUAL,
                date_activated=now - timedelta(days=900),
            )
            for _ in range(10)
        )
        statuses = list(PAYMENT_STATUS_WEIGHTS)
        label = f"{user.display_name} <{user.email}>"
        admin_label = f"{admin.display_name} <{admin.email}>"
        types = [Event.Type.CUSTOMER_UPDATED, Event.Type.LOGIN, Event.Type.PAYMENT_CREATED]
        logins = [now - timedelta(hours=i * 7) for i in range(200)]
        with connection.cursor() as cursor:
            first_payment = reserve_ids(cursor, sequence_name(Payment), payments)
            paid = [
                (first_payment + i, statuses[i % len(statuses)], now - timedelta(hours=i * 20))
                for i in range(payments)
            ]
            CopyTable(
                Payment,
                "id customer_id membership_id status currency subtotal total refunded_total"
                " created_at",
            ).write(
                cursor,
                (
                    (pk, customer.pk, memberships[i % len(memberships)].pk, status)
                    + (plan.currency, plan.price, plan.price, _refunded(status, plan.price), at)
                    for i, (pk, status, at) in enumerate(paid)
                ),
            )
            CopyTable(PaymentLineItem, "payment_id product_id description unit_price total").write(
                cursor, ((pk, plan.pk, plan.name, plan.price, plan.price) for pk, _, _ in paid)
            )
            CopyTable(LoginRecord, "customer_id ip country_code").write(
                cursor, ((customer.pk, f"203.0.113.{i % 40 + 1}", "DE") for i in range(len(logins)))
            )
            CopyTable(
                Event, "type message customer_id customer_ref customer_label actor_id actor_label"
            ).write(
                cursor,
                (
                    (types[i % len(types)], f"Benchmark event {i}", customer.pk, customer.pk)
                    + (label, admin.pk if i % 2 else None, admin_label if i % 2 else "")
                    for i in range(events)
                ),
            )
        Customer.objects.filter(pk=customer.pk).update(
            last_login_at=logins[0], last_seen_at=logins[0]
        )
        tenants_create(
            count=sites, prefix="heavy", customer=customer, membership=memberships[0], rng=rng
        )
    return customer


def _customer_drop(customer: Customer) -> None:
    sites_drop(list(customer.sites.all()))
    Event.objects.filter(customer_ref=customer.pk).delete()
    customer.user.delete()


def leftovers_drop() -> None:
    """What an interrupted run may have left: its sites and throw-away customers."""
    sites_drop(list(Site.objects.filter(schema_name__startswith="bench_")))
    for customer in Customer.objects.filter(user__username__startswith="bench-delete-"):
        _customer_drop(customer)


def _refunded(status: str, total: Decimal) -> Decimal:
    if status == Payment.Status.REFUNDED:
        return total
    if status == Payment.Status.PARTIALLY_REFUNDED:
        return (total / 2).quantize(Decimal("0.01"))
    return Decimal("0.00")


# --- Cheap tenants ------------------------------------------------------------------------


def template_ensure() -> str:
    """A migrated tenant schema to copy from (not a tenant itself)."""
    if not schema_exists(TEMPLATE):
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{TEMPLATE}"')
        call_command(
            "migrate_schemas", tenant=True, schema_name=TEMPLATE, interactive=False, verbosity=0
        )
        connection.set_schema_to_public()
    return TEMPLATE


def schema_copy(cursor, schema: str) -> None:
    """A tenant schema with the template's tables (structure only) and its migration
    history: what migrations would build, at a fraction of the cost."""
    cursor.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
        [TEMPLATE],
    )
    tables = [row[0] for row in cursor.fetchall()]
    cursor.execute(f'CREATE SCHEMA "{schema}"')
    for table in tables:
        cursor.execute(
            f'CREATE TABLE "{schema}"."{table}" (LIKE "{TEMPLATE}"."{table}" INCLUDING ALL)'
        )
    cursor.execute(
        f'INSERT INTO "{schema}".django_migrations (app, name, applied) '
        f'SELECT app, name, applied FROM "{TEMPLATE}".django_migrations'
    )


def tenants_create(
    *,
    count: int,
    prefix: str,
    customer: Customer | None = None,
    membership: Membership | None = None,
    rng: random.Random | None = None,
) -> list[Site]:
    """`count` tenants with real (copied) schemas and a domain each."""
    template_ensure()
    rng = rng or random.Random(count)
    suffix = f"{rng.getrandbits(24):06x}"
    sites = Site.objects.bulk_create(
        Site(
            schema_name=f"{prefix}_{suffix}_{i}",
            title=f"{prefix.title()} site {i}",
            customer=customer,
            membership=membership,
            type=Site.Type.CUSTOMER_OWNED,
        )
        for i in range(count)
    )
    Domain.objects.bulk_create(
        Domain(domain=f"{site.schema_name.replace('_', '-')}.localhost", tenant=site)
        for site in sites
    )
    with connection.cursor() as cursor:
        for site in sites:
            schema_copy(cursor, site.schema_name)
    return sites


def sites_drop(sites: list[Site]) -> None:
    """Drop the schemas, domains, rows and events of sites the benchmark made."""
    if not sites:
        return
    # A few dozen schemas per transaction: dropping hundreds at once takes a lock on every
    # table of every one and runs out of the server's lock table (max_locks_per_transaction).
    for start in range(0, len(sites), 50):
        with transaction.atomic(), connection.cursor() as cursor:
            for site in sites[start : start + 50]:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{site.schema_name}" CASCADE')
    with transaction.atomic():
        pks = [site.pk for site in sites]
        Event.objects.filter(subject_type="site", subject_id__in=pks).delete()
        Domain.objects.filter(tenant_id__in=pks).delete()
        Site.objects.filter(pk__in=pks).delete()

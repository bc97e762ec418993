"""Demo data: a believable network, from a handful of customers to millions.

The small, shared things (the network, the super admin, products, a few real
subsites) go through the ORM and the services. The bulk (users, customers,
memberships, payments, login records, events) is streamed with PostgreSQL COPY in
batches; ids are reserved from the sequences first so that foreign keys line up
without a round trip per row. Users of the bulk get an unusable password, so no
hashing is paid per row.
"""

from __future__ import annotations

import bisect
import itertools
import json
import os
import random
import re
import secrets
import sys
import threading
import time
import unicodedata
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from queue import Full, Queue
from typing import Any, TextIO

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import connection, models, transaction
from django.utils import timezone

from customers.models import Customer, LoginRecord, User
from events.models import Event
from memberships.models import BillingPeriod, Gateway, Membership, MembershipAddon, Product
from payments.models import Payment, PaymentLineItem
from sites.models import Site
from sites.services import network_ensure, site_create

ADMIN_USERNAME = "admin"
ADMIN_EMAIL = "admin@network.localhost"
DEMO_PORT = 8000
BATCH_CUSTOMERS = 5_000
BULK_MODE_FROM = 20_000

# Locale → country of the customers it names, and how common that country is.
LOCALES: list[tuple[str, str, int]] = [
    ("en_US", "US", 34),
    ("en_GB", "GB", 10),
    ("de_DE", "DE", 12),
    ("fr_FR", "FR", 8),
    ("es_ES", "ES", 6),
    ("it_IT", "IT", 5),
    ("nl_NL", "NL", 5),
    ("pt_BR", "BR", 5),
    ("en_CA", "CA", 5),
    ("en_AU", "AU", 4),
    ("pl_PL", "PL", 3),
    ("sv_SE", "SE", 3),
]
EURO_COUNTRIES = {"DE", "FR", "ES", "IT", "NL"}
TAX_PERCENT = {"DE": 19, "FR": 20, "GB": 20, "NL": 21, "ES": 21, "IT": 22, "SE": 25, "PL": 23}
TAX_PERCENT |= {"CA": 5, "AU": 10}
MAIL_DOMAINS = [
    "gmail.com",
    "outlook.com",
    "yahoo.com",
    "icloud.com",
    "proton.me",
    "hotmail.com",
    "gmx.net",
    "fastmail.com",
]
USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
]
PUBLIC_FIRST_OCTETS = [23, 31, 37, 46, 62, 77, 81, 84, 91, 95, 104, 142, 151, 176, 185, 203]

# (slug, name, kind, USD price, period); EUR and GBP variants are derived.
CATALOG: list[tuple[str, str, str, str, str]] = [
    ("free", "Free", "plan", "0.00", BillingPeriod.MONTH),
    ("starter", "Starter", "plan", "9.00", BillingPeriod.MONTH),
    ("growth", "Growth", "plan", "29.00", BillingPeriod.MONTH),
    ("business", "Business", "plan", "79.00", BillingPeriod.MONTH),
    ("agency", "Agency", "plan", "199.00", BillingPeriod.MONTH),
    ("growth-yearly", "Growth (yearly)", "plan", "290.00", BillingPeriod.YEAR),
    ("business-yearly", "Business (yearly)", "plan", "790.00", BillingPeriod.YEAR),
    ("storage-50", "Extra storage 50 GB", "package", "5.00", BillingPeriod.MONTH),
    ("premium-themes", "Premium themes", "package", "12.00", BillingPeriod.MONTH),
    ("extra-site", "Extra site", "package", "15.00", BillingPeriod.MONTH),
    ("priority-support", "Priority support", "service", "49.00", BillingPeriod.MONTH),
    ("site-setup", "Site setup", "service", "99.00", BillingPeriod.YEAR),
]
CURRENCIES = {"USD": Decimal("1"), "EUR": Decimal("0.92"), "GBP": Decimal("0.79")}
PLAN_WEIGHTS = {
    "free": 12,
    "starter": 30,
    "growth": 25,
    "business": 12,
    "agency": 4,
    "growth-yearly": 10,
    "business-yearly": 7,
}

# Real subsites: slug → (title, owner first name, owner last name).
DEMO_SITES: list[tuple[str, str, str, str]] = [
    ("acme", "Acme Corporation", "Wile", "Coyote"),
    ("globex", "Globex", "Hank", "Scorpio"),
    ("initech", "Initech", "Bill", "Lumbergh"),
    ("umbrella", "Umbrella Corporation", "Albert", "Wesker"),
    ("hooli", "Hooli", "Gavin", "Belson"),
    ("stark", "Stark Industries", "Pepper", "Potts"),
    ("wonka", "Wonka Industries", "Willy", "Wonka"),
    ("tyrell", "Tyrell Corporation", "Eldon", "Tyrell"),
    ("cyberdyne", "Cyberdyne Systems", "Miles", "Dyson"),
    ("soylent", "Soylent Corp", "Sol", "Roth"),
]

MEMBERSHIP_STATUS_WEIGHTS = {
    Membership.Status.ACTIVE: 58,
    Membership.Status.TRIALING: 7,
    Membership.Status.PENDING: 6,
    Membership.Status.ON_HOLD: 5,
    Membership.Status.EXPIRED: 11,
    Membership.Status.CANCELLED: 13,
}
PAYMENT_STATUS_WEIGHTS = {
    Payment.Status.COMPLETED: 84,
    Payment.Status.REFUNDED: 3,
    Payment.Status.PARTIALLY_REFUNDED: 4,
    Payment.Status.FAILED: 5,
    Payment.Status.CANCELLED: 4,
}
VERIFICATION_WEIGHTS = {
    Customer.EmailVerification.VERIFIED: 75,
    Customer.EmailVerification.PENDING: 15,
    Customer.EmailVerification.NONE: 10,
}
PERIOD_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}
PERIOD_ADJECTIVE = {"day": "daily", "week": "weekly", "month": "monthly", "year": "yearly"}


@dataclass
class SeedReport:
    admin: User
    admin_password: str
    owner_password: str = ""
    owners: list[tuple[str, str]] = field(default_factory=list)  # (email, site host)
    customers: int = 0
    rows: int = 0
    seconds: float = 0.0
    skipped: bool = False

    def logins_text(self) -> str:
        lines = [
            f"Super admin: {self.admin.username} ({self.admin.email}) / {self.admin_password}",
            f"  → http://{settings.NETWORK_HOST}:{DEMO_PORT}/",
        ]
        if self.owners:
            lines.append(f"Site owners (password {self.owner_password}):")
            lines += [
                f"  {email} → http://{host}:{DEMO_PORT}/dashboard/" for email, host in self.owners
            ]
        return "\n".join(lines)


# --- Entry points -------------------------------------------------------------------------


def seed_demo(
    *,
    customers: int,
    sites: int = 3,
    if_empty: bool = False,
    seed: int = 2024,
    progress: TextIO | None = None,
) -> SeedReport:
    """Ensure the network and its super admin, then add `customers` demo customers and
    up to `sites` real subsites (unless `if_empty` and customers already exist)."""
    started = time.perf_counter()
    network_ensure(host=settings.NETWORK_HOST)
    admin_password = os.environ.get("DEMO_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
    admin = admin_ensure(password=admin_password)
    owner_password = os.environ.get("DEMO_OWNER_PASSWORD") or secrets.token_urlsafe(9)
    report = SeedReport(admin=admin, admin_password=admin_password, owner_password=owner_password)
    if if_empty and Customer.objects.exists():
        report.owners = _site_owners_reset(owner_password)
        report.skipped = True
        report.seconds = time.perf_counter() - started
        return report

    report.owners = sites_ensure(
        count=sites,
        owner_password=owner_password,
        products=products_ensure(),
        admin=admin,
        rng=random.Random(seed),
    )
    report.rows = customers_add(customers=customers, admin=admin, seed=seed, progress=progress)
    report.customers = customers
    report.seconds = time.perf_counter() - started
    return report


def customers_add(
    *, customers: int, admin: User, seed: int = 2024, progress: TextIO | None = None
) -> int:
    """Bulk-load `customers` customers with their history; returns the rows written."""
    seeder = BulkSeeder(
        products=products_ensure(), admin=admin, rng=random.Random(seed), pools=NamePools(seed)
    )
    rows = seeder.run(customers, progress=progress)
    analyze()
    return rows


def admin_ensure(*, password: str) -> User:
    """The demo super admin, with a fresh password on every call."""
    admin, _ = User.objects.get_or_create(
        username=ADMIN_USERNAME,
        defaults={"email": ADMIN_EMAIL, "first_name": "Network", "last_name": "Admin"},
    )
    admin.email = admin.email or ADMIN_EMAIL
    admin.is_staff = True
    admin.is_superuser = True  # so Django admin shows every model
    admin.is_active = True
    admin.set_password(password)
    admin.save()
    admin.user_permissions.add(
        Permission.objects.get(codename="network_admin", content_type__app_label="customers")
    )
    return User.objects.get(pk=admin.pk)


def products_ensure() -> list[Product]:
    """The catalog, in every currency; idempotent by slug."""
    existing = {p.slug: p for p in Product.objects.all()}
    missing = []
    for slug, name, kind, usd_price, period in CATALOG:
        for currency, rate in CURRENCIES.items():
            full_slug = f"{slug}-{currency.lower()}"
            if full_slug in existing:
                continue
            price = (Decimal(usd_price) * rate).quantize(Decimal("1"))
            missing.append(
                Product(
                    slug=full_slug,
                    name=name if currency == "USD" else f"{name} ({currency})",
                    kind=kind,
                    price=price.quantize(Decimal("0.01")),
                    currency=currency,
                    billing_period=period,
                )
            )
    Product.objects.bulk_create(missing)
    return list(Product.objects.filter(slug__in=_catalog_slugs()).order_by("id"))


def _catalog_slugs() -> list[str]:
    return [f"{slug}-{cur.lower()}" for slug, *_ in CATALOG for cur in CURRENCIES]


def analyze() -> None:
    tables = [
        m._meta.db_table
        for m in (User, Customer, LoginRecord, Membership, MembershipAddon, Payment)
        + (PaymentLineItem, Event, Site)
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'ANALYZE "{table}"')


# --- Real subsites ------------------------------------------------------------------------


def sites_ensure(
    *, count: int, owner_password: str, products: list[Product], admin: User, rng: random.Random
) -> list[tuple[str, str]]:
    """Up to `count` real subsites (schema + domain), each owned by a customer with an
    active membership who can log in with the demo owner password."""
    owners = []
    plan = next(p for p in products if p.slug == "business-usd")
    for slug, title, first, last in DEMO_SITES[: max(0, count)]:
        host = f"{slug}.localhost"
        email = f"{first.lower()}@{slug}.example"
        user = User.objects.filter(username=f"{first.lower()}.{slug}").first()
        if user is None:
            user = User.objects.create_user(
                username=f"{first.lower()}.{slug}",
                email=email,
                first_name=first,
                last_name=last,
            )
        user.set_password(owner_password)
        user.save(update_fields=["password"])
        customer, created = Customer.objects.get_or_create(
            user=user,
            defaults={
                "email_verification": Customer.EmailVerification.VERIFIED,
                "company_name": title,
                "billing_email": f"billing@{slug}.example",
                "address_line_1": f"{rng.randint(1, 999)} Main Street",
                "city": "Springfield",
                "postal_code": f"{rng.randint(10000, 99999)}",
                "country": "US",
                "vip": slug == "acme",
            },
        )
        if created:
            _owner_history(customer, plan, admin)
        if not Site.objects.filter(schema_name=slug).exists():
            site_create(
                title=title,
                domain=host,
                customer=customer,
                membership=customer.memberships.first(),
                actor=admin,
            )
        owners.append((user.email, host))
    return owners


def _owner_history(customer: Customer, plan: Product, admin: User) -> None:
    from events.services import event_record

    now = timezone.now()
    with transaction.atomic():
        membership = Membership.objects.create(
            customer=customer,
            plan=plan,
            status=Membership.Status.ACTIVE,
            currency=plan.currency,
            initial_amount=plan.price,
            amount=plan.price,
            times_billed=3,
            gateway=Gateway.MANUAL,
            date_activated=now - timedelta(days=75),
            date_renewed=now - timedelta(days=15),
            date_expiration=now + timedelta(days=15),
        )
        for months_ago in (2, 1, 0):
            payment = Payment.objects.create(
                customer=customer,
                membership=membership,
                status=Payment.Status.COMPLETED,
                gateway=Gateway.MANUAL,
                currency=plan.currency,
                subtotal=plan.price,
                total=plan.price,
            )
            Payment.objects.filter(pk=payment.pk).update(
                created_at=now - timedelta(days=30 * months_ago + 15)
            )
            PaymentLineItem.objects.create(
                payment=payment,
                product=plan,
                description=f"{plan.name} (monthly)",
                unit_price=plan.price,
                total=plan.price,
            )
        event_record(
            type=Event.Type.CUSTOMER_CREATED,
            message=f"Customer {customer.user.display_name} created",
            customer=customer,
            subject=customer,
            actor=admin,
        )
        event_record(
            type=Event.Type.MEMBERSHIP_CREATED,
            message=f"Membership {membership.reference} created on {plan.name}",
            customer=customer,
            subject=membership,
            actor=admin,
        )


def _site_owners_reset(owner_password: str) -> list[tuple[str, str]]:
    owners = []
    sites = Site.objects.filter(schema_name__in=[slug for slug, *_ in DEMO_SITES])
    for site in sites.select_related("customer__user").order_by("id"):
        if site.customer is None:
            continue
        user = site.customer.user
        user.set_password(owner_password)
        user.save(update_fields=["password"])
        owners.append((user.email, f"{site.schema_name}.localhost"))
    return owners


# --- Bulk loading -------------------------------------------------------------------------


def sequence_name(model: type[models.Model]) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
        return cursor.fetchone()[0]


def reserve_ids(cursor, sequence: str, count: int) -> int:
    """Take `count` consecutive ids from a sequence and return the first. Seeding is not
    meant to run alongside live inserts into the same tables."""
    if count <= 0:
        return 0
    cursor.execute("SELECT setval(%s, nextval(%s) + %s - 1)", [sequence, sequence, count])
    return cursor.fetchone()[0] - count + 1


class CopyTable:
    """COPY rows into one model's table. The caller names the columns it fills (by
    attname, in row order); every other concrete column gets its field default, so the
    loader keeps working when a model grows a field."""

    def __init__(self, model: type[models.Model], columns: str):
        meta = model._meta
        names = columns.split()
        by_attname = {f.attname: f for f in meta.concrete_fields}
        unknown = set(names) - set(by_attname)
        if unknown:
            raise ValueError(f"{meta.label} has no columns {sorted(unknown)}")
        extra = [
            f
            for f in meta.concrete_fields
            if f.attname not in names and not isinstance(f, models.AutoField)
        ]
        self.model = model
        self.extra_fields = extra
        self.extra_values = tuple(_column_default(f) for f in extra)
        # A callable default (a uuid, say) must differ per row; constants are computed once.
        self.per_row = [i for i, f in enumerate(extra) if callable(f.default)]
        quoted = ", ".join(f'"{f.column}"' for f in [by_attname[n] for n in names] + extra)
        self.sql = f'COPY "{meta.db_table}" ({quoted}) FROM STDIN'

    def write(self, cursor, rows: Iterable[Sequence[Any]]) -> int:
        count = 0
        extra = self.extra_values
        with cursor.copy(self.sql) as copy:
            for row in rows:
                if self.per_row:
                    extra = tuple(self._extra_for_row())
                copy.write_row((*row, *extra) if extra else row)
                count += 1
        return count

    def _extra_for_row(self):
        for index, value in enumerate(self.extra_values):
            yield _column_default(self.extra_fields[index]) if index in self.per_row else value


def _column_default(field: models.Field) -> Any:
    if field.has_default():
        value = field.get_default()
        return json.dumps(value) if isinstance(field, models.JSONField) else value
    if field.null:
        return None
    if isinstance(field, models.DateTimeField):
        return timezone.now()
    if isinstance(field, models.CharField | models.TextField):
        return ""
    return False if isinstance(field, models.BooleanField) else 0


@contextmanager
def bulk_mode(models_: Sequence[type[models.Model]], progress: TextIO | None = None):
    """Inside the caller's transaction: drop the secondary indexes and foreign keys of
    these tables, let the caller load, then rebuild them (as pg_restore does). Building
    an index once beats updating it millions of times; a rollback restores everything."""
    if not models_:
        yield
        return
    tables = [model._meta.db_table for model in models_]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary"
            " AND NOT i.indisunique"
            " AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [tables],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
            " FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])",
            [tables],
        )
        foreign_keys = cursor.fetchall()
        for table, name, _ in foreign_keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for index, _ in indexes:
            cursor.execute(f"DROP INDEX {index}")
    yield
    started = time.perf_counter()
    _say(progress, f"Rebuilding {len(indexes)} indexes and {len(foreign_keys)} foreign keys…")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SET LOCAL max_parallel_maintenance_workers = 2")
        for _, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in foreign_keys:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    _say(progress, f"Rebuilt in {time.perf_counter() - started:,.1f} s.")


def _say(stream: TextIO | None, text: str) -> None:
    if stream is not None:
        stream.write(text + "\n")
        stream.flush()


class Progress:
    """A one-line progress bar: done/total, rows written and rows per second."""

    def __init__(self, total: int, stream: TextIO | None, label: str = "customers"):
        self.total = max(total, 1)
        self.stream = stream
        self.label = label
        self.started = time.perf_counter()
        self.last_draw = 0.0

    def update(self, done: int, rows: int, force: bool = False) -> None:
        now = time.perf_counter()
        if self.stream is None or (not force and now - self.last_draw < 0.25):
            return
        self.last_draw = now
        elapsed = max(now - self.started, 1e-6)
        share = done / self.total
        self.stream.write(
            f"\r[{'#' * int(share * 30):<30}] {share:6.1%} {done:,}/{self.total:,} {self.label}"
            f" · {rows:,} rows · {rows / elapsed:,.0f} rows/s · {elapsed:,.0f} s "
        )
        self.stream.flush()

    def finish(self, done: int, rows: int) -> None:
        self.update(done, rows, force=True)
        _say(self.stream, "")


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9-]", "", folded.lower())


class NamePools:
    """Names, streets and companies per locale from Faker (seeded), so that a million
    customers cost a few random choices each instead of millions of Faker calls."""

    def __init__(self, seed: int):
        from faker import Faker

        self.locales = []
        weights = []
        for locale, country, weight in LOCALES:
            fake = Faker(locale)
            fake.seed_instance(seed)
            firsts = sorted({fake.first_name() for _ in range(160)})
            lasts = sorted({fake.last_name() for _ in range(160)})
            state = getattr(fake, "state", None) or getattr(fake, "region", None)
            self.locales.append(
                {
                    "country": country,
                    "first": [(name, _ascii(name) or "user") for name in firsts],
                    "last": [(name, _ascii(name) or "x") for name in lasts],
                    "city": [fake.city() for _ in range(50)],
                    "street": [fake.street_address().replace("\n", " ") for _ in range(100)],
                    "postcode": [fake.postcode() for _ in range(50)],
                    "company": [fake.company() for _ in range(50)],
                    "state": [state() for _ in range(20)] if state else [""],
                }
            )
            weights.append(weight)
        self.pick_locale = Weighted(dict(zip(range(len(weights)), weights, strict=True)))


class Weighted:
    """A weighted random choice with the cumulative weights computed once."""

    def __init__(self, weights: dict):
        self.keys = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))
        self.total = self.cumulative[-1]

    def __call__(self, rng: random.Random) -> Any:
        return self.keys[bisect.bisect(self.cumulative, rng.random() * self.total)]


class _Batch:
    """The rows of one batch of customers, per table, in foreign-key order."""

    TABLES = ("users", "customers", "memberships", "addons", "payments", "items", "refunds")
    TABLES += ("logins", "events")

    def __init__(self, customers: int):
        self.customers_count = customers
        for name in self.TABLES:
            setattr(self, name, [])


def _in_thread(batches: Iterator[_Batch]) -> Iterator[_Batch]:
    """Generate batches in a thread while the caller COPYs the previous one: Python
    makes rows on one core while PostgreSQL ingests them on another. The thread reserves
    ids on its own connection (sequences are outside transactions)."""
    queue: Queue = Queue(maxsize=2)
    stop = threading.Event()
    done = object()

    def produce() -> None:
        try:
            for batch in batches:
                while not stop.is_set():
                    try:
                        queue.put(batch, timeout=0.5)
                        break
                    except Full:
                        continue
                if stop.is_set():
                    return
            queue.put(done)
        except BaseException as error:  # handed to the consumer, raised there
            queue.put(error)
        finally:
            connection.close()

    thread = threading.Thread(target=produce, name="seed-producer", daemon=True)
    thread.start()
    try:
        while (item := queue.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


class BulkSeeder:
    """Generates customers with their whole history and COPYs them, batch by batch."""

    def __init__(
        self,
        *,
        products: list[Product],
        admin: User,
        rng: random.Random,
        pools: NamePools,
        now: datetime | None = None,
    ):
        self.rng = rng
        self.pools = pools
        self.now = now or timezone.now()
        self.admin = admin
        self.admin_label = f"{admin.display_name} <{admin.email}>"
        self.host = settings.NETWORK_HOST
        self.plans: dict[str, Weighted] = {}
        self.addons: dict[str, list[Product]] = {}
        plans_by_currency: dict[str, dict[Product, int]] = {}
        for product in products:
            base = product.slug.rsplit("-", 1)[0]
            if product.kind == Product.Kind.PLAN:
                plans_by_currency.setdefault(product.currency, {})[product] = PLAN_WEIGHTS[base]
            else:
                self.addons.setdefault(product.currency, []).append(product)
        self.plans = {cur: Weighted(plans) for cur, plans in plans_by_currency.items()}
        self.cents = {p.pk: int(p.price * 100) for p in products}
        self.pick_verification = Weighted(VERIFICATION_WEIGHTS)
        self.pick_membership_status = Weighted(MEMBERSHIP_STATUS_WEIGHTS)
        self.pick_payment_status = Weighted(PAYMENT_STATUS_WEIGHTS)
        self.pick_memberships = Weighted({0: 12, 1: 68, 2: 15, 3: 5})
        self.pick_logins = Weighted({1: 30, 2: 25, 3: 20, 4: 15, 5: 10})
        self.sequences = {m: sequence_name(m) for m in (User, Customer, Membership, Payment)}
        # Counters that make even a tiny seed show every status at least once.
        self.seen = {"customers": 0, "memberships": 0, "payments": 0}
        self.tables = {
            "users": CopyTable(
                User,
                "id password last_login is_superuser username first_name last_name email"
                " is_staff is_active date_joined",
            ),
            "customers": CopyTable(
                Customer,
                "id user_id vip email_verification company_name billing_email address_line_1"
                " address_line_2 city state postal_code country last_login_at last_seen_at"
                " created_at updated_at",
            ),
            "memberships": CopyTable(
                Membership,
                "id customer_id plan_id status currency initial_amount amount recurring"
                " billing_interval billing_period times_billed auto_renew gateway"
                " gateway_customer_id gateway_subscription_id date_activated date_trial_end"
                " date_renewed date_cancelled date_expiration created_at updated_at",
            ),
            "addons": CopyTable(MembershipAddon, "membership_id product_id quantity"),
            "payments": CopyTable(
                Payment,
                "id customer_id membership_id status gateway gateway_payment_id currency"
                " subtotal discount_total tax_total total refunded_total created_at updated_at",
            ),
            "items": CopyTable(
                PaymentLineItem, "payment_id product_id description quantity unit_price total"
            ),
            "logins": CopyTable(
                LoginRecord, "customer_id ip country_code user_agent host created_at"
            ),
            **self._refunds_table(),
            "events": CopyTable(
                Event,
                "type message customer_id customer_ref customer_label subject_type subject_id"
                " old new actor_id actor_label ip created_at",
            ),
        }

    @staticmethod
    def _refunds_table() -> dict[str, CopyTable]:
        """Refund records, where the payments app keeps them."""
        try:
            refund = apps.get_model("payments", "Refund")
        except LookupError:
            return {}
        return {
            "refunds": CopyTable(
                refund,
                "payment_id key amount status reason cancel_membership gateway"
                " gateway_refund_id failure_message created_by_id created_at updated_at",
            )
        }

    @property
    def models(self) -> list[type[models.Model]]:
        return [table.model for table in self.tables.values()]

    def run(self, total: int, *, progress: TextIO | None = None) -> int:
        """Load `total` customers; returns the number of rows written. Large loads run in
        one transaction under `bulk_mode`, with generation in a thread of its own."""
        bar = Progress(total, progress)
        done = rows = 0
        large = total >= BULK_MODE_FROM
        with transaction.atomic(), bulk_mode(self.models if large else [], progress):
            batches = self.batches(total)
            for batch in _in_thread(batches) if large else batches:
                rows += self.write(batch)
                done += batch.customers_count
                bar.update(done, rows)
            bar.finish(done, rows)
        return rows

    def batches(self, total: int) -> Iterator[_Batch]:
        made = 0
        while made < total:
            size = min(BATCH_CUSTOMERS, total - made)
            yield self.batch(size)
            made += size

    def batch(self, size: int) -> _Batch:
        seq = self.sequences
        with connection.cursor() as cursor:
            first_user = reserve_ids(cursor, seq[User], size)
            first_customer = reserve_ids(cursor, seq[Customer], size)
            people = [self._customer(first_user + i, first_customer + i) for i in range(size)]
            count = sum(len(person["memberships"]) for person in people)
            next_membership = reserve_ids(cursor, seq[Membership], count)
            batch = _Batch(size)
            for person in people:
                next_membership = self._emit(person, next_membership, batch)
            self._number_payments(batch, reserve_ids(cursor, seq[Payment], len(batch.payments)))
        return batch

    def write(self, batch: _Batch) -> int:
        with connection.cursor() as cursor:
            return sum(
                self.tables[name].write(cursor, getattr(batch, name))
                for name in batch.TABLES
                if name in self.tables
            )

    # -- one customer, as plain data ------------------------------------------------------

    def _first_or(self, kind: str, choices: Sequence, pick: Weighted) -> Any:
        """The first few of a kind cycle through every choice; the rest are weighted."""
        index = self.seen[kind]
        self.seen[kind] += 1
        return choices[index] if index < len(choices) else pick(self.rng)

    def _customer(self, user_id: int, customer_id: int) -> dict:
        rng = self.rng
        locale = self.pools.locales[self.pools.pick_locale(rng)]
        first, first_ascii = rng.choice(locale["first"])
        last, last_ascii = rng.choice(locale["last"])
        country = locale["country"]
        age_days = 1460 * rng.random() ** 1.6  # more recent sign-ups than old ones
        created = self.now - timedelta(days=age_days, seconds=rng.randint(0, 86_399))
        vip = self.seen["customers"] == 0 or rng.random() < 0.04
        verification = self._first_or(
            "customers", list(VERIFICATION_WEIGHTS), self.pick_verification
        )
        company = ""
        domain = rng.choice(MAIL_DOMAINS)
        if rng.random() < 0.2:
            company = rng.choice(locale["company"])
            domain = (_ascii(company.split()[0]) or "company") + ".com"
        email = f"{first_ascii}.{last_ascii}{user_id}@{domain}"
        memberships = [
            self._membership(created, country) for _ in range(self.pick_memberships(rng))
        ]
        return {
            "user_id": user_id,
            "id": customer_id,
            "first": first,
            "last": last,
            "username": f"{first_ascii}.{last_ascii}{user_id}",
            "email": email,
            "label": f"{first} {last} <{email}>",
            "created": created,
            "country": country,
            "vip": vip,
            "verification": verification,
            "company": company,
            "billing": rng.random() < 0.82,
            "locale": locale,
            "logins": self._logins(created) if rng.random() < 0.88 else [],
            "memberships": memberships,
        }

    def _logins(self, created: datetime) -> list[datetime]:
        rng = self.rng
        span = (self.now - created).total_seconds()
        count = self.pick_logins(rng)
        moments = sorted(created + timedelta(seconds=span * rng.random()) for _ in range(count))
        if rng.random() < 0.003:  # online right now
            moments[-1] = self.now - timedelta(seconds=rng.randint(5, 200))
        return moments

    def _membership(self, customer_created: datetime, country: str) -> dict:
        rng = self.rng
        currency = "EUR" if country in EURO_COUNTRIES else "GBP" if country == "GB" else "USD"
        if rng.random() < 0.1:
            currency = rng.choice(list(CURRENCIES))
        plan = self.plans[currency](rng)
        status = self._first_or(
            "memberships", list(MEMBERSHIP_STATUS_WEIGHTS), self.pick_membership_status
        )
        addons = []
        if plan.price and rng.random() < 0.25:
            addons = rng.sample(self.addons[currency], k=rng.choice((1, 1, 2)))
        age = (self.now - customer_created).total_seconds()
        created = customer_created + timedelta(seconds=min(age, rng.uniform(0, 30 * 86400)))
        return {
            "plan": plan,
            "addons": addons,
            "status": status,
            "currency": currency,
            "created": created,
        }

    # -- rows ------------------------------------------------------------------------------

    def _emit(self, c: dict, next_membership: int, batch: _Batch) -> int:
        rng = self.rng
        locale = c["locale"]
        logins = c["logins"]
        last_login = logins[-1] if logins else None
        last_seen = None
        if last_login is not None:
            last_seen = min(self.now, last_login + timedelta(seconds=rng.randint(0, 7200)))
        created = c["created"]
        batch.users.append(
            (c["user_id"], f"!{rng.getrandbits(160):040x}", last_login, False, c["username"])
            + (c["first"], c["last"], c["email"], False, rng.random() > 0.005, created)
        )
        if c["billing"]:
            suite = f"Suite {rng.randint(100, 999)}" if rng.random() < 0.1 else ""
            billing = (c["company"], c["email"], rng.choice(locale["street"]), suite)
            billing += (rng.choice(locale["city"]), rng.choice(locale["state"]))
            billing += (rng.choice(locale["postcode"]), c["country"])
        else:
            billing = ("",) * 8
        batch.customers.append(
            (c["id"], c["user_id"], c["vip"], c["verification"], *billing)
            + (last_login, last_seen, created, max(created, last_seen or created))
        )
        label = c["label"]
        about = (c["id"], c["id"], label)
        batch.events.append(
            (Event.Type.CUSTOMER_CREATED, f"Customer {c['first']} {c['last']} signed up", *about)
            + ("customer", c["id"], None, json.dumps({"email": c["email"]}), None, "", None)
            + (created,)
        )
        if c["vip"]:
            moment = created + (self.now - created) * rng.random()
            batch.events.append(
                (Event.Type.VIP_CHANGED, "VIP turned on", *about, "customer", c["id"])
                + ('{"vip": false}', '{"vip": true}', self.admin.pk, self.admin_label)
                + ("127.0.0.1", moment)
            )
        tax = TAX_PERCENT.get(c["country"], 0)
        for membership in c["memberships"]:
            self._emit_membership(c, membership, next_membership, tax, batch)
            next_membership += 1
        ips = [self._ip() for _ in range(rng.choice((1, 1, 2)))]
        for moment in logins:
            country = c["country"] if rng.random() < 0.9 else rng.choice(LOCALES)[1]
            batch.logins.append(
                (c["id"], rng.choice(ips), country, rng.choice(USER_AGENTS), self.host, moment)
            )
        if last_login is not None:
            batch.events.append(
                (Event.Type.LOGIN, f"{c['first']} {c['last']} logged in from {ips[-1]}", *about)
                + ("customer", c["id"], None, None, c["user_id"], label, ips[-1], last_login)
            )
        return next_membership

    def _emit_membership(
        self, c: dict, m: dict, membership_id: int, tax_percent: int, batch: _Batch
    ) -> None:
        rng = self.rng
        now = self.now
        plan: Product = m["plan"]
        status = m["status"]
        created: datetime = m["created"]
        period = timedelta(days=PERIOD_DAYS[plan.billing_period] * plan.billing_interval)
        lines = [(plan, self.cents[plan.pk])] + [(a, self.cents[a.pk]) for a in m["addons"]]
        cents = sum(price for _, price in lines)
        gateway = Gateway.FREE if cents == 0 else rng.choice((Gateway.STRIPE, Gateway.MANUAL))
        stripe = gateway == Gateway.STRIPE
        periods = max(1, int((now - created) / period))
        ended = min(now, created + period * rng.randint(1, periods))
        activated = renewed = cancelled = trial_end = expiration = None
        billed = 0
        if status == Membership.Status.TRIALING:
            activated = created
            expiration = trial_end = now + timedelta(days=rng.randint(1, 14))
        elif status == Membership.Status.ACTIVE:
            activated = created
            billed = periods
            renewed = created + period * (billed - 1)
            expiration = created + period * billed
            if expiration <= now:
                expiration = now + timedelta(days=rng.randint(1, 28))
        elif status == Membership.Status.ON_HOLD:
            activated = created
            billed = max(1, periods - 1)
            expiration = min(now, created + period * billed)
        elif status in (Membership.Status.EXPIRED, Membership.Status.CANCELLED):
            activated = created
            billed = max(1, int((ended - created) / period))
            expiration = ended
            if status == Membership.Status.CANCELLED:
                cancelled = created + (ended - created) * rng.random()
        ongoing = status not in (Membership.Status.EXPIRED, Membership.Status.CANCELLED)
        amount = _money(cents)
        batch.memberships.append(
            (membership_id, c["id"], plan.pk, status, m["currency"], amount, amount, True)
            + (plan.billing_interval, plan.billing_period, billed, ongoing, gateway)
            + (f"cus_{rng.getrandbits(56):014x}" if stripe else "",)
            + (f"sub_{rng.getrandbits(56):014x}" if stripe else "",)
            + (activated, trial_end, renewed, cancelled, expiration, created)
            + (max(created, cancelled or created, renewed or created),)
        )
        for addon in m["addons"]:
            batch.addons.append((membership_id, addon.pk, 1))
        about = (c["id"], c["id"], c["label"])
        batch.events.append(
            (Event.Type.MEMBERSHIP_CREATED, f"Membership MEM-{membership_id:06d} created", *about)
            + ("membership", membership_id, None)
            + (json.dumps({"plan": plan.name, "status": status}), None, "", None, created)
        )

        # The latest few billing periods have a payment each; a pending membership has one
        # pending payment, an on-hold one ends with a failed attempt.
        moments: list[tuple[datetime, str | None]] = []
        if status == Membership.Status.PENDING:
            moments = [(created, Payment.Status.PENDING)]
        elif billed:
            moments = [(created + period * k, None) for k in range(max(0, billed - 3), billed)]
            if status == Membership.Status.ON_HOLD:
                moments.append((min(now, created + period * billed), Payment.Status.FAILED))
        for moment, forced in moments:
            pay_status = forced
            if pay_status is None:
                pay_status = Payment.Status.COMPLETED
                if cents:
                    pay_status = self._first_or(
                        "payments", list(PAYMENT_STATUS_WEIGHTS), self.pick_payment_status
                    )
            discount = cents // 10 if cents and rng.random() < 0.1 else 0
            tax = ((cents - discount) * tax_percent + 50) // 100
            total = cents - discount + tax
            refunded = 0
            if pay_status == Payment.Status.REFUNDED:
                refunded = total
            elif pay_status == Payment.Status.PARTIALLY_REFUNDED:
                refunded = rng.randint(1, total - 1)  # paid plans cost more than a cent
            position = len(batch.payments)  # the id is known once the batch is complete
            batch.payments.append(
                [position, c["id"], membership_id, pay_status, gateway]
                + [f"pi_{rng.getrandbits(96):024x}" if stripe else "", m["currency"]]
                + [_money(cents), _money(discount), _money(tax), _money(total)]
                + [_money(refunded), moment, moment]
            )
            for product, price in lines:
                name = f"{product.name} ({PERIOD_ADJECTIVE[product.billing_period]})"
                batch.items.append([position, product.pk, name, 1, _money(price), _money(price)])
            if refunded:
                refunded_at = min(now, moment + timedelta(days=rng.randint(1, 20)))
                batch.refunds.append(
                    [position, uuid.UUID(int=rng.getrandbits(128), version=4), _money(refunded)]
                    + ["succeeded", "Requested by the customer", False, gateway]
                    + [f"re_{rng.getrandbits(96):024x}" if stripe else "", "", self.admin.pk]
                    + [refunded_at, refunded_at]
                )
                batch.events.append(
                    [Event.Type.PAYMENT_REFUNDED, f"Refunded {_money(refunded)} {m['currency']}"]
                    + [*about, "payment", position, '{"refunded_total": "0.00"}']
                    + [json.dumps({"refunded_total": _money(refunded)}), self.admin.pk]
                    + [self.admin_label, "127.0.0.1", refunded_at]
                )

    @staticmethod
    def _number_payments(batch: _Batch, first_payment: int) -> None:
        for row in batch.payments:
            row[0] += first_payment
        for item in batch.items:
            item[0] += first_payment
        for refund in batch.refunds:
            refund[0] += first_payment
        for event in batch.events:
            if isinstance(event, list):  # refunds point at a payment
                event[6] += first_payment

    def _ip(self) -> str:
        rng = self.rng
        if rng.random() < 0.08:
            return (
                f"2a02:{rng.getrandbits(16):x}:{rng.getrandbits(16):x}::{rng.randint(1, 65535):x}"
            )
        return (
            f"{rng.choice(PUBLIC_FIRST_OCTETS)}.{rng.randint(0, 255)}."
            f"{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        )


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def print_report(report: SeedReport, stream: TextIO = sys.stdout) -> None:
    if report.skipped:
        stream.write("Customers exist already; seeding skipped (--if-empty).\n")
    else:
        stream.write(
            f"Seeded {report.customers:,} customers ({report.rows:,} rows) "
            f"in {report.seconds:,.1f} s.\n"
        )
    stream.write(report.logins_text() + "\n")

"""Demo data: a believable network, from a handful of customers to millions.

The small, shared things (the network, the super admin, products, a few real
subsites) go through the ORM and the services. The bulk (users, customers,
memberships, payments, login records, events) is made by demo.generators and streamed
with PostgreSQL COPY by demo.bulk. Users of the bulk get an unusable password, so no
hashing is paid per row.
"""

from __future__ import annotations

import os
import random
import secrets
import sys
import time
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import TextIO

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.utils import timezone

from customers.models import Customer, LoginRecord, User
from demo.bulk import BulkLoader
from demo.generators import CURRENCIES, CustomerGenerator, NamePools
from events.models import Event
from events.services import event_record
from memberships.models import BillingPeriod, Gateway, Membership, MembershipAddon, Product
from payments.models import Payment, PaymentLineItem
from sites.models import Site
from sites.services import network_ensure, site_create

ADMIN_USERNAME = "admin"
ADMIN_EMAIL = "admin@network.localhost"
DEMO_PORT = 8000

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

    def logins_text(self, port: int = DEMO_PORT) -> str:
        lines = [
            f"Super admin: {self.admin.username} ({self.admin.email}) / {self.admin_password}",
            f"  → http://{settings.NETWORK_HOST}:{port}/",
        ]
        if self.owners:
            lines.append(f"Site owners (password {self.owner_password}):")
            lines += [f"  {email} → http://{host}:{port}/dashboard/" for email, host in self.owners]
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
    generator = CustomerGenerator(
        products=products_ensure(), admin=admin, rng=random.Random(seed), pools=NamePools(seed)
    )
    rows = BulkLoader(generator).run(customers, progress=progress)
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


def print_report(report: SeedReport, stream: TextIO = sys.stdout, port: int = DEMO_PORT) -> None:
    if report.skipped:
        stream.write("Customers exist already; seeding skipped (--if-empty).\n")
    else:
        stream.write(
            f"Seeded {report.customers:,} customers ({report.rows:,} rows) "
            f"in {report.seconds:,.1f} s.\n"
        )
    stream.write(report.logins_text(port) + "\n")

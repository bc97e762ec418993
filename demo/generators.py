"""What demo customers are made of: names, emails, addresses, IPs and user agents per
locale, and a generator of customers with their whole history (memberships, payments,
refunds, login records, events) as plain rows per table, ready for COPY."""

from __future__ import annotations

import bisect
import itertools
import json
import random
import re
import unicodedata
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from faker import Faker

from customers.models import Customer, LoginRecord, User
from events.models import Event
from memberships.models import Gateway, Membership, MembershipAddon, Product
from payments.models import Payment, PaymentLineItem, Refund

# Takes `count` consecutive ids of a model and returns the first.
Reserve = Callable[[type[models.Model], int], int]


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


def ascii_fold(text: str) -> str:
    """Lower-case ASCII letters, digits and dashes: the part of a name an email can use."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9-]", "", folded.lower())


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def ip_address(rng: random.Random) -> str:
    """A public-looking address, IPv6 now and then."""
    if rng.random() < 0.08:
        return f"2a02:{rng.getrandbits(16):x}:{rng.getrandbits(16):x}::{rng.randint(1, 65535):x}"
    return (
        f"{rng.choice(PUBLIC_FIRST_OCTETS)}.{rng.randint(0, 255)}."
        f"{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    )


class Weighted:
    """A weighted random choice with the cumulative weights computed once."""

    def __init__(self, weights: dict):
        self.keys = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))
        self.total = self.cumulative[-1]

    def __call__(self, rng: random.Random) -> Any:
        return self.keys[bisect.bisect(self.cumulative, rng.random() * self.total)]


class NamePools:
    """Names, streets and companies per locale from Faker (seeded), so that a million
    customers cost a few random choices each instead of millions of Faker calls."""

    def __init__(self, seed: int):
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
                    "first": [(name, ascii_fold(name) or "user") for name in firsts],
                    "last": [(name, ascii_fold(name) or "x") for name in lasts],
                    "city": [fake.city() for _ in range(50)],
                    "street": [fake.street_address().replace("\n", " ") for _ in range(100)],
                    "postcode": [fake.postcode() for _ in range(50)],
                    "company": [fake.company() for _ in range(50)],
                    "state": [state() for _ in range(20)] if state else [""],
                }
            )
            weights.append(weight)
        self.pick_locale = Weighted(dict(zip(range(len(weights)), weights, strict=True)))


class Batch:
    """The rows of one batch of customers, per table, in foreign-key order."""

    def __init__(self, size: int, tables: Sequence[str]):
        self.size = size
        self.tables = tables
        for name in tables:
            setattr(self, name, [])


class CustomerGenerator:
    """Customers with their whole history, as rows per table. The ids of new rows come
    from `reserve`, so that foreign keys line up without a round trip per row."""

    # The tables a batch fills, in foreign-key order, with the columns each row gives (by
    # attname, in row order).
    TABLES: dict[str, tuple[type[models.Model], str]] = {
        "users": (
            User,
            "id password last_login is_superuser username first_name last_name email"
            " is_staff is_active date_joined",
        ),
        "customers": (
            Customer,
            "id user_id vip email_verification company_name billing_email address_line_1"
            " address_line_2 city state postal_code country last_login_at last_seen_at"
            " created_at updated_at",
        ),
        "memberships": (
            Membership,
            "id customer_id plan_id status currency initial_amount amount recurring"
            " billing_interval billing_period times_billed auto_renew gateway"
            " gateway_customer_id gateway_subscription_id date_activated date_trial_end"
            " date_renewed date_cancelled date_expiration created_at updated_at",
        ),
        "addons": (MembershipAddon, "membership_id product_id quantity"),
        "payments": (
            Payment,
            "id customer_id membership_id status gateway gateway_payment_id currency"
            " subtotal discount_total tax_total total refunded_total created_at updated_at",
        ),
        "items": (PaymentLineItem, "payment_id product_id description quantity unit_price total"),
        "refunds": (
            Refund,
            "payment_id key amount status reason cancel_membership gateway"
            " gateway_refund_id failure_message created_by_id created_at updated_at",
        ),
        "logins": (LoginRecord, "customer_id ip country_code user_agent host created_at"),
        "events": (
            Event,
            "type message customer_id customer_ref customer_label subject_type subject_id"
            " old new actor_id actor_label ip created_at",
        ),
    }

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
        # Counters that make even a tiny seed show every status at least once.
        self.seen = {"customers": 0, "memberships": 0, "payments": 0}

    def batch(self, size: int, reserve: Reserve) -> Batch:
        first_user = reserve(User, size)
        first_customer = reserve(Customer, size)
        people = [self._customer(first_user + i, first_customer + i) for i in range(size)]
        count = sum(len(person["memberships"]) for person in people)
        next_membership = reserve(Membership, count)
        batch = Batch(size, tuple(self.TABLES))
        for person in people:
            next_membership = self._emit(person, next_membership, batch)
        self._number_payments(batch, reserve(Payment, len(batch.payments)))
        return batch

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
            domain = (ascii_fold(company.split()[0]) or "company") + ".com"
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

    def _emit(self, c: dict, next_membership: int, batch: Batch) -> int:
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
        ips = [ip_address(rng) for _ in range(rng.choice((1, 1, 2)))]
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
        self, c: dict, m: dict, membership_id: int, tax_percent: int, batch: Batch
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
        amount = money(cents)
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
                + [money(cents), money(discount), money(tax), money(total)]
                + [money(refunded), moment, moment]
            )
            for product, price in lines:
                name = f"{product.name} ({PERIOD_ADJECTIVE[product.billing_period]})"
                batch.items.append([position, product.pk, name, 1, money(price), money(price)])
            if refunded:
                refunded_at = min(now, moment + timedelta(days=rng.randint(1, 20)))
                batch.refunds.append(
                    [position, uuid.UUID(int=rng.getrandbits(128), version=4), money(refunded)]
                    + ["succeeded", "Requested by the customer", False, gateway]
                    + [f"re_{rng.getrandbits(96):024x}" if stripe else "", "", self.admin.pk]
                    + [refunded_at, refunded_at]
                )
                batch.events.append(
                    [Event.Type.PAYMENT_REFUNDED, f"Refunded {money(refunded)} {m['currency']}"]
                    + [*about, "payment", position, '{"refunded_total": "0.00"}']
                    + [json.dumps({"refunded_total": money(refunded)}), self.admin.pk]
                    + [self.admin_label, "127.0.0.1", refunded_at]
                )

    @staticmethod
    def _number_payments(batch: Batch, first_payment: int) -> None:
        for row in batch.payments:
            row[0] += first_payment
        for item in batch.items:
            item[0] += first_payment
        for refund in batch.refunds:
            refund[0] += first_payment
        for event in batch.events:
            if isinstance(event, list):  # refunds point at a payment
                event[6] += first_payment

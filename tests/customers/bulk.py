"""Bulk customers for the list tests: enough rows for PostgreSQL to plan as it would on a
big network (the search tests read its EXPLAIN).

The rows are spread deterministically from the row number (names, emails, VIP flags, email
verification, last logins, memberships and payments), so two runs give the same data and
the tests know what to search for; demo's COPY loader writes them.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from typing import TextIO

from django.utils import timezone

from customers.models import Customer, User
from demo.bulk import BulkLoader
from demo.generators import MAIL_DOMAINS, Batch, Reserve, ascii_fold
from demo.seeding import analyze, products_ensure
from memberships.models import Gateway, Membership, Product
from payments.models import Payment

FIRST_NAMES = [
    "Ada",
    "Alan",
    "Grace",
    "Linus",
    "Margaret",
    "Dennis",
    "Barbara",
    "Ken",
    "Radia",
    "Edsger",
    "Frances",
    "Donald",
    "Hedy",
    "Tim",
    "Katherine",
    "John",
    "Mary",
    "Guido",
    "Anita",
    "Bjarne",
    "Joan",
    "Niklaus",
    "Sophie",
    "Yukihiro",
    "Lynn",
    "Brian",
    "Adele",
    "Larry",
    "Shafi",
    "Whitfield",
    "Leslie",
    "Carol",
    "Ivan",
    "Jean",
    "Fran",
    "Robin",
    "Karen",
    "Vint",
    "Elena",
    "Omar",
    "Priya",
    "Chen",
    "Amara",
    "Lucas",
    "Mateo",
    "Aiko",
    "Nadia",
    "Tomas",
    "Ingrid",
    "Kwame",
]
LAST_NAMES = [
    "Lovelace",
    "Turing",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Ritchie",
    "Liskov",
    "Thompson",
    "Perlman",
    "Dijkstra",
    "Allen",
    "Knuth",
    "Lamarr",
    "Berners-Lee",
    "Johnson",
    "McCarthy",
    "Keller",
    "Rossum",
    "Borg",
    "Stroustrup",
    "Clarke",
    "Wirth",
    "Wilson",
    "Matsumoto",
    "Conway",
    "Kernighan",
    "Goldberg",
    "Page",
    "Goldwasser",
    "Diffie",
    "Lamport",
    "Shaw",
    "Sutherland",
    "Sammet",
    "Bilas",
    "Milner",
    "Jones",
    "Cerf",
    "Petrova",
    "Haddad",
    "Sharma",
    "Wei",
    "Okafor",
    "Silva",
    "Garcia",
    "Tanaka",
    "Novak",
    "Svoboda",
    "Berg",
    "Mensah",
]

VERIFICATIONS = ["verified", "verified", "verified", "pending", "none"]
MEMBERSHIP_STATUSES = ["active", "active", "active", "pending", "cancelled", "expired"]
MEMBERSHIP_STATUSES += ["trialing", "on-hold"]
PAYMENT_STATUSES = ["completed", "completed", "completed", "pending", "refunded"]
PAYMENT_STATUSES += ["partially-refunded", "failed"]


def bulk_seed(count: int, *, start: int = 1, progress: TextIO | None = None) -> None:
    """Add `count` customers (rows `start` onwards), three in four with a membership and
    its payment, then ANALYZE."""
    BulkLoader(ListCustomers(start=start)).run(count, progress=progress)
    analyze()


class ListCustomers:
    """A generator for demo's BulkLoader: row `n` is always the same person."""

    TABLES = {
        "users": (
            User,
            "id password is_superuser username first_name last_name email is_staff"
            " is_active date_joined",
        ),
        "customers": (
            Customer,
            "id user_id vip email_verification billing_email last_login_at last_seen_at"
            " created_at updated_at",
        ),
        "memberships": (
            Membership,
            "id customer_id plan_id status currency initial_amount amount billing_interval"
            " billing_period gateway date_activated created_at updated_at",
        ),
        "payments": (
            Payment,
            "customer_id membership_id status gateway currency subtotal total refunded_total"
            " created_at updated_at",
        ),
    }

    def __init__(self, *, start: int):
        self.next = start
        self.now = timezone.now()
        self.plans = [p for p in products_ensure() if p.kind == Product.Kind.PLAN and p.price]

    def batch(self, size: int, reserve: Reserve) -> Batch:
        rows = range(self.next, self.next + size)
        self.next += size
        first_user, first_customer = reserve(User, size), reserve(Customer, size)
        next_membership = reserve(Membership, sum(1 for n in rows if n % 4))
        batch = Batch(size, tuple(self.TABLES))
        for i, n in enumerate(rows):
            self._person(n, first_user + i, first_customer + i, batch)
            if n % 4:
                self._membership(n, first_customer + i, next_membership, batch)
                next_membership += 1
        return batch

    def _person(self, n: int, user_id: int, customer_id: int, batch: Batch) -> None:
        rng = random.Random(n)
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        username = f"{ascii_fold(first)}.{ascii_fold(last)}{n}"
        email = f"{username}@{rng.choice(MAIL_DOMAINS)}"
        joined = self.now - timedelta(days=n % 1000)
        batch.users.append((user_id, "!", False, username, first, last, email, False, True, joined))
        login = None if n % 7 == 0 else self.now - timedelta(minutes=(n * 7919) % 525_600)
        created = self.now - timedelta(days=(n * 104_729) % 1095)
        batch.customers.append(
            (customer_id, user_id, n % 50 == 0, VERIFICATIONS[n % 5], email, login, login)
            + (created, self.now)
        )

    def _membership(self, n: int, customer_id: int, membership_id: int, batch: Batch) -> None:
        plan = self.plans[n % len(self.plans)]
        created = self.now - timedelta(days=(n * 104_729) % 1095)
        gateway = (Gateway.MANUAL, Gateway.STRIPE)[n % 2]
        batch.memberships.append(
            (membership_id, customer_id, plan.pk, MEMBERSHIP_STATUSES[n % 8], plan.currency)
            + (plan.price, plan.price, plan.billing_interval, plan.billing_period, gateway)
            + (created, created, self.now)
        )
        status = PAYMENT_STATUSES[n % 7]
        refunded = Decimal("0")
        if status == "refunded":
            refunded = plan.price
        elif status == "partially-refunded":
            refunded = (plan.price / 3).quantize(Decimal("0.01"))
        batch.payments.append(
            (customer_id, membership_id, status, gateway, plan.currency, plan.price, plan.price)
            + (refunded, created, self.now)
        )

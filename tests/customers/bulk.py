"""Bulk-seed customers straight in SQL: enough rows for PostgreSQL to plan as it
would on a big network (the search tests read its EXPLAIN).

Names, emails, VIP flags, email verification, last logins, memberships and payments are
spread deterministically (from the row number), so two runs give the same data.
"""

from __future__ import annotations

import time

from django.db import connection, transaction

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
DOMAINS = ["example.com", "mail.test", "acme.test", "studio.test", "example.org"]

BATCH = 100_000


def _sql_array(words: list[str]) -> str:
    return "ARRAY[" + ",".join("'" + w.replace("'", "''") + "'" for w in words) + "]"


def bulk_seed(count: int, *, start: int = 1, stdout=None) -> None:
    """Insert `count` users with customer profiles (and memberships, payments, logins)."""
    first, last, domains = _sql_array(FIRST_NAMES), _sql_array(LAST_NAMES), _sql_array(DOMAINS)
    n_first, n_last = len(FIRST_NAMES), len(LAST_NAMES)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO memberships_product (name, slug, kind, price, currency, "
            "billing_interval, billing_period, active) VALUES "
            "('Starter', 'seed-starter', 'plan', 9, 'USD', 1, 'month', true), "
            "('Business', 'seed-business', 'plan', 29, 'USD', 1, 'month', true), "
            "('Agency', 'seed-agency', 'plan', 290, 'EUR', 1, 'year', true) "
            "ON CONFLICT (slug) DO NOTHING"
        )
        cursor.execute(
            "SELECT array_agg(id ORDER BY slug) FROM memberships_product WHERE slug LIKE 'seed-%'"
        )
        plan_ids = ",".join(str(int(pk)) for pk in cursor.fetchone()[0])
    for offset in range(start, start + count, BATCH):
        upto = min(offset + BATCH, start + count) - 1
        began = time.monotonic()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO customers_user (password, is_superuser, username, first_name,
                    last_name, email, is_staff, is_active, date_joined)
                SELECT '!', false,
                    lower(f) || '.' || lower(l) || g,
                    f, l,
                    lower(f) || '.' || lower(l) || g || '@'
                        || ({domains})[1 + (hashtext('d' || g) & 2147483647) % 5],
                    false, true, now() - (g % 1000) * interval '1 day'
                FROM generate_series({int(offset)}, {int(upto)}) g,
                    LATERAL (
                        SELECT ({first})[1 + (hashtext('f' || g) & 2147483647) % {n_first}] AS f,
                               ({last})[1 + (hashtext('l' || g) & 2147483647) % {n_last}] AS l
                    ) n
                """
            )
            cursor.execute(
                f"""
                INSERT INTO customers_customer (user_id, vip, email_verification,
                    company_name, billing_email, address_line_1, address_line_2, city, state,
                    postal_code, country, last_login_at, last_seen_at, created_at, updated_at)
                SELECT id, n % 50 = 0,
                    (ARRAY['verified','verified','verified','pending','none'])[1 + n % 5],
                    '', email, '', '', '', '', '', '',
                    CASE WHEN n % 7 = 0 THEN NULL
                         ELSE now() - ((n * 7919) % 525600) * interval '1 minute' END,
                    CASE WHEN n % 7 = 0 THEN NULL
                         ELSE now() - ((n * 7919) % 525600) * interval '1 minute' END,
                    now() - ((n * 104729) % 1095) * interval '1 day',
                    now()
                FROM (
                    SELECT id, email, row_number() OVER (ORDER BY id) + {int(offset)} - 1 AS n
                    FROM customers_user u
                    WHERE password = '!'
                      AND NOT EXISTS (SELECT 1 FROM customers_customer c WHERE c.user_id = u.id)
                ) fresh
                """
            )
            cursor.execute(
                f"""
                INSERT INTO memberships_membership (customer_id, plan_id, status, currency,
                    initial_amount, amount, recurring, billing_interval, billing_period,
                    times_billed, auto_renew, gateway, gateway_customer_id,
                    gateway_subscription_id, date_activated, created_at, updated_at)
                SELECT c.id, (ARRAY[{plan_ids}]::bigint[])[1 + c.id % 3],
                    (ARRAY['active','active','active','pending','cancelled','expired',
                           'trialing','on-hold'])[1 + c.id % 8],
                    CASE WHEN c.id % 3 = 2 THEN 'EUR' ELSE 'USD' END,
                    (ARRAY[9, 29, 290])[1 + c.id % 3], (ARRAY[9, 29, 290])[1 + c.id % 3],
                    true, 1, 'month', 1, true,
                    (ARRAY['manual','stripe'])[1 + c.id % 2], '', '', c.created_at,
                    c.created_at, now()
                FROM customers_customer c
                JOIN customers_user u ON u.id = c.user_id AND u.password = '!'
                WHERE c.id % 4 <> 0
                  AND NOT EXISTS (SELECT 1 FROM memberships_membership m
                                  WHERE m.customer_id = c.id)
                """
            )
            cursor.execute(
                """
                INSERT INTO payments_payment (customer_id, membership_id, status, gateway,
                    gateway_payment_id, currency, subtotal, discount_total, tax_total, total,
                    refunded_total, created_at, updated_at)
                SELECT m.customer_id, m.id,
                    (ARRAY['completed','completed','completed','pending','refunded',
                           'partially-refunded','failed'])[1 + m.id % 7],
                    m.gateway, '', m.currency, m.amount, 0, 0, m.amount,
                    CASE WHEN m.id % 7 = 4 THEN m.amount
                         WHEN m.id % 7 = 5 THEN round(m.amount / 3, 2) ELSE 0 END,
                    m.created_at, now()
                FROM memberships_membership m
                WHERE NOT EXISTS (SELECT 1 FROM payments_payment p WHERE p.membership_id = m.id)
                """
            )
        if stdout is not None:
            stdout.write(f"customers {offset}–{upto} in {time.monotonic() - began:.1f}s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

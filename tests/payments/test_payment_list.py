from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from memberships.models import Gateway
from payments.models import Payment
from payments.views import LIST_FACETS_KEY
from tests.conftest import network_url
from tests.factories import CustomerFactory, PaymentFactory, ProductFactory

LIST = network_url("payments:list")
EXPORT = network_url("payments:export")
# Tenant, session, user and its permissions (4), the currencies, the capped counts and
# the page (3), and the test's savepoint pair.
LIST_QUERIES = 8


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.delete(LIST_FACETS_KEY)


def references(response) -> list[str]:
    return [payment.reference for payment in response.context["page"].items]


def dated(day: str, **kwargs) -> Payment:
    payment = PaymentFactory(**kwargs)
    moment = timezone.make_aware(datetime.fromisoformat(day))
    Payment.objects.filter(pk=payment.pk).update(created_at=moment)
    return payment


def test_it_rejects_outsiders(outsider_client, staff_client, anonymous_client):
    for url in (LIST, EXPORT):
        assert outsider_client.get(url).status_code == 403
        assert staff_client.get(url).status_code == 403
        assert anonymous_client.get(url)["Location"].startswith("/login/")


def test_each_row_links_to_the_payment_its_customer_and_membership(admin_client):
    customer = CustomerFactory(user__first_name="Ada", user__last_name="Lovelace")
    payment = PaymentFactory(customer=customer, total=Decimal("49.00"))
    html = admin_client.get(LIST).content.decode()
    assert f'href="{network_url("payments:detail", payment.pk)}">{payment.reference}<' in html
    assert f'href="{network_url("customers:detail", customer.pk)}">Ada Lovelace<' in html
    assert f'href="{network_url("memberships:detail", payment.membership_id)}"' in html
    assert "$49.00" in html or "49.00" in html


@pytest.mark.parametrize("term", ["PAY-{:06d}", "pay{}", "{}"])
def test_search_finds_a_payment_by_its_reference(admin_client, term):
    wanted = PaymentFactory()
    PaymentFactory()
    assert references(admin_client.get(LIST, {"q": term.format(wanted.pk)})) == [wanted.reference]


def test_search_finds_payments_by_customer_email(admin_client):
    wanted = PaymentFactory(customer__user__email="grace@navy.example")
    PaymentFactory()
    assert references(admin_client.get(LIST, {"q": "NAVY.example"})) == [wanted.reference]


def test_filters_narrow_the_list(admin_client):
    wanted = dated(
        "2025-03-10T12:00",
        status=Payment.Status.PARTIALLY_REFUNDED,
        gateway=Gateway.STRIPE,
        currency="EUR",
        refunded_total=Decimal("5.00"),
    )
    dated("2025-03-10T12:00", status=Payment.Status.PARTIALLY_REFUNDED, gateway=Gateway.STRIPE)
    dated("2025-03-12T12:00", status=Payment.Status.PARTIALLY_REFUNDED, currency="EUR")
    dated("2025-02-01T12:00", status=Payment.Status.PARTIALLY_REFUNDED, currency="EUR")
    dated("2025-03-10T12:00", status=Payment.Status.COMPLETED, currency="EUR")
    params = {
        "status": "partially-refunded",
        "gateway": "stripe",
        "currency": "EUR",
        "since": "2025-03-01",
        "until": "2025-03-10",
        "refunds": "on",
    }
    response = admin_client.get(LIST, params)
    assert references(response) == [wanted.reference]
    html = response.content.decode()
    assert 'name="since" value="2025-03-01"' in html
    assert 'name="refunds" value="on" checked' in html


def test_the_date_range_includes_both_days(admin_client):
    first = dated("2025-03-01T00:00")
    last = dated("2025-03-02T23:59")
    dated("2025-03-03T00:00")
    response = admin_client.get(LIST, {"since": "2025-03-01", "until": "2025-03-02", "sort": "id"})
    assert references(response) == [first.reference, last.reference]


def test_has_refunds_keeps_only_refunded_money(admin_client):
    wanted = PaymentFactory(refunded_total=Decimal("1.00"))
    PaymentFactory()
    assert references(admin_client.get(LIST, {"refunds": "on"})) == [wanted.reference]


def test_filter_counts_are_real(admin_client):
    ProductFactory(currency="EUR")
    PaymentFactory.create_batch(2, status=Payment.Status.FAILED, currency="EUR")
    PaymentFactory(refunded_total=Decimal("2.00"))
    html = admin_client.get(LIST).content.decode()
    assert ">Failed (2)<" in html
    assert ">Completed (1)<" in html
    assert ">EUR (2)<" in html
    assert "Has refunds (1)" in html


@pytest.mark.parametrize(("sort", "expected"), [("largest", [2, 1]), ("id", [1, 2])])
def test_each_sort_orders_the_list(admin_client, sort, expected):
    made = [PaymentFactory(total=Decimal("10")), PaymentFactory(total=Decimal("99"))]
    response = admin_client.get(LIST, {"sort": sort})
    assert references(response) == [made[n - 1].reference for n in expected]


def test_a_bad_date_falls_back_to_no_limit(admin_client):
    PaymentFactory()
    response = admin_client.get(LIST, {"since": "yesterday", "until": "2025-13-45"})
    assert response.status_code == 200
    assert len(references(response)) == 1


def _list_queries(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize("params", [{}, {"refunds": "on", "status": "completed"}])
def test_the_list_makes_the_same_few_queries_for_1_or_30_payments(admin_client, params):
    """The customer's account comes in the page's own query, not one query per row."""
    PaymentFactory(refunded_total=Decimal("1"))
    _list_queries(admin_client, params)  # the filter counts are cached from here on
    one = _list_queries(admin_client, {**params, "per_page": 100})
    PaymentFactory.create_batch(29, refunded_total=Decimal("1"))
    many = _list_queries(admin_client, {**params, "per_page": 100})
    assert one == many == LIST_QUERIES


def test_export_streams_the_filtered_list_as_csv(admin_client):
    wanted = PaymentFactory(status=Payment.Status.FAILED, customer__user__email="a@example.com")
    PaymentFactory()
    response = admin_client.get(EXPORT, {"status": "failed"})
    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["reference"] == wanted.reference
    assert row["membership"] == f"MEM-{wanted.membership_id:06d}"
    assert row["customer_email"] == "a@example.com"
    assert row["total"] == "29.00"

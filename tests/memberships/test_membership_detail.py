from __future__ import annotations

from decimal import Decimal

import pytest

from memberships.models import MembershipAddon, Product
from tests.conftest import network_url
from tests.factories import MembershipFactory, PaymentFactory, ProductFactory

# Domain lookup, session, user, permissions (user and group), membership with customer
# and plan, add-ons with their products, payments (count + page), sites with their primary
# domain (count + page), history, plan and add-on choices: 12 statements (no
# `SET search_path`: the connection is on the public schema already, network/db).
PAGE_QUERIES = 12


@pytest.fixture
def membership(customer):
    return MembershipFactory(
        customer=customer, plan=ProductFactory(name="Pro", price=Decimal("29"))
    )


def _fill(membership, make_site, rows: int) -> None:
    for n in range(rows):
        product = ProductFactory(name=f"Extra {n}", kind=Product.Kind.PACKAGE, price=Decimal("5"))
        MembershipAddon.objects.create(membership=membership, product=product, quantity=n + 1)
        PaymentFactory(customer=membership.customer, membership=membership)
    for n in range(min(rows, 3)):  # sites are schemas; three show the shape as well as more
        make_site(f"shop{n}", customer=membership.customer, membership=membership)


def test_it_sends_anonymous_visitors_to_login(anonymous_client, membership):
    response = anonymous_client.get(network_url("memberships:detail", membership.pk))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize("who", ["outsider_client", "staff_client"])
def test_it_rejects_outsiders(request, who, membership):
    client = request.getfixturevalue(who)
    assert client.get(network_url("memberships:detail", membership.pk)).status_code == 403
    url = network_url("memberships:status", membership.pk)
    assert client.post(url, {"status": "cancelled"}).status_code == 403
    membership.refresh_from_db()
    assert membership.status == "active"


def test_a_missing_membership_is_a_404(admin_client, network):
    assert admin_client.get(network_url("memberships:detail", 999_999)).status_code == 404


def test_it_shows_products_payments_and_sites(admin_client, membership, make_site):
    _fill(membership, make_site, 2)
    response = admin_client.get(network_url("memberships:detail", membership.pk))
    page = response.content.decode()
    assert response.status_code == 200
    assert membership.reference in page
    assert "Pro" in page and "Extra 0" in page and "Extra 1" in page
    assert page.count("/payments/") >= 2
    assert "shop0.localhost" in page
    # catalogue price: plan 29 + 1 × 5 + 2 × 5
    assert "catalogue price 44.00 USD" in page


@pytest.mark.parametrize("rows", [1, 12])
def test_the_page_costs_the_same_queries_with_one_or_many_rows(
    admin_client, membership, make_site, django_assert_num_queries, rows
):
    """No query per add-on, payment or site row (their products, domains...)."""
    _fill(membership, make_site, rows)
    with django_assert_num_queries(PAGE_QUERIES):
        response = admin_client.get(network_url("memberships:detail", membership.pk))
    assert response.status_code == 200


def test_payments_are_paged_and_the_url_keeps_the_page(admin_client, membership):
    for _ in range(12):
        PaymentFactory(customer=membership.customer, membership=membership)
    url = network_url("memberships:detail", membership.pk)
    first = admin_client.get(url).content.decode()
    assert "1 / 2" in first
    assert "payments_page=2" in first
    second = admin_client.get(url + "?payments_page=2").content.decode()
    assert "2 / 2" in second


def test_product_pickers_offer_only_the_memberships_currency(admin_client, membership):
    ProductFactory(name="Euro plan", currency="EUR", price=Decimal("9"))
    ProductFactory(name="Dollar plan", currency=membership.currency, price=Decimal("9"))
    ProductFactory(name="Euro extra", currency="EUR", kind=Product.Kind.PACKAGE)
    ProductFactory(name="Dollar extra", currency=membership.currency, kind=Product.Kind.PACKAGE)
    assert membership.currency != "EUR"

    response = admin_client.get(network_url("memberships:detail", membership.pk))

    plans = [str(p) for p in response.context["plan_form"].fields["plan"].queryset]
    products = [str(p) for p in response.context["addon_form"].fields["product"].queryset]
    assert "Dollar plan" in plans and "Euro plan" not in plans
    assert "Dollar extra" in products and "Euro extra" not in products
    assert "Euro" not in response.content.decode()


def test_the_page_says_why_the_recurring_amount_differs_from_the_catalogue(
    admin_client, membership
):
    url = network_url("memberships:detail", membership.pk)
    assert 'id="price-differs"' not in admin_client.get(url).content.decode()  # 29 = 29

    extra = ProductFactory(name="Seats", kind=Product.Kind.PACKAGE, price=Decimal("14"))
    MembershipAddon.objects.create(membership=membership, product=extra, quantity=2)

    page = admin_client.get(url).content.decode()
    assert "catalogue price 57.00" in page
    assert 'id="price-differs"' in page
    assert "The recurring amount, 29.00" in page and "is what this customer is billed" in page

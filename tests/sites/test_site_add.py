from __future__ import annotations

import pytest
from django_tenants.utils import schema_exists

from events.models import Event
from sites.models import Domain, Site
from tests.conftest import network_url
from tests.factories import CustomerFactory, MembershipFactory

ADD = network_url("sites:add")


@pytest.fixture
def membership(network):
    return MembershipFactory(
        customer=CustomerFactory(
            user__username="ada",
            user__email="ada@example.com",
            user__first_name="Ada",
            user__last_name="Lovelace",
        )
    )


def add_url(customer) -> str:
    return f"{ADD}?customer={customer.pk}"


def post(client, membership, customer=None, **fields):
    data = {
        "title": "Acme Rockets",
        "membership": membership.pk,
        "domain": "rockets.example.com",
        "type": Site.Type.CUSTOMER_OWNED,
        **fields,
    }
    return client.post(add_url(customer or membership.customer), data)


def test_it_rejects_outsiders(outsider_client, staff_client, anonymous_client, membership):
    for client in (outsider_client, staff_client):
        assert client.get(add_url(membership.customer)).status_code == 403
        assert post(client, membership).status_code == 403
    assert post(anonymous_client, membership)["Location"].startswith("/login/")
    assert not Site.objects.filter(title="Acme Rockets").exists()


def test_it_creates_the_site_with_its_schema_and_says_how_long_it_took(admin_client, membership):
    response = post(admin_client, membership, domain="  Rockets.Example.com. ")
    site = Site.objects.get(title="Acme Rockets")
    assert response.status_code == 302
    assert response["Location"] == network_url("sites:detail", site.pk)
    assert site.customer == membership.customer
    assert site.membership == membership
    assert Domain.objects.get(tenant=site).domain == "rockets.example.com"
    assert schema_exists(site.schema_name)
    event = Event.objects.get(type=Event.Type.SITE_CREATED, subject_id=site.pk)
    assert event.customer_id == membership.customer_id
    assert event.ip == "127.0.0.1"
    html = admin_client.get(response["Location"]).content.decode()
    assert "provisioned in" in html
    assert " s." in html


def test_a_host_beginning_with_pg_gets_a_schema_postgresql_accepts(admin_client, membership):
    """PostgreSQL refuses schema names that begin with pg_ (its own)."""
    response = post(admin_client, membership, domain="pg-shop.example.com")
    site = Site.objects.get(title="Acme Rockets")
    assert response.status_code == 302
    assert site.schema_name == "s_pg_shop"
    assert schema_exists("s_pg_shop")


def test_the_customer_page_offers_add_site(admin_client, membership):
    detail = network_url("customers:detail", membership.customer_id)
    html = admin_client.get(detail).content.decode()
    assert f'href="{add_url(membership.customer)}"' in html


def test_only_the_customers_own_memberships_are_offered(admin_client, membership):
    other = MembershipFactory()
    html = admin_client.get(add_url(membership.customer)).content.decode()
    assert membership.reference in html
    assert other.reference not in html
    response = post(admin_client, other, customer=membership.customer)
    assert response.status_code == 400
    assert "membership" in response.context["form"].errors
    assert not Site.objects.filter(title="Acme Rockets").exists()


@pytest.mark.parametrize(
    ("domain", "message"),
    [
        ("http://rockets.example.com/", "Enter a host name"),
        ("rockets", "Enter a host name"),
        ("taken.localhost", "already belongs to a site"),
        ("acme.example.org", "is taken by another site"),
        ("", "This field is required"),
    ],
)
def test_a_bad_domain_is_refused_and_nothing_typed_is_lost(
    admin_client, make_site, membership, domain, message
):
    make_site("acme")
    Domain.objects.filter(domain="acme.localhost").update(domain="taken.localhost")
    response = post(admin_client, membership, domain=domain, title="Keep me")
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["domain"])
    html = response.content.decode()
    assert 'value="Keep me"' in html
    assert not Site.objects.filter(title="Keep me").exists()


def test_without_a_customer_it_asks_which_one(admin_client, membership):
    response = admin_client.get(ADD, {"customer_q": "lovelace"})
    assert response.status_code == 200
    assert f'href="{add_url(membership.customer)}"' in response.content.decode()
    assert admin_client.get(ADD, {"customer": "999999"}).status_code == 404
    assert admin_client.get(ADD, {"customer": "nope"}).status_code == 404


def test_site_create_refuses_another_customers_membership(membership):
    from django.core.exceptions import ValidationError

    from sites.services import site_create

    with pytest.raises(ValidationError) as refused:
        site_create(
            title="Stray",
            domain="stray.localhost",
            customer=CustomerFactory(),
            membership=membership,
        )
    assert "membership" in refused.value.message_dict
    assert not Site.objects.filter(title="Stray").exists()


def test_a_domain_taken_by_a_concurrent_request_is_a_clear_error(transactional_db):
    """The domain is free when site_create checks it, and taken (by another request's
    transaction, which commits while ours waits on the unique index) when it is saved:
    the domain's own error, and nothing of the site is left."""
    import threading
    import time

    from django.core.exceptions import ValidationError
    from django.db import connections, transaction

    from sites.services import network_ensure, site_create
    from tests.conftest import NETWORK_HOST

    network = network_ensure(host=NETWORK_HOST)
    inserted = threading.Event()

    def other_request() -> None:
        try:
            with transaction.atomic():
                Domain.objects.create(domain="race.localhost", tenant=network)
                inserted.set()
                time.sleep(1.5)  # site_create checks, then waits on the unique index
        finally:
            inserted.set()
            connections.close_all()

    thread = threading.Thread(target=other_request)
    thread.start()
    inserted.wait(10)
    try:
        with pytest.raises(ValidationError) as raised:
            site_create(title="Race", domain="race.localhost")
    finally:
        thread.join()
    assert raised.value.message_dict == {"domain": ["“race.localhost” already belongs to a site."]}
    assert not Site.objects.filter(title="Race").exists()
    assert not schema_exists("race")


def test_a_name_the_database_has_already_is_refused_on_the_form(admin_client, membership):
    """information_schema is PostgreSQL's own: no site row has it, the database does."""
    response = post(admin_client, membership, domain="information-schema.example.com")
    assert response.status_code == 400
    assert "The name “information-schema” is taken by another site; pick another." in (
        response.content.decode()
    )
    assert not Site.objects.filter(title="Acme Rockets").exists()


def test_site_create_refuses_a_schema_the_database_has(network):
    from django.core.exceptions import ValidationError

    from sites.services import site_create

    with pytest.raises(ValidationError) as raised:
        site_create(title="Catalog", domain="information-schema.example.com")
    assert raised.value.message_dict == {
        "schema_name": ["A site with schema “information_schema” exists."]
    }

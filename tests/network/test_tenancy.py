from __future__ import annotations

from django.db import connection
from django_tenants.utils import schema_exists

from customers.models import Customer
from tests.conftest import host_client


def test_network_host_serves_the_network_admin(admin_client):
    response = admin_client.get("/", follow=True)
    assert response.status_code == 200
    assert b"Customers" in response.content


def test_a_subsite_host_serves_its_own_home(make_site):
    make_site("acme", title="Acme Rockets")
    response = host_client("acme.localhost").get("/")
    assert response.status_code == 200
    assert b"Acme Rockets" in response.content


def test_a_subsite_host_has_no_network_admin(make_site, super_admin):
    make_site("acme")
    client = host_client("acme.localhost")
    client.force_login(super_admin)
    assert client.get("/customers/").status_code == 404
    assert client.get("/admin/").status_code == 404


def test_an_unknown_host_gets_a_clear_404(network):
    response = host_client("nowhere.localhost").get("/")
    assert response.status_code == 404
    assert b"No site at" in response.content


def test_site_provisioning_creates_schema_domain_and_event(make_site, customer):
    site = make_site("acme", customer=customer)
    assert schema_exists("acme")
    assert site.domains.get().domain == "acme.localhost"
    assert customer.events.filter(type="site.created").exists()
    with connection.cursor() as cursor:
        cursor.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'acme' and table_name = 'django_session'"
        )
        assert cursor.fetchone()[0] == 1


def test_network_data_lives_in_public_only(make_site, customer):
    make_site("acme")
    with connection.cursor() as cursor:
        cursor.execute(
            "select table_schema from information_schema.tables where table_name = %s",
            [Customer._meta.db_table],
        )
        assert [row[0] for row in cursor.fetchall()] == ["public"]

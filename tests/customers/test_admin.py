"""Django admin's doors into customers and their login accounts keep the product's
rules: a customer is deleted only on the product's Delete page."""

from __future__ import annotations

from customers.models import Customer, LoginRecord, User
from events.models import Event
from tests.admin_forms import admin_post
from tests.conftest import network_url
from tests.factories import UserFactory


def bulk_delete(client, model: str, *pks: int):
    return client.post(
        f"/admin/customers/{model}/",
        {"action": "delete_selected", "_selected_action": list(pks), "post": "yes"},
    )


def test_admin_offers_no_way_to_delete_a_customer(superuser_client, customer):
    url = f"/admin/customers/customer/{customer.pk}/delete/"
    assert superuser_client.get(url).status_code == 403
    assert superuser_client.post(url, {"post": "yes"}).status_code == 403
    bulk_delete(superuser_client, "customer", customer.pk)
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_a_customers_login_account_is_not_deleted_in_admin(superuser_client, customer):
    url = f"/admin/customers/user/{customer.user.pk}/delete/"
    assert superuser_client.post(url, {"post": "yes"}).status_code == 403
    bulk_delete(superuser_client, "user", customer.user.pk)
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_the_customer_and_account_pages_link_to_the_products_delete_page(
    superuser_client, customer
):
    delete_page = network_url("deletion:confirm", customer.pk)
    for url in (
        f"/admin/customers/customer/{customer.pk}/change/",
        f"/admin/customers/user/{customer.user.pk}/change/",
    ):
        assert delete_page in superuser_client.get(url).content.decode()


def test_an_account_that_is_no_customer_is_deleted_in_admin(superuser_client):
    intern = UserFactory(username="intern", is_staff=True)
    url = f"/admin/customers/user/{intern.pk}/delete/"
    assert superuser_client.post(url, {"post": "yes"}).status_code == 302
    assert not User.objects.filter(pk=intern.pk).exists()


def test_adding_a_customer_in_admin_records_the_event(superuser_client, super_admin, network):
    account = UserFactory(username="grace")
    response = superuser_client.post("/admin/customers/customer/add/", {"user": account.pk})

    assert response.status_code == 302
    customer = Customer.objects.get(user=account)
    event = Event.objects.get(type=Event.Type.CUSTOMER_CREATED)
    assert (event.customer, event.actor) == (customer, super_admin)


def test_a_staff_account_is_not_made_a_customer(superuser_client, network):
    intern = UserFactory(username="intern", is_staff=True)
    response = superuser_client.post("/admin/customers/customer/add/", {"user": intern.pk})
    assert response.status_code == 200
    assert "Staff accounts cannot be customers" in response.content.decode()
    assert not Customer.objects.filter(user=intern).exists()


def test_plain_fields_stay_editable_but_the_account_stays_put(superuser_client, customer):
    other = UserFactory(username="eve")
    url = f"/admin/customers/customer/{customer.pk}/change/"
    response = admin_post(
        superuser_client, url, vip="on", company_name="Analytical Ltd", user=other.pk
    )

    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.vip, customer.company_name) == (True, "Analytical Ltd")
    assert customer.user.username == "ada"


def test_login_records_are_only_shown(superuser_client, customer):
    record = LoginRecord.objects.create(customer=customer, ip="203.0.113.9", host="x")
    url = f"/admin/customers/loginrecord/{record.pk}/"
    assert superuser_client.get(f"{url}change/").status_code == 200
    assert superuser_client.post(f"{url}change/", {"ip": "198.51.100.1"}).status_code == 403
    assert superuser_client.post(f"{url}delete/", {"post": "yes"}).status_code == 403
    assert superuser_client.get("/admin/customers/loginrecord/add/").status_code == 403
    record.refresh_from_db()
    assert record.ip == "203.0.113.9"

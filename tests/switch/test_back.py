"""Switch back: the subsite session ends server-side; the admin's network session is intact."""

from __future__ import annotations

from django.test import Client

from events.models import Event
from tests.conftest import network_url
from tests.switch.conftest import redeem, session_exists, session_key, start


def test_switch_back_ends_the_subsite_session_and_lands_on_the_customers_page(
    switched, admin_client, customer, acme
):
    key = session_key(switched)

    response = switched.post("/switch/back/")

    assert response.status_code == 302
    assert (
        response["Location"] == f"http://network.localhost/customers/{customer.pk}/switched-back/"
    )
    assert not session_exists(acme, key)
    assert switched.get("/dashboard/")["Location"].startswith("/login/")
    still_signed_in = admin_client.get("/")
    assert still_signed_in["Location"] == network_url("customers:list")
    assert still_signed_in.wsgi_request.user.is_network_admin


def test_the_network_says_so_after_switching_back(switched, admin_client, customer, acme):
    switched.post("/switch/back/")

    landing = admin_client.get(network_url("switch:ended", customer.pk), follow=True)

    assert landing.redirect_chain == [(network_url("customers:detail", customer.pk), 302)]
    assert "Switched back: you are no longer acting as Ada Lovelace on Acme" in (
        landing.content.decode()
    )
    again = admin_client.get(network_url("customers:detail", customer.pk))
    assert "you are no longer acting as" not in again.content.decode()


def test_no_switched_back_notice_without_a_switch_that_ended(switched, admin_client, customer):
    landing = admin_client.get(network_url("switch:ended", customer.pk), follow=True)
    assert "you are no longer acting as" not in landing.content.decode()


def test_switch_back_records_an_event_with_admin_customer_site_and_ip(
    switched, super_admin, customer, acme
):
    switched.post("/switch/back/", REMOTE_ADDR="203.0.113.9")

    event = Event.objects.get(type=Event.Type.SWITCH_BACK)
    assert event.actor == super_admin
    assert event.customer == customer
    assert (event.subject_type, event.subject_id) == ("site", acme.pk)
    assert event.ip == "203.0.113.9"
    assert event.created_at is not None


def test_switch_back_keeps_the_port_the_admin_uses(admin_client, customer, acme):
    client = Client(HTTP_HOST="acme.localhost:8104")
    redeem(start(admin_client, customer), client=client)
    response = client.post("/switch/back/")
    assert (
        response["Location"]
        == f"http://network.localhost:8104/customers/{customer.pk}/switched-back/"
    )


def test_switch_back_needs_the_csrf_token(admin_client, customer, acme):
    client = Client(HTTP_HOST="acme.localhost", enforce_csrf_checks=True)
    redeem(start(admin_client, customer), client=client)
    key = session_key(client)

    assert client.post("/switch/back/").status_code == 403
    assert session_exists(acme, key)

    dashboard = client.get("/dashboard/")
    token = dashboard.context["csrf_token"]
    assert client.post("/switch/back/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert not session_exists(acme, key)


def test_switch_back_is_a_post(switched):
    assert switched.get("/switch/back/").status_code == 405
    assert switched.get("/dashboard/").status_code == 200


def test_switch_back_without_an_impersonated_session_does_nothing(acme):
    response = Client(HTTP_HOST="acme.localhost").post("/switch/back/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not Event.objects.filter(type=Event.Type.SWITCH_BACK).exists()


def test_logging_out_while_impersonating_is_switching_back(switched, customer, acme):
    key = session_key(switched)

    response = switched.post("/logout/")

    assert (
        response["Location"] == f"http://network.localhost/customers/{customer.pk}/switched-back/"
    )
    assert not session_exists(acme, key)
    assert Event.objects.filter(type=Event.Type.SWITCH_BACK).count() == 1

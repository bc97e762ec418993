"""Security headers on every response, the tenant middleware's own answers included, and
no caching of the network admin's pages, which carry personal data."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from tests.conftest import NETWORK_HOST, host_client, network_url
from tests.factories import PaymentFactory
from tests.payments.conftest import WEBHOOK_SECRET, sign, stripe_event

BEHIND_THE_PROXY = {"SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https")}
PRODUCTION_TLS = {**BEHIND_THE_PROXY, "SECURE_SSL_REDIRECT": True, "SECURE_HSTS_SECONDS": 31536000}


def assert_security_headers(response) -> None:
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_the_network_hosts_pages_carry_the_security_headers(anonymous_client):
    response = anonymous_client.get("/login/")
    assert response.status_code == 200
    assert_security_headers(response)


def test_a_subsites_pages_carry_the_security_headers(make_site):
    site = make_site("acme")
    response = host_client(site.domains.get().domain).get("/")
    assert response.status_code == 200
    assert_security_headers(response)


def test_an_unknown_host_gets_the_security_headers(network):
    response = Client(HTTP_HOST="nobody.localhost").get("/")
    assert response.status_code == 404
    assert b"nobody.localhost" in response.content
    assert_security_headers(response)


def test_the_unknown_host_page_gets_its_stylesheet(network):
    response = Client(HTTP_HOST="nobody.localhost").get("/static/css/app.css")
    assert response.status_code == 200
    assert_security_headers(response)


def test_a_disallowed_host_gets_the_security_headers(network):
    response = Client(HTTP_HOST="evil.example").get("/")
    assert response.status_code == 404
    assert_security_headers(response)


@override_settings(**PRODUCTION_TLS)
def test_an_unknown_host_reached_over_https_gets_hsts(network):
    response = Client(HTTP_HOST="nobody.localhost", HTTP_X_FORWARDED_PROTO="https").get("/")
    assert response.status_code == 404
    assert response["Strict-Transport-Security"] == "max-age=31536000"
    assert_security_headers(response)


@override_settings(**PRODUCTION_TLS)
def test_a_disallowed_host_over_plain_http_is_refused_not_redirected(network):
    """Its Host header cannot be trusted to build the https address."""
    response = Client(HTTP_HOST="evil.example").get("/")
    assert response.status_code == 400
    assert_security_headers(response)


@override_settings(**PRODUCTION_TLS)
def test_plain_http_is_redirected_to_https(network):
    response = host_client().get("/login/?next=/customers/")
    assert response.status_code == 301
    assert response["Location"] == f"https://{NETWORK_HOST}/login/?next=/customers/"


@override_settings(**PRODUCTION_TLS)
def test_https_from_the_tls_proxy_is_served_with_hsts(network):
    response = Client(HTTP_HOST=NETWORK_HOST, HTTP_X_FORWARDED_PROTO="https").get("/login/")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000"


@override_settings(**PRODUCTION_TLS, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
def test_the_stripe_webhook_through_the_tls_proxy_reaches_its_view(network):
    """Stripe calls the https address; a redirect would lose its POST body."""
    payload = stripe_event("customer.created", {"id": "cus_1", "object": "customer"})
    client = Client(HTTP_HOST=NETWORK_HOST, HTTP_X_FORWARDED_PROTO="https")
    response = client.post(
        network_url("payments:stripe_webhook"),
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(payload),
    )
    assert response.status_code == 200


@override_settings(**PRODUCTION_TLS, SECURE_REDIRECT_EXEMPT=[r"^login/$"])
def test_a_path_can_be_exempted_from_the_https_redirect(network):
    """For a load balancer's health check over plain http."""
    assert host_client().get("/login/").status_code == 200


# --- Cache-Control: what a network admin sees is personal data.


def assert_not_cached(response) -> None:
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives


def test_the_customer_list_is_not_cached(admin_client, customer):
    response = admin_client.get(network_url("customers:list"))
    assert response.status_code == 200
    assert_not_cached(response)


def test_a_payment_page_is_not_cached(admin_client, customer):
    payment = PaymentFactory(customer=customer)
    response = admin_client.get(network_url("payments:detail", payment.pk))
    assert response.status_code == 200
    assert_not_cached(response)


def test_the_csv_export_is_not_cached(admin_client, customer):
    response = admin_client.get(network_url("customers:export"))
    assert response.status_code == 200
    assert b"ada@example.com" in b"".join(response.streaming_content)
    assert_not_cached(response)


@pytest.mark.parametrize("name", ["customers:detail", "deletion:confirm"])
def test_a_customers_pages_are_not_cached(admin_client, customer, name):
    response = admin_client.get(network_url(name, customer.pk))
    assert response.status_code == 200
    assert_not_cached(response)

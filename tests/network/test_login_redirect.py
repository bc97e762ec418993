"""The login form's `next` only ever leads to the host that served the form."""

from __future__ import annotations

import pytest

from tests.conftest import host_client
from tests.factories import PASSWORD, CustomerFactory

OTHER_HOSTS = [
    "http://evil.example/",
    "//evil.example/",
    "https://evil.example/customers/",
    "/\\evil.example/",
    "http://network.localhost/customers/",
]


def _log_in(host: str, email: str, next_url: str):
    client = host_client(host)
    return client.post("/login/", {"username": email, "password": PASSWORD, "next": next_url})


@pytest.mark.parametrize("next_url", [url for url in OTHER_HOSTS if "network" not in url])
def test_the_network_login_never_redirects_to_another_host(super_admin, next_url):
    response = _log_in("network.localhost", super_admin.email, next_url)
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_network_login_follows_a_local_next(super_admin):
    response = _log_in("network.localhost", super_admin.email, "/events/?type=customer.vip")
    assert response["Location"] == "/events/?type=customer.vip"


@pytest.mark.parametrize("next_url", OTHER_HOSTS)
def test_a_subsite_login_never_redirects_to_another_host(make_site, next_url):
    customer = CustomerFactory()
    make_site("acme", customer=customer)
    response = _log_in("acme.localhost", customer.user.email, next_url)
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"

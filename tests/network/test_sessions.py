from __future__ import annotations

from django.conf import settings

from tests.conftest import NETWORK_HOST, host_client
from tests.factories import PASSWORD


def test_a_network_session_cookie_replayed_on_a_subsite_is_not_valid(make_site, super_admin):
    make_site("acme")
    network = host_client(NETWORK_HOST)
    assert network.post("/login/", {"username": "root", "password": PASSWORD}).status_code == 302
    cookie = network.cookies[settings.SESSION_COOKIE_NAME].value
    assert network.get("/customers/").status_code == 200

    subsite = host_client("acme.localhost")
    subsite.cookies[settings.SESSION_COOKIE_NAME] = cookie
    response = subsite.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_subsite_session_replayed_on_the_network_is_not_valid(make_site, customer):
    make_site("acme", customer=customer)
    subsite = host_client("acme.localhost")
    subsite.post("/login/", {"username": "ada", "password": PASSWORD})
    assert subsite.get("/dashboard/").status_code == 200
    cookie = subsite.cookies[settings.SESSION_COOKIE_NAME].value

    network = host_client(NETWORK_HOST)
    network.cookies[settings.SESSION_COOKIE_NAME] = cookie
    response = network.get("/customers/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_session_cookies_are_host_only(super_admin):
    client = host_client(NETWORK_HOST)
    client.post("/login/", {"username": "root", "password": PASSWORD})
    assert client.cookies[settings.SESSION_COOKIE_NAME]["domain"] == ""


def test_login_accepts_the_email_address(super_admin):
    client = host_client(NETWORK_HOST)
    response = client.post("/login/", {"username": "ROOT@network.localhost", "password": PASSWORD})
    assert response.status_code == 302


def test_a_wrong_password_shows_an_error_and_keeps_the_username(super_admin):
    client = host_client(NETWORK_HOST)
    response = client.post("/login/", {"username": "root", "password": "nope"})
    assert response.status_code == 200
    assert b"Please enter a correct" in response.content
    assert b'value="root"' in response.content


def test_the_login_page_says_where_you_log_in(make_site):
    make_site("acme", title="Acme Rockets")
    network_page = host_client(NETWORK_HOST).get("/login/").content.decode()
    assert "Username or email" in network_page
    assert "to the network admin of network.localhost" in network_page
    assert "to Acme Rockets" in host_client("acme.localhost").get("/login/").content.decode()

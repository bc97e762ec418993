"""Switch to, end to end over the test client: a super admin on the network host, a
browser on the customer's subsite host."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django_tenants.utils import tenant_context

from tests.conftest import host_client, network_url
from tests.factories import CustomerFactory

SECRET = re.compile(rb'name="secret" value="([^"]+)"')


@pytest.fixture
def acme(make_site, customer):
    return make_site("acme", customer=customer, title="Acme Rockets")


@pytest.fixture
def beta(make_site):
    """Another customer's site."""
    return make_site("beta", customer=CustomerFactory(), title="Beta Labs")


def start(admin_client, customer, site=None) -> str:
    """Press Switch to on the network host; return the secret the handoff page carries."""
    data = {"site": site.pk} if site is not None else {}
    response = admin_client.post(network_url("switch:start", customer.pk), data)
    assert response.status_code == 200, response.content
    return SECRET.search(response.content).group(1).decode()


def redeem(secret: str, host: str = "acme.localhost", client=None):
    client = client or host_client(host)
    return client, client.post("/switch/redeem/", {"secret": secret})


@pytest.fixture
def switched(admin_client, customer, acme):
    """A subsite browser, signed in on acme.localhost as the customer by a super admin."""
    client, response = redeem(start(admin_client, customer))
    assert response.status_code == 302
    return client


def session_key(client) -> str | None:
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return cookie.value if cookie is not None and cookie.value else None


def session_exists(site, key: str) -> bool:
    """Whether a session row exists in the site's own schema."""
    with tenant_context(site):
        return SessionStore().exists(key)


def subsite_session(site, key: str) -> SessionStore:
    with tenant_context(site):
        store = SessionStore(session_key=key)
        store.load()
    return store

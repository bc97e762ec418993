"""The site's own administration over the test client, on acme.localhost."""

from __future__ import annotations

import pytest

from tests.conftest import subsite_client
from tests.factories import CustomerFactory, UserFactory
from tests.switch.conftest import redeem, start


@pytest.fixture
def acme(make_site, customer):
    return make_site("acme", customer=customer, title="Acme Rockets")


@pytest.fixture
def owner_client(acme, customer):
    """The site's owner, signed in on its host."""
    return subsite_client(acme, customer.user)


@pytest.fixture
def switched(admin_client, customer, acme):
    """A super admin acting as the customer on acme.localhost (Switch to)."""
    client, response = redeem(start(admin_client, customer))
    assert response.status_code == 302
    return client


@pytest.fixture
def viewing(admin_client, customer, acme):
    """A super admin viewing acme.localhost as the customer, read-only (View as)."""
    client, response = redeem(view_as(admin_client, customer))
    assert response.status_code == 302
    return client


def view_as(admin_client, customer) -> str:
    from tests.conftest import network_url
    from tests.switch.conftest import SECRET

    response = admin_client.post(network_url("switch:start", customer.pk), {"read_only": "1"})
    assert response.status_code == 200, response.content
    return SECRET.search(response.content).group(1).decode()


@pytest.fixture
def stranger(network):
    """Someone else's customer, with an account of their own."""
    return CustomerFactory(user__username="mallory", user__email="mallory@example.com")


@pytest.fixture
def plain_account(network):
    return UserFactory(username="grace", email="grace@example.com")

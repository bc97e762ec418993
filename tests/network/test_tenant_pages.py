from __future__ import annotations

from tests.conftest import host_client, subsite_client
from tests.factories import PASSWORD, CustomerFactory


def test_the_owner_logs_in_on_the_subsite_and_sees_the_dashboard(make_site, customer):
    make_site("acme", customer=customer, title="Acme Rockets")
    client = host_client("acme.localhost")
    response = client.post("/login/", {"username": "ada", "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert b"Dashboard" in response.content
    assert b"Acme Rockets" in response.content
    assert b"ada@example.com" in response.content


def test_another_customer_is_refused_the_dashboard(make_site, customer):
    site = make_site("acme", customer=customer)
    client = subsite_client(site, CustomerFactory().user)
    assert client.get("/dashboard/").status_code == 403


def test_anonymous_visitors_of_the_dashboard_are_sent_to_the_subsite_login(make_site):
    make_site("acme")
    response = host_client("acme.localhost").get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/dashboard/"

"""Logging out lands on our own pages, not Django admin's "Logged out"."""

from __future__ import annotations

from tests.conftest import subsite_client
from tests.factories import CustomerFactory


def test_logging_out_on_the_network_host_lands_on_the_login_page_saying_so(admin_client):
    response = admin_client.post("/logout/", follow=True)
    assert response.redirect_chain == [("/login/", 302)]
    page = response.content.decode()
    assert "You are logged out." in page
    assert "Logged out" not in page
    assert "_auth_user_id" not in admin_client.session


def test_django_admins_log_out_lands_on_our_login_page(admin_client):
    response = admin_client.post("/admin/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"


def test_logging_out_on_a_subsite_lands_on_the_sites_home(make_site):
    owner = CustomerFactory()
    site = make_site("acme", customer=owner)
    client = subsite_client(site, owner.user)
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/"

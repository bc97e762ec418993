"""Errors a person can recover from: form addresses opened directly lead to their page,
and the error pages of both hosts say what happened in the product's look."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import URLPattern, get_resolver
from django.views import defaults

from network.http import post_or_redirect
from tests.conftest import host_client, network_url


def _post_only_urls() -> list[tuple[str, str, str]]:
    """Every network URL guarded by post_or_redirect: (name, address for pk 7, its page)."""
    found = []
    for namespace in ("customers", "memberships", "payments", "sites"):
        resolver = get_resolver(settings.PUBLIC_SCHEMA_URLCONF).namespace_dict[namespace][1]
        for pattern in resolver.url_patterns:
            page = getattr(pattern.callback, "leads_to", None)
            if isinstance(pattern, URLPattern) and page:
                path = str(pattern.pattern).replace("<int:pk>", "7")
                address = f"/{namespace}/" + re.sub(r"<int:\w+>", "1", path)
                found.append((f"{namespace}:{pattern.name}", address, page))
    return found


POST_ONLY = _post_only_urls()


def test_every_edit_address_of_the_object_pages_is_covered():
    names = {name for name, _, _ in POST_ONLY}
    assert {"customers:fields", "payments:refund", "memberships:dates", "sites:domain_add"} <= names
    assert len(names) >= 20


@pytest.mark.parametrize(("name", "address", "page"), POST_ONLY)
def test_opening_a_form_address_leads_to_its_page(admin_client, name, address, page):
    """A reload or a shared link after a failed save: the page, not a bare 405."""
    response = admin_client.get(address)
    assert response.status_code == 302, address
    assert response["Location"].split("#")[0].split("?")[0] == network_url(page, 7)


def test_a_wrong_method_gets_a_page_saying_what_to_do(admin_client):
    response = admin_client.get("/logout/")
    assert response.status_code == 405
    assert response["Allow"] == "POST, OPTIONS"
    assert b"This address is for a button" in response.content
    assert b"css/app.css" in response.content


def test_an_expired_form_gets_a_page_saying_nothing_was_saved(network):
    client = Client(HTTP_HOST="network.localhost", enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "root", "password": "x"})
    assert response.status_code == 403
    assert b"This form has expired" in response.content
    assert b"Nothing was saved" in response.content


def test_not_found_on_a_subsite_wears_the_sites_name(make_site):
    make_site("acme", title="Acme Rockets")
    response = host_client("acme.localhost").get("/no-such-page/")
    assert response.status_code == 404
    assert b"Acme Rockets" in response.content
    assert b"Not found" in response.content


def test_not_found_on_the_network_host(admin_client):
    response = admin_client.get("/customers/999999/")
    assert response.status_code == 404
    assert b"Error 404" in response.content
    assert b"Network admin" in response.content


def test_the_server_error_page_renders_without_a_request_context():
    response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content
    assert b"/static/css/app.css" in response.content


def test_post_or_redirect_lets_posts_through(rf):
    view = post_or_redirect("customers:detail")(lambda request, pk: f"posted {pk}")
    assert view(rf.post("/"), pk=3) == "posted 3"

"""A net under the per-view tests: every network-admin URL, GET and POST, refuses
anyone who is not a super admin, whether or not the object exists."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

# Reached by everyone on purpose: the login pages, Django admin (its own staff checks),
# and the Stripe webhook (authenticated by its signature instead of a session).
PUBLIC = {
    "login",
    "logout",
    "payments:stripe_webhook",
    # Forgot password: for people who cannot log in, by definition (Django's own views;
    # the emailed link is the proof, tests/customers/test_emails.py).
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    # The link in a verification email, opened by the customer, often not logged in:
    # its signature says who they are.
    "verify_email",
}


def network_urls() -> list[str]:
    urls = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name == "admin":
                    continue
                ns = pattern.namespace or namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                if name in PUBLIC:
                    continue
                path = re.sub(r"<int:\w+>", "1", prefix + str(pattern.pattern))
                urls.append("/" + path)

    walk(get_resolver(settings.PUBLIC_SCHEMA_URLCONF).url_patterns, "", "")
    return urls


URLS = network_urls()


def test_the_walk_finds_every_page():
    assert len(URLS) > 25
    assert "/customers/1/" in URLS
    assert "/payments/1/refund/" in URLS


# The access check is the outermost decorator of every view, so the refusal comes before
# anything else the view would say (a 405 for the wrong method, a 404 for no such object).
@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_it_rejects_outsiders(outsider_client, staff_client, url, method):
    for client in (outsider_client, staff_client):
        response = getattr(client, method)(url)
        assert response.status_code == 403, (url, method, response.status_code)


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_get_the_login_page(anonymous_client, url, method):
    response = getattr(anonymous_client, method)(url)
    assert response.status_code == 302, (url, method, response.status_code)
    assert response["Location"].startswith("/login/?next=")

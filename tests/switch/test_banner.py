"""The "acting as" banner on every subsite page while impersonating."""

from __future__ import annotations

from tests.conftest import host_client
from tests.factories import PASSWORD


def test_the_banner_says_who_acts_as_whom_on_every_page(switched):
    for path in ["/dashboard/", "/"]:
        html = switched.get(path).content.decode()
        assert 'class="switch-banner"' in html
        assert "You (root@network.localhost) are acting as" in html
        assert "Ada Lovelace" in html and "ada@example.com" in html
        assert "Acme Rockets" in html
        assert "ends in 29\xa0minutes" in html
        assert 'action="/switch/back/"' in html
        assert "Switch back" in html


def test_the_banner_is_absent_for_the_customers_own_login(make_site, customer):
    make_site("acme", customer=customer)
    client = host_client("acme.localhost")
    client.post("/login/", {"username": "ada", "password": PASSWORD})
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert b"switch-banner" not in response.content


def test_the_impersonated_dashboard_has_a_fixed_query_budget(
    switched, django_assert_max_num_queries
):
    """Host, session, customer user, then the re-check of the admin (the user, its own and
    its groups' permissions), the site's owner and its own settings: 8 queries, plus
    django-tenants' SET search_path and the impersonation check's own lookups."""
    with django_assert_max_num_queries(10):
        assert switched.get("/dashboard/").status_code == 200

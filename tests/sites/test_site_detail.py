from __future__ import annotations

import pytest

from events.models import Event
from sites.models import Domain, Site
from tests.conftest import host_client, network_url
from tests.factories import MembershipFactory

# Domain lookup, session, user, permissions (user and group), site with customer and
# membership, domains, history, the customer's memberships for the form, the domains
# its owner requested: 10 statements (no `SET search_path`: the connection is on the
# public schema already, network/db).
PAGE_QUERIES = 10


@pytest.fixture
def site(make_site, customer):
    return make_site("acme", customer=customer, title="Acme Rockets")


def _post(client, name, site, data=None, *args):
    return client.post(network_url(f"sites:{name}", site.pk, *args), data or {})


def test_it_sends_anonymous_visitors_to_login(anonymous_client, site):
    response = anonymous_client.get(network_url("sites:detail", site.pk))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize("who", ["outsider_client", "staff_client"])
def test_it_rejects_outsiders(request, who, site):
    client = request.getfixturevalue(who)
    assert client.get(network_url("sites:detail", site.pk)).status_code == 403
    assert _post(client, "active", site, {"active": "0"}).status_code == 403
    assert _post(client, "domain_add", site, {"domain": "evil.example"}).status_code == 403
    site.refresh_from_db()
    assert site.active
    assert site.domains.count() == 1


def test_a_missing_site_is_a_404(admin_client, network):
    assert admin_client.get(network_url("sites:detail", 999_999)).status_code == 404


@pytest.mark.parametrize("extra_domains", [0, 12])
def test_the_page_costs_the_same_queries_with_one_or_many_domains(
    admin_client, site, django_assert_num_queries, extra_domains
):
    """No query per domain or per membership choice."""
    for n in range(extra_domains):
        Domain.objects.create(domain=f"alias{n}.example.com", tenant=site, is_primary=False)
        MembershipFactory(customer=site.customer)
    with django_assert_num_queries(PAGE_QUERIES):
        response = admin_client.get(network_url("sites:detail", site.pk))
    assert response.status_code == 200
    assert response.content.decode().count("alias") == extra_domains * 2  # code + confirm()


# --- Options: membership and type


def test_associating_a_membership_and_changing_the_type(admin_client, site, super_admin):
    membership = MembershipFactory(customer=site.customer)
    response = _post(
        admin_client, "update", site, {"membership": membership.pk, "type": "site-template"}
    )
    assert response.status_code == 302
    site.refresh_from_db()
    assert (site.membership, site.type) == (membership, Site.Type.SITE_TEMPLATE)
    event = Event.objects.get(type=Event.Type.SITE_UPDATED)
    assert event.old == {"membership_id": None, "type": "customer-owned"}
    assert event.new == {"membership_id": membership.pk, "type": "site-template"}
    assert event.actor == super_admin


def test_another_customers_membership_is_refused(admin_client, site):
    strangers = MembershipFactory()
    response = _post(admin_client, "update", site, {"membership": strangers.pk, "type": "regular"})
    page = response.content.decode()
    assert "Select a valid choice" in page
    assert '<option value="regular" selected>' in page
    site.refresh_from_db()
    assert (site.membership, site.type) == (None, Site.Type.CUSTOMER_OWNED)


def test_no_site_can_be_made_the_main_site(admin_client, site):
    response = _post(admin_client, "update", site, {"membership": "", "type": "main"})
    assert "Select a valid choice" in response.content.decode()
    site.refresh_from_db()
    assert site.type == Site.Type.CUSTOMER_OWNED


def test_the_main_site_is_locked(admin_client, network):
    page = admin_client.get(network_url("sites:detail", network.pk)).content.decode()
    assert "This is the main site" in page
    _post(admin_client, "update", network, {"membership": "", "type": "regular"})
    _post(admin_client, "active", network, {"active": "0"})
    _post(admin_client, "domain_add", network, {"domain": "other.example.com"})
    network.refresh_from_db()
    assert (network.type, network.active) == (Site.Type.MAIN, True)
    assert network.domains.count() == 1
    assert not Event.objects.exists()


# --- Active status


def test_deactivating_closes_the_sites_host_and_activating_reopens_it(admin_client, site):
    visitor = host_client("acme.localhost")
    assert visitor.get("/").status_code == 200

    response = _post(admin_client, "active", site, {"active": "0"})
    assert response.status_code == 302
    closed = visitor.get("/")
    assert closed.status_code == 503
    assert "This site is unavailable" in closed.content.decode()
    assert visitor.get("/login/").status_code == 503
    event = Event.objects.get(type=Event.Type.SITE_UPDATED)
    assert (event.old, event.new) == ({"active": True}, {"active": False})

    _post(admin_client, "active", site, {"active": "1"})
    assert visitor.get("/").status_code == 200


def test_the_network_host_stays_open_when_a_site_closes(admin_client, site):
    _post(admin_client, "active", site, {"active": "0"})
    assert admin_client.get(network_url("sites:detail", site.pk)).status_code == 200


# --- Domains


def test_adding_a_domain(admin_client, site, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, ".acme.example"]
    response = _post(admin_client, "domain_add", site, {"domain": "  Shop.Acme.Example. "})
    assert response.status_code == 302
    added = site.domains.get(domain="shop.acme.example")
    assert not added.is_primary
    assert host_client("shop.acme.example").get("/").status_code == 200
    assert Event.objects.get(type=Event.Type.SITE_DOMAINS).new == {
        "domain": "shop.acme.example",
        "primary": False,
    }


def test_an_internationalised_domain_is_stored_in_punycode_and_shown_in_unicode(
    admin_client, site, settings
):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, ".example"]
    url = network_url("sites:domain_add", site.pk)
    response = admin_client.post(url, {"domain": "Bücher.example"}, follow=True)
    assert site.domains.filter(domain="xn--bcher-kva.example").exists()
    page = response.content.decode()
    assert "<code>bücher.example</code>" in page
    assert "Domain bücher.example added." in page
    assert "xn--" not in page.split("<main", 1)[1]
    # Browsers send the punycode name in the Host header: the site answers it.
    assert host_client("xn--bcher-kva.example").get("/").status_code == 200


def test_adding_a_primary_domain_demotes_the_old_one(admin_client, site):
    _post(admin_client, "domain_add", site, {"domain": "acme.example", "primary": "on"})
    assert list(site.domains.filter(is_primary=True).values_list("domain", flat=True)) == [
        "acme.example"
    ]


@pytest.mark.parametrize(
    "value",
    ["http://acme.example", "acme.example:8000", "acme.example/path", "nodot", "bad_char.example"],
)
def test_a_malformed_domain_is_refused(admin_client, site, value):
    response = _post(admin_client, "domain_add", site, {"domain": value})
    page = response.content.decode()
    assert "Enter a host name like" in page
    assert f'value="{value}"' in page
    assert site.domains.count() == 1


def test_a_domain_belongs_to_one_site_only(admin_client, site, make_site):
    make_site("globex")
    response = _post(admin_client, "domain_add", site, {"domain": "globex.localhost"})
    assert "“globex.localhost” already belongs to a site." in response.content.decode()
    assert Domain.objects.get(domain="globex.localhost").tenant.schema_name == "globex"


def test_making_another_domain_primary(admin_client, site):
    alias = Domain.objects.create(domain="acme.example", tenant=site, is_primary=False)
    _post(admin_client, "domain_primary", site, None, alias.pk)
    alias.refresh_from_db()
    assert alias.is_primary
    assert site.domains.filter(is_primary=True).count() == 1
    event = Event.objects.get(type=Event.Type.SITE_DOMAINS)
    assert (event.old, event.new) == ({"primary": "acme.localhost"}, {"primary": "acme.example"})


def test_the_primary_domain_cannot_be_removed(admin_client, site):
    primary = site.domains.get()
    response = _post(admin_client, "domain_remove", site, None, primary.pk)
    page = admin_client.get(response["Location"]).content.decode()
    assert "make another domain primary first" in page
    assert site.domains.count() == 1


def test_removing_a_secondary_domain(admin_client, site):
    alias = Domain.objects.create(domain="acme.example", tenant=site, is_primary=False)
    _post(admin_client, "domain_remove", site, None, alias.pk)
    assert not Domain.objects.filter(pk=alias.pk).exists()
    assert Event.objects.get(type=Event.Type.SITE_DOMAINS).old == {"domain": "acme.example"}


def test_another_sites_domain_is_a_404(admin_client, site, make_site):
    other = make_site("globex")
    foreign = other.domains.get()
    assert _post(admin_client, "domain_remove", site, None, foreign.pk).status_code == 404
    assert Domain.objects.filter(pk=foreign.pk).exists()

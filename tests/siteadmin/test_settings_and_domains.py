from __future__ import annotations

from django.db import connection
from django_tenants.utils import tenant_context

from events.models import Event
from siteadmin.models import SiteSettings
from tests.conftest import host_client, network_url

SETTINGS = {
    "title": "Acme Rockets",
    "tagline": "Up, up and away",
    "language": "fr",
    "time_zone": "Europe/Paris",
}


def test_settings_are_stored_in_the_sites_own_schema(owner_client, acme, make_site, customer):
    beta = make_site("beta", title="Beta")
    response = owner_client.post("/dashboard/settings/", SETTINGS)

    assert response.status_code == 302
    with tenant_context(acme):
        assert SiteSettings.objects.get().tagline == "Up, up and away"
    with tenant_context(beta):
        assert not SiteSettings.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('public.siteadmin_sitesettings')")
        assert cursor.fetchone()[0] is None


def test_the_home_page_shows_the_settings(owner_client, acme):
    owner_client.post("/dashboard/settings/", SETTINGS)
    page = host_client("acme.localhost").get("/").content.decode()
    assert "Up, up and away" in page
    assert 'lang="fr"' in page
    assert "Europe/Paris" in page


def test_the_home_page_needs_no_saved_settings(acme):
    page = host_client("acme.localhost").get("/").content.decode()
    assert "Acme Rockets" in page


def test_a_settings_change_is_an_event_on_the_customer(owner_client, customer):
    owner_client.post("/dashboard/settings/", SETTINGS)
    event = Event.objects.get(type=Event.Type.SITE_SETTINGS)
    assert event.customer == customer
    assert event.new["tagline"] == "Up, up and away"


def test_unknown_language_or_time_zone_is_refused(owner_client, acme):
    response = owner_client.post(
        "/dashboard/settings/", {**SETTINGS, "language": "xx", "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"language", "time_zone"}
    with tenant_context(acme):
        assert not SiteSettings.objects.exists()


def test_saving_the_same_settings_twice_records_one_event(owner_client):
    owner_client.post("/dashboard/settings/", SETTINGS)
    owner_client.post("/dashboard/settings/", SETTINGS)
    assert Event.objects.filter(type=Event.Type.SITE_SETTINGS).count() == 1


def test_domains_are_read_only_and_a_request_is_an_event_the_network_approves(
    owner_client, acme, customer, admin_client
):
    page = owner_client.get("/dashboard/domains/").content.decode()
    assert "acme.localhost" in page

    response = owner_client.post("/dashboard/domains/request/", {"domain": "Shop.Acme.Example"})

    assert response.status_code == 302
    assert acme.domains.count() == 1  # nothing added: the network decides
    event = Event.objects.get(type=Event.Type.DOMAIN_REQUESTED)
    assert event.customer == customer and event.new == {"domain": "shop.acme.example"}
    assert "shop.acme.example" in owner_client.get("/dashboard/domains/").content.decode()

    site_page = admin_client.get(network_url("sites:detail", acme.pk)).content.decode()
    assert "Approve: add shop.acme.example" in site_page
    admin_client.post(network_url("sites:domain_add", acme.pk), {"domain": "shop.acme.example"})
    assert acme.domains.filter(domain="shop.acme.example").exists()
    site_page = admin_client.get(network_url("sites:detail", acme.pk)).content.decode()
    assert "Approve: add shop.acme.example" not in site_page


def test_a_domain_of_another_site_cannot_be_requested(owner_client, make_site):
    make_site("beta")
    response = owner_client.post("/dashboard/domains/request/", {"domain": "beta.localhost"})
    assert response.status_code == 400
    assert not Event.objects.filter(type=Event.Type.DOMAIN_REQUESTED).exists()

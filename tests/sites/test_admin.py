"""Django admin's doors into sites go through sites.services, like the site page."""

from __future__ import annotations

from django_tenants.utils import schema_exists

from events.models import Event
from sites.models import Domain, Site
from tests.admin_forms import admin_post
from tests.factories import CustomerFactory, MembershipFactory

ADD = "/admin/sites/site/add/"


def change_url(site: Site) -> str:
    return f"/admin/sites/site/{site.pk}/change/"


def add_site(client, **fields):
    data = {"title": "Shop", "domain": "shop.localhost", "type": Site.Type.CUSTOMER_OWNED}
    return client.post(ADD, {**data, **fields})


def test_adding_a_site_in_admin_provisions_its_schema_and_records_it(
    superuser_client, super_admin, customer
):
    membership = MembershipFactory(customer=customer)
    response = add_site(
        superuser_client, customer=customer.pk, membership=membership.pk, domain="Shop.Localhost"
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    site = Site.objects.get(title="Shop")
    assert schema_exists(site.schema_name)
    assert (site.customer, site.membership, site.active) == (customer, membership, True)
    assert site.domains.get().domain == "shop.localhost"
    event = Event.objects.get(type=Event.Type.SITE_CREATED)
    assert (event.customer, event.actor) == (customer, super_admin)


def test_a_site_whose_domain_is_taken_is_refused_and_nothing_is_made(superuser_client, make_site):
    make_site("shop")
    response = add_site(superuser_client, title="Second shop", domain="shop.localhost")

    assert response.status_code == 200
    assert "already belongs to a site" in str(response.context["adminform"].form.errors)
    assert not Site.objects.filter(title="Second shop").exists()


def test_a_site_cannot_be_added_under_another_customers_membership(superuser_client, customer):
    others = MembershipFactory(customer=CustomerFactory())
    response = add_site(superuser_client, customer=customer.pk, membership=others.pk)

    assert response.status_code == 200
    assert "belongs to another customer" in str(response.context["adminform"].form.errors)
    assert not Site.objects.filter(title="Shop").exists()
    assert not schema_exists("shop")


def test_admin_never_makes_another_main_site(superuser_client, make_site):
    response = add_site(superuser_client, type=Site.Type.MAIN)
    assert response.status_code == 200
    assert not Site.objects.filter(title="Shop").exists()

    site = make_site("acme")
    response = admin_post(superuser_client, change_url(site), type=Site.Type.MAIN)
    assert response.status_code == 200
    site.refresh_from_db()
    assert site.type == Site.Type.CUSTOMER_OWNED


def test_changing_a_site_keeps_its_schema_and_records_the_change(
    superuser_client, make_site, customer
):
    site = make_site("acme", customer=customer)
    response = admin_post(
        superuser_client, change_url(site), title="Acme Rockets", schema_name="other", active=""
    )

    assert response.status_code == 302
    site.refresh_from_db()
    assert (site.title, site.schema_name, site.active) == ("Acme Rockets", "acme", False)
    assert Event.objects.filter(
        type=Event.Type.SITE_UPDATED, subject_id=site.pk, message__contains="deactivated"
    ).exists()


def test_deleting_a_site_in_admin_drops_its_schema_and_records_it(
    superuser_client, super_admin, make_site, customer
):
    site = make_site("acme", customer=customer)
    assert superuser_client.get(f"/admin/sites/site/{site.pk}/delete/").status_code == 200
    response = superuser_client.post(f"/admin/sites/site/{site.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Site.objects.filter(pk=site.pk).exists()
    assert not Domain.objects.filter(domain="acme.localhost").exists()
    assert not schema_exists("acme")
    event = Event.objects.get(type=Event.Type.SITE_DELETED)
    assert (event.customer, event.actor) == (customer, super_admin)


def test_delete_selected_is_not_offered_for_sites(superuser_client, make_site):
    site = make_site("acme")
    superuser_client.post(
        "/admin/sites/site/",
        {"action": "delete_selected", "_selected_action": [site.pk], "post": "yes"},
    )
    assert Site.objects.filter(pk=site.pk).exists()
    assert schema_exists("acme")


def test_the_main_site_can_be_neither_changed_nor_deleted(superuser_client, network):
    response = superuser_client.post(change_url(network), {"title": "Renamed", "type": "regular"})
    assert response.status_code == 403
    response = superuser_client.post(f"/admin/sites/site/{network.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    network.refresh_from_db()
    assert (network.title, network.type) == ("Network", Site.Type.MAIN)


def test_domains_change_only_on_the_site_page(superuser_client, make_site):
    site = make_site("acme")
    domain = site.domains.get()
    assert superuser_client.get("/admin/sites/domain/add/").status_code == 403
    response = superuser_client.post(
        f"/admin/sites/domain/{domain.pk}/change/",
        {"domain": "evil.localhost", "tenant": site.pk, "is_primary": "on"},
    )
    assert response.status_code == 403
    response = superuser_client.post(f"/admin/sites/domain/{domain.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    domain.refresh_from_db()
    assert domain.domain == "acme.localhost"
    assert f"/sites/{site.pk}/" in superuser_client.get(change_url(site)).content.decode()


def test_a_site_is_not_put_under_another_customers_membership(
    superuser_client, make_site, customer
):
    site = make_site("acme", customer=customer)
    others = MembershipFactory(customer=CustomerFactory())
    response = admin_post(superuser_client, change_url(site), membership=others.pk)

    assert response.status_code == 200
    assert "belongs to another customer" in response.content.decode()
    site.refresh_from_db()
    assert site.membership is None

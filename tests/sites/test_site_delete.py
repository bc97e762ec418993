"""sites.services.site_delete: the row, its domains and its schema, or nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django_tenants.utils import get_public_schema_name, schema_exists

from events.models import Event
from sites.models import Domain, Site
from sites.services import domain_add, site_delete


@pytest.fixture
def site(make_site, customer):
    site = make_site("acme", customer=customer, title="Acme Rockets")
    domain_add(site=site, domain="rockets.example.com")
    return site


def test_it_drops_the_schema_and_deletes_the_site_and_its_domains(site, super_admin):
    site_delete(site=site, actor=super_admin)

    assert not schema_exists("acme")
    assert not Site.objects.filter(pk=site.pk).exists()
    assert not Domain.objects.filter(domain__in=["acme.localhost", "rockets.example.com"]).exists()


def test_it_records_the_deletion_on_the_sites_customer(site, customer, super_admin):
    site_pk = site.pk

    site_delete(site=site, actor=super_admin, ip="198.51.100.7")

    event = Event.objects.get(type=Event.Type.SITE_DELETED)
    assert event.customer == customer
    assert (event.subject_type, event.subject_id) == ("site", site_pk)
    assert event.actor == super_admin
    assert event.ip == "198.51.100.7"
    assert event.message == "Site “Acme Rockets” deleted (acme.localhost, rockets.example.com)"
    assert event.old == {
        "domains": ["acme.localhost", "rockets.example.com"],
        "schema": "acme",
        "type": Site.Type.CUSTOMER_OWNED,
    }


def test_other_sites_keep_their_schemas(site, make_site, super_admin):
    other = make_site("other")

    site_delete(site=site, actor=super_admin)

    assert schema_exists("other")
    assert Site.objects.filter(pk=other.pk).exists()


def test_a_failure_later_in_the_transaction_brings_everything_back(site, super_admin):
    with pytest.raises(RuntimeError), transaction.atomic():
        site_delete(site=site, actor=super_admin)
        raise RuntimeError("a later step failed")

    assert schema_exists("acme")
    assert Domain.objects.filter(tenant=site).count() == 2
    assert not Event.objects.filter(type=Event.Type.SITE_DELETED).exists()


def test_the_main_site_is_never_deleted(network, super_admin):
    with pytest.raises(ValidationError):
        site_delete(site=network, actor=super_admin)

    assert Site.objects.filter(schema_name=get_public_schema_name()).exists()
    assert schema_exists(get_public_schema_name())
    assert not Event.objects.filter(type=Event.Type.SITE_DELETED).exists()

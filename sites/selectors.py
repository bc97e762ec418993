"""Reads of sites for the pages that show them."""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import OuterRef, QuerySet, Subquery

from network.paging import Page, page_fetch, page_number
from sites.models import Domain, Site

CUSTOMER_BLOCK_SIZE = 5
MEMBERSHIP_BLOCK_SIZE = 10


def with_primary_domain(sites: QuerySet[Site]) -> QuerySet[Site]:
    """Each site with its primary domain (else its first) as `domain`, in the same query."""
    primary = Domain.objects.filter(tenant=OuterRef("pk")).order_by("-is_primary", "id")
    return sites.annotate(domain=Subquery(primary.values("domain")[:1]))


def customer_sites_page(customer, params: Mapping[str, str]) -> Page:
    """The Sites block of the customer page."""
    sites = with_primary_domain(Site.objects.filter(customer=customer))
    number = page_number(params, "sites_page")
    return page_fetch(
        sites.order_by("-created_at", "-id"),
        number=number,
        size=CUSTOMER_BLOCK_SIZE,
        param="sites_page",
        counted=True,
    )


def membership_sites_page(membership, params: Mapping[str, str]) -> Page:
    """The Sites block of the membership page."""
    sites = with_primary_domain(Site.objects.filter(membership=membership))
    number = page_number(params, "sites_page")
    return page_fetch(
        sites.order_by("-created_at", "-id"),
        number=number,
        size=MEMBERSHIP_BLOCK_SIZE,
        param="sites_page",
        counted=True,
    )

"""Reads of sites for the pages that show them."""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import OuterRef, QuerySet, Subquery

from customers.models import Customer, User
from events.models import Event
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


CUSTOMER_CANDIDATES = 8


def customer_candidates(query: str) -> list[Customer]:
    """Customers whose name, username or email contains the query (trigram-indexed), for
    the customer picker of "Add site"."""
    query = query.replace("\x00", "").strip()  # PostgreSQL text can't hold NUL
    if not query:
        return []
    return list(
        Customer.objects.filter(user__in=User.objects.search(query).values("pk"))
        .select_related("user")
        .order_by("user__email")[:CUSTOMER_CANDIDATES]
    )


def domain_requests(site: Site, domains: list[Domain] | None = None) -> list[str]:
    """Domains the site's owner asked for (siteadmin's Domains page records each request
    as an event) and that are not the site's yet, oldest first. Pass the site's domains
    when they are loaded already."""
    asked = Event.objects.filter(
        type=Event.Type.DOMAIN_REQUESTED, subject_type="site", subject_id=site.pk
    ).order_by("created_at", "id")
    if domains is None:
        domains = list(Domain.objects.filter(tenant=site))
    taken = {domain.domain for domain in domains}
    requested = [(event.new or {}).get("domain", "") for event in asked]
    return [domain for domain in dict.fromkeys(requested) if domain and domain not in taken]

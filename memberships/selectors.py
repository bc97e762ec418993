"""Reads of memberships for the pages that show them."""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import OuterRef, Subquery

from memberships.models import Membership, MembershipAddon
from network.paging import Page, page_fetch, page_number

CUSTOMER_BLOCK_SIZE = 5


def customer_memberships_page(customer, params: Mapping[str, str]) -> Page:
    """The Memberships block of the customer page: plan and add-on names in one query."""
    addon_names = (
        MembershipAddon.objects.filter(membership=OuterRef("pk"))
        .order_by()
        .values("membership")
        .annotate(names=StringAgg("product__name", ", ", order_by="product__name"))
        .values("names")
    )
    memberships = (
        Membership.objects.filter(customer=customer)
        .select_related("plan")
        .annotate(addon_names=Subquery(addon_names))
        .order_by("-created_at", "-id")
    )
    number = page_number(params, "memberships_page")
    return page_fetch(
        memberships,
        number=number,
        size=CUSTOMER_BLOCK_SIZE,
        param="memberships_page",
        counted=True,
    )

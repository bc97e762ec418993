"""Reads for the site's own administration. Each one is a fixed number of queries,
whatever the number of payments or team members."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from customers.models import Customer, User
from memberships.models import Membership, MembershipAddon
from payments.models import Payment
from siteadmin.models import SiteSettings, TeamMember
from sites.models import Domain, Site

PAYMENTS_SHOWN = 25


def site_settings_current(site: Site) -> SiteSettings:
    """The site's settings; until first saved, the defaults (nothing is written on a read,
    so a read-only View as stays read-only)."""
    return SiteSettings.objects.filter(pk=1).first() or SiteSettings(pk=1, title=site.title)


def site_membership(site: Site) -> Membership | None:
    if site.membership_id is None:
        return None
    return (
        Membership.objects.select_related("plan")
        .prefetch_related(
            Prefetch(
                "addon_rows",
                queryset=MembershipAddon.objects.select_related("product").order_by("id"),
            )
        )
        .filter(pk=site.membership_id)
        .first()
    )


def owner_payments(owner: Customer, limit: int = PAYMENTS_SHOWN) -> list[Payment]:
    """The owner's own payments, newest first: never another customer's."""
    return list(
        Payment.objects.filter(customer=owner)
        .select_related("membership")
        .order_by("-created_at", "-id")[:limit]
    )


def owner_payment(owner: Customer, pk: int) -> Payment | None:
    return Payment.objects.filter(customer=owner, pk=pk).first()


def failed_payments(owner: Customer, membership: Membership | None) -> list[Payment]:
    if membership is None:
        return []
    return list(
        Payment.objects.filter(
            customer=owner, membership=membership, status=Payment.Status.FAILED
        ).order_by("-created_at", "-id")[:3]
    )


def site_domains(site: Site) -> list[Domain]:
    return list(Domain.objects.filter(tenant=site).order_by("-is_primary", "domain"))


@dataclass(frozen=True)
class TeamRow:
    member: TeamMember
    user: User


def team_rows() -> list[TeamRow]:
    """The team, each member with their account (two queries). A member whose account no
    longer exists is left out: it can neither log in nor be shown (see models.py on why
    the link has no foreign key)."""
    members = list(TeamMember.objects.order_by("created_at", "id"))
    users = User.objects.in_bulk([member.user_id for member in members])
    return [TeamRow(m, users[m.user_id]) for m in members if m.user_id in users]


def team_dangling() -> list[TeamMember]:
    """Members whose account is gone: what the integrity test looks for."""
    members = list(TeamMember.objects.all())
    existing = set(
        User.objects.filter(pk__in=[m.user_id for m in members]).values_list("pk", flat=True)
    )
    return [member for member in members if member.user_id not in existing]

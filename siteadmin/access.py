"""Who may open the site's own administration, and as what: its owner (the customer who
owns the site, or a super admin acting as them), or a member of its team."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext

from customers.models import Customer
from siteadmin.models import TeamMember
from sites.models import Site

OWNER = "owner"
ADMINISTRATOR = TeamMember.Role.ADMINISTRATOR
EDITOR = TeamMember.Role.EDITOR
# What each role may open; the owner opens everything.
EVERYONE = (OWNER, ADMINISTRATOR, EDITOR)
MANAGERS = (OWNER, ADMINISTRATOR)


@dataclass(frozen=True)
class SiteAccess:
    site: Site
    owner: Customer
    role: str

    @property
    def is_owner(self) -> bool:
        return self.role == OWNER

    @property
    def can_manage(self) -> bool:
        return self.role in MANAGERS

    @property
    def role_label(self) -> str:
        if self.is_owner:
            return gettext("Site administrator (owner)")
        return str(TeamMember.Role(self.role).label)


def site_access(request: HttpRequest) -> SiteAccess | None:
    """The signed-in person's place on this site, or None when they have none."""
    site = connection.tenant
    user = request.user
    if not user.is_authenticated or site.customer_id is None:
        return None
    owner = Customer.objects.select_related("user").filter(pk=site.customer_id).first()
    if owner is None:
        return None
    if owner.user_id == user.pk:
        return SiteAccess(site=site, owner=owner, role=OWNER)
    if user.is_staff or user.is_superuser:
        return None
    member = TeamMember.objects.of_user(user.pk).only("role").first()
    if member is None:
        return None
    return SiteAccess(site=site, owner=owner, role=member.role)


def site_role_required(*roles: str) -> Callable:
    """The view runs for a signed-in person whose role on this site is one of `roles`,
    with `request.site_access` set; anyone else is refused (403)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            access = site_access(request)
            if access is None or access.role not in roles:
                raise PermissionDenied(gettext("This page is for the site's owner and its team."))
            request.site_access = access
            return view(request, *args, **kwargs)

        return wrapped

    return decorate

"""The site's own tables, in its own schema (a TENANT_APPS app): its settings and its team.

Team members link to accounts in the public schema by id, with no database foreign key.
A foreign key from a tenant schema into `public` works on one PostgreSQL server, but on
Citus a distributed schema may reference only reference tables, and the accounts table
is a large one we would not make a reference table. So the link is a plain column and
its integrity is the services' job (siteadmin.services: a member is added only for an
account that exists, and an account that no longer exists is skipped everywhere it is
read); tests/siteadmin/test_team.py checks both, and that no tenant table has a foreign
key into `public`."""

from __future__ import annotations

import zoneinfo
from functools import cache

from django.db import models
from django.utils.translation import gettext_lazy as _

from customers.models import Language


@cache
def time_zones() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class SiteSettings(models.Model):
    """The one row of a site's own settings (its public home page shows them)."""

    title = models.CharField(max_length=200)
    tagline = models.CharField(max_length=200, blank=True)
    # The network's languages (settings.LANGUAGES, each named in itself).
    language = models.CharField(max_length=10, choices=Language.choices, default="en")
    time_zone = models.CharField(max_length=64, default="UTC")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = _("site settings")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="settings_one_row")]

    def __str__(self) -> str:
        return self.title


class TeamMemberQuerySet(models.QuerySet):
    def of_user(self, user_id: int) -> TeamMemberQuerySet:
        return self.filter(user_id=user_id)


class TeamMember(models.Model):
    """A person invited by the owner to help run this site."""

    class Role(models.TextChoices):
        ADMINISTRATOR = "administrator", _("Administrator")
        EDITOR = "editor", _("Editor")

    # The account's id in the public schema; no foreign key (see the module docstring).
    user_id = models.BigIntegerField(unique=True)
    role = models.CharField(max_length=20, choices=Role.choices)
    invited_by_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TeamMemberQuerySet.as_manager()

    def __str__(self) -> str:
        return f"account {self.user_id} ({self.role})"

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django_tenants.utils import get_public_schema_name

from customers.models import User
from siteadmin.models import TeamMember


class TeamMemberBackend(ModelBackend):
    """On a subsite, the people its owner invited to the team log in too; on this site's
    host only, since the team lives in the site's own schema. Never staff accounts.

    Listed after customers.backends.EmailOrUsernameBackend, which lets the owner in and
    has already spent a password hash on every other handle: this one checks a password
    only for a member of this site's team, so a refusal costs no second hash."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        if connection.schema_name == get_public_schema_name():
            return None
        user = User.objects.for_login(username)
        if user is None or user.is_staff or user.is_superuser:
            return None
        if not TeamMember.objects.of_user(user.pk).exists():
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

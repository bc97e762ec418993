from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django_tenants.utils import get_public_schema_name

from customers.models import Customer, User


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' check, first in AUTHENTICATION_BACKENDS: a locked-out attempt stops
    here, before any password is hashed. It marks the request so that the login form
    can tell a refusal while locked from the failure that locked (which is recorded)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None  # our own code checking a password (a shell, a test): no client to throttle
        try:
            return super().authenticate(request, username, password, **kwargs)
        except AxesBackendPermissionDenied:
            request.login_already_locked = True
            raise


class EmailOrUsernameBackend(ModelBackend):
    """Log in with the username or the email address, in any letter case (both are unique
    on the network regardless of case).

    On a subsite only the site's owner may log in: never another customer, and never a
    staff account, whose password should not be typed on a customer-branded host. Any
    other account is refused exactly like a wrong password."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        user = User.objects.for_login(username)
        if user is None:
            User().set_password(password)  # an unknown handle costs a hash too: no timing oracle
            return None
        if (
            user.check_password(password)
            and self.user_can_authenticate(user)
            and may_log_in_on_this_host(user)
        ):
            return user
        return None


def may_log_in_on_this_host(user: User) -> bool:
    if connection.schema_name == get_public_schema_name():
        return True
    if user.is_staff or user.is_superuser:
        return False
    owner_id = getattr(connection.tenant, "customer_id", None)
    return owner_id is not None and Customer.objects.filter(pk=owner_id, user=user).exists()

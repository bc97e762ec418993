"""Login throttling with django-axes: the hooks its settings name (network/settings.py,
AXES_*), and the lockout as our pages and services read it."""

from __future__ import annotations

import math

from axes.helpers import get_client_username
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import ngettext

from customers.models import User
from customers.services import login_lockout_record


def lockout_minutes() -> int:
    return max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))


def lockout_message() -> str:
    # Each attempt while locked starts the cool-off again (axes'
    # AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT), so the wait is the whole cool-off.
    minutes = lockout_minutes()
    return ngettext(
        "Too many failed attempts; try again in %(minutes)s minute.",
        "Too many failed attempts; try again in %(minutes)s minutes.",
        minutes,
    ) % {"minutes": minutes}


def login_key(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """AXES_USERNAME_CALLABLE: the name failures are counted under. An account's own
    username, whichever handle was typed (username or email, any case), so that five
    guesses are five for the account; any other handle in lower case."""
    if credentials is not None:
        handle = credentials.get("username")
    else:
        handle = request.POST.get("username")
    if not handle:
        return None
    keys = request.__dict__.setdefault("_login_keys", {})
    if handle not in keys:
        user = User.objects.for_login(handle)
        keys[handle] = user.username if user is not None else handle.strip().lower()[:255]
    return keys[handle]


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE, called by axes' middleware for a locked-out login. The form
    has already said why (customers.forms.LockoutMessageMixin): its page stays, as 429.
    The attempt that caused the lockout is recorded as an event; those refused while
    locked are not, so a flood of them is not a flood of events."""
    if not getattr(request, "login_already_locked", False):
        login_lockout_record(
            key=get_client_username(request, credentials),
            ip=request.axes_ip_address,
            host=request.get_host(),
        )
    if original_response is None:
        original_response = HttpResponse(lockout_message())
    original_response.status_code = settings.AXES_HTTP_RESPONSE_CODE
    return original_response

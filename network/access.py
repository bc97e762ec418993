"""Who may see the network admin: active staff with the network-admin permission."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse


def is_network_admin(user) -> bool:
    return bool(user.is_authenticated and user.is_network_admin)


def network_admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous visitors go to the login page; signed-in outsiders get a 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_network_admin(request.user):
            raise PermissionDenied("Only network super admins can see this page.")
        return view(request, *args, **kwargs)

    return wrapped

"""Who may see the network admin: active staff with the network-admin permission."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


def is_network_admin(user) -> bool:
    return bool(user.is_authenticated and user.is_network_admin)


def network_admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous visitors go to the login page; signed-in outsiders get a 403. What an
    admin sees is personal data: no cache, shared or the browser's, may keep it."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_network_admin(request.user):
            raise PermissionDenied("Only network super admins can see this page.")
        response = view(request, *args, **kwargs)
        patch_cache_control(response, private=True, no_store=True)
        return response

    return wrapped

"""Headers every response carries, the tenant middleware's own answers included: this
runs first (see MIDDLEWARE), so an unknown or disallowed host gets them too."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.middleware.security import SecurityMiddleware


class SecurityHeadersMiddleware:
    """Permissions-Policy, and Django's SecurityMiddleware headers once more for the one
    answer that misses them: with SECURE_SSL_REDIRECT, a disallowed host over plain http
    fails in SecurityMiddleware itself (its Host cannot build the https address) and is
    answered 400 before SecurityMiddleware adds them. Adding them twice changes nothing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.security = SecurityMiddleware(get_response)
        self.permissions_policy = settings.PERMISSIONS_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.security.process_response(request, self.get_response(request))
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        return response

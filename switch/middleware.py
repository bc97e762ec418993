from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from events.services import events_impersonated_by
from network.http import client_ip
from switch import views
from switch.services import Impersonation, impersonation_end, impersonation_verify

# Methods that change nothing (RFC 9110's safe methods): all a read-only session may use.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# The unsafe requests a read-only session may still make: ending it (logging out is
# switching back), and redeeming a fresh grant, which replaces the session.
READ_ONLY_EXITS = ("tenant_switch:back", "tenant_switch:redeem", "logout")


class ImpersonationMiddleware:
    """On a subsite, an impersonated session is re-checked on every request: when the
    admin lost the right (or the time is up) the session ends before the view runs.

    A read-only session (View as) is refused every unsafe request before any view, form
    or service runs, whatever its path, except the ways out (READ_ONLY_EXITS).

    Sets `request.impersonator` (the admin, or None) and `request.impersonation` for the
    banner, and the impersonator (events_impersonated_by) for events recorded meanwhile."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.impersonator = None
        request.impersonation = None
        site = getattr(request, "tenant", None)
        if site is None or site.is_main:
            return self.get_response(request)
        impersonation = Impersonation.from_session(request.session)
        if impersonation is None:
            return self.get_response(request)

        admin, problem = impersonation_verify(request=request, impersonation=impersonation)
        if problem:
            impersonation_end(
                request=request, impersonation=impersonation, reason=problem, ip=client_ip(request)
            )
            messages.warning(request, gettext(problem))  # recorded in English, shown translated
            return redirect_to_login(request.get_full_path())

        request.impersonator = admin
        request.impersonation = impersonation
        # The admin reads the customer's site in their own language (or their browser's),
        # not in the one the customer chose.
        translation.activate(admin.language or translation.get_language_from_request(request))
        request.LANGUAGE_CODE = translation.get_language()
        if impersonation.read_only and not _allowed_read_only(request):
            return render(request, "switch/read_only.html", status=403)
        with events_impersonated_by(admin):
            return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """Logging out of an impersonated session is switching back: the end is recorded
        and the admin returns to the network. Runs after the CSRF check."""
        match = request.resolver_match
        if request.impersonator and request.method == "POST" and match.url_name == "logout":
            return views.back(request)
        return None


def _allowed_read_only(request) -> bool:
    if request.method in SAFE_METHODS:
        return True
    exits = {reverse(name, urlconf=settings.ROOT_URLCONF) for name in READ_ONLY_EXITS}
    return request.path_info in exits

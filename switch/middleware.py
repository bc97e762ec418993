from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login

from events.services import events_impersonated_by
from network.http import client_ip
from switch import views
from switch.services import Impersonation, impersonation_end, impersonation_verify


class ImpersonationMiddleware:
    """On a subsite, an impersonated session is re-checked on every request: when the
    admin lost the right (or the time is up) the session ends before the view runs.

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
            messages.warning(request, problem)
            return redirect_to_login(request.get_full_path())

        request.impersonator = admin
        request.impersonation = impersonation
        with events_impersonated_by(admin):
            return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """Logging out of an impersonated session is switching back: the end is recorded
        and the admin returns to the network. Runs after the CSRF check."""
        match = request.resolver_match
        if request.impersonator and request.method == "POST" and match.url_name == "logout":
            return views.back(request)
        return None

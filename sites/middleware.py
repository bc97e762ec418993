from __future__ import annotations

from django.db import connection
from django.shortcuts import render
from django_tenants.middleware.main import TenantMainMiddleware

from sites.hosts import hosts


class SiteByHostMiddleware(TenantMainMiddleware):
    """django-tenants' tenant middleware, with the host's site from the per-process host
    cache (sites.hosts) instead of a query on every request."""

    def get_tenant(self, domain_model, hostname):
        return hosts.site(hostname)


class InactiveSiteMiddleware:
    """An inactive subsite's host answers every request with a clear "unavailable" page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        site = getattr(connection, "tenant", None)
        if site is not None and not getattr(site, "is_main", True) and not site.active:
            return render(request, "sites/unavailable.html", {"site": site}, status=503)
        return self.get_response(request)

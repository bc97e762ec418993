"""Pages served on a subsite's own host, inside its schema."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "sites/tenant_home.html", {"site": connection.tenant})


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    site = connection.tenant
    customer = getattr(request.user, "customer", None)
    if customer is None or customer.pk != site.customer_id:
        raise PermissionDenied("Only this site's owner can open its dashboard.")
    return render(request, "sites/tenant_dashboard.html", {"site": site, "customer": customer})

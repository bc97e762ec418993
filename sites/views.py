from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from events.selectors import subject_history
from network.access import network_admin_required
from network.forms import add_service_errors
from network.http import client_ip, post_or_redirect
from sites import services
from sites.forms import DomainAddForm, SiteOptionsForm
from sites.models import Domain, Site


def site_for_admin(pk: int) -> Site:
    return get_object_or_404(Site.objects.select_related("customer__user", "membership"), pk=pk)


def _detail(request: HttpRequest, site: Site, **bound) -> HttpResponse:
    domains = list(site.domains.order_by("-is_primary", "domain"))
    primary = next((d for d in domains if d.is_primary), None)
    context = {
        "site": site,
        "domains": domains,
        "primary": primary,
        "history": subject_history(site),
        "options_form": SiteOptionsForm(
            site=site, initial={"membership": site.membership_id, "type": site.type}
        ),
        "domain_form": DomainAddForm(),
    }
    context.update(bound)
    return render(request, "sites/detail.html", context)


def _back(site: Site, anchor: str = "") -> HttpResponse:
    return redirect(reverse("sites:detail", args=[site.pk]) + anchor)


@network_admin_required
def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, site_for_admin(pk))


@network_admin_required
@post_or_redirect("sites:detail")
def site_update(request: HttpRequest, pk: int) -> HttpResponse:
    site = site_for_admin(pk)
    form = SiteOptionsForm(request.POST, site=site)
    if form.is_valid():
        try:
            services.site_update(site=site, **form.cleaned_data, **_who(request))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Site options saved.")
            return _back(site, "#options")
    return _detail(request, site, options_form=form)


@network_admin_required
@post_or_redirect("sites:detail")
def site_active(request: HttpRequest, pk: int) -> HttpResponse:
    site = site_for_admin(pk)
    active = request.POST.get("active") == "1"
    try:
        services.site_active_set(site=site, active=active, **_who(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        state = "active: its host serves visitors" if active else "inactive: its host is closed"
        messages.success(request, f"“{site.title}” is now {state}.")
    return _back(site, "#active")


@network_admin_required
@post_or_redirect("sites:detail", "#domains")
def domain_add(request: HttpRequest, pk: int) -> HttpResponse:
    site = site_for_admin(pk)
    form = DomainAddForm(request.POST)
    if form.is_valid():
        try:
            domain = services.domain_add(site=site, **form.cleaned_data, **_who(request))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Domain {domain.domain} added.")
            return _back(site, "#domains")
    return _detail(request, site, domain_form=form)


def _domain_for_admin(site: Site, domain_pk: int) -> Domain:
    return get_object_or_404(Domain.objects.select_related("tenant"), pk=domain_pk, tenant=site)


@network_admin_required
@post_or_redirect("sites:detail", "#domains")
def domain_primary(request: HttpRequest, pk: int, domain_pk: int) -> HttpResponse:
    site = site_for_admin(pk)
    domain = _domain_for_admin(site, domain_pk)
    try:
        services.domain_make_primary(domain=domain, **_who(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{domain.domain} is now the primary domain.")
    return _back(site, "#domains")


@network_admin_required
@post_or_redirect("sites:detail", "#domains")
def domain_remove(request: HttpRequest, pk: int, domain_pk: int) -> HttpResponse:
    site = site_for_admin(pk)
    domain = _domain_for_admin(site, domain_pk)
    try:
        services.domain_remove(domain=domain, **_who(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Domain {domain.domain} removed.")
    return _back(site, "#domains")


def _who(request: HttpRequest) -> dict:
    return {"actor": request.user, "ip": client_ip(request)}


# --- Pages served on a subsite's own host, inside its schema (network/urls_tenants.py).


def tenant_home(request: HttpRequest) -> HttpResponse:
    return render(request, "sites/tenant_home.html", {"site": connection.tenant})


@login_required
def tenant_dashboard(request: HttpRequest) -> HttpResponse:
    site = connection.tenant
    customer = getattr(request.user, "customer", None)
    if customer is None or customer.pk != site.customer_id:
        raise PermissionDenied("Only this site's owner can open its dashboard.")
    return render(request, "sites/tenant_dashboard.html", {"site": site, "customer": customer})

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from events.models import Event
from network.access import network_admin_required
from network.forms import add_service_errors
from network.http import client_ip
from sites import services
from sites.forms import DomainAddForm, SiteOptionsForm
from sites.models import Domain, Site

HISTORY_SIZE = 10


def site_for_admin(pk: int) -> Site:
    return get_object_or_404(Site.objects.select_related("customer__user", "membership"), pk=pk)


def _detail(request: HttpRequest, site: Site, **bound) -> HttpResponse:
    domains = list(site.domains.order_by("-is_primary", "domain"))
    primary = next((d for d in domains if d.is_primary), None)
    port = request.get_port()
    context = {
        "site": site,
        "domains": domains,
        "primary": primary,
        "port_suffix": "" if port in ("80", "443") else f":{port}",
        "history": Event.objects.filter(subject_type="site", subject_id=site.pk).order_by(
            "-created_at", "-id"
        )[:HISTORY_SIZE],
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


@require_POST
@network_admin_required
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


@require_POST
@network_admin_required
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


@require_POST
@network_admin_required
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


@require_POST
@network_admin_required
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


@require_POST
@network_admin_required
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

from __future__ import annotations

import time

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from customers.models import Customer
from events.selectors import subject_history
from network.access import network_admin_required
from network.formatting import unicode_host
from network.forms import add_service_errors
from network.http import PkUrl, client_ip, post_or_redirect
from network.lists import (
    EXPORT_CHUNK,
    csv_export,
    facet_choices,
    list_counts,
    list_page_context,
)
from sites import selectors, services
from sites.forms import (
    DomainAddForm,
    SiteAddForm,
    SiteListFilters,
    SiteOptionsForm,
    SitesAddManyForm,
)
from sites.models import Domain, Site
from sites.selectors import customer_candidates


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
        # Asked for on the site's own Domains page; "Add" approves one (domain_add).
        "domain_requests": selectors.domain_requests(site, domains),
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
            messages.success(request, _("Site options saved."))
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
        if active:
            done = _("“%(title)s” is now active: its host serves visitors.")
        else:
            done = _("“%(title)s” is now inactive: its host is closed.")
        messages.success(request, done % {"title": site.title})
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
            host = unicode_host(domain.domain)
            messages.success(request, _("Domain %(host)s added.") % {"host": host})
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
        host = unicode_host(domain.domain)
        messages.success(request, _("%(host)s is now the primary domain.") % {"host": host})
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
        host = unicode_host(domain.domain)
        messages.success(request, _("Domain %(host)s removed.") % {"host": host})
    return _back(site, "#domains")


def _who(request: HttpRequest) -> dict:
    return {"actor": request.user, "ip": client_ip(request)}


LIST_FACETS_KEY = "sites:list:facet-counts"


def _list_facets() -> dict:
    sites = Site.objects.all()
    return {
        **{f"type:{v}": sites.filter(type=v) for v in Site.Type.values},
        "active:yes": sites.filter(active=True),
        "active:no": sites.filter(active=False),
    }


def _customer(pk: int | None) -> Customer | None:
    return Customer.objects.select_related("user").filter(pk=pk).first() if pk else None


def _customer_asked(request: HttpRequest) -> Customer | None:
    """The customer `?customer=<id>` names, if there is one."""
    try:
        return _customer(int(request.GET.get("customer", "")))
    except ValueError:
        return None


@network_admin_required
def site_list(request: HttpRequest) -> HttpResponse:
    filters = SiteListFilters(request.GET)
    sites = filters.sites()
    counts = list_counts(sites, key=LIST_FACETS_KEY, facets=_list_facets, table=Site._meta.db_table)
    rows = selectors.with_primary_domain(sites.select_related("customer__user"))
    customer = _customer(filters.value("customer"))
    return render(
        request,
        "sites/list.html",
        {
            **list_page_context(request, filters=filters, rows=rows, counts=counts),
            "type_choices": facet_choices(counts, "type", Site.Type.choices),
            "active_choices": facet_choices(
                counts, "active", [("yes", _("Active")), ("no", _("Inactive"))]
            ),
            "customer": customer,
            # Reversed once per page, not once per row.
            "detail_url": PkUrl("sites:detail"),
            "customer_url": PkUrl("customers:detail"),
            "membership_url": PkUrl("memberships:detail"),
        },
    )


@network_admin_required
def site_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered list as CSV, streamed from a server-side cursor."""
    fields = {
        "id": "id",
        "title": "title",
        "primary_domain": "domain",
        "schema": "schema_name",
        "type": "type",
        "active": "active",
        "customer_id": "customer_id",
        "customer_email": "customer__user__email",
        "membership": "membership_id",
        "created": "created_at",
    }
    rows = (
        selectors.with_primary_domain(SiteListFilters(request.GET).sites())
        .values_list(*fields.values())
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    readable = ([*row[:-2], f"MEM-{row[-2]:06d}" if row[-2] else "", row[-1]] for row in rows)
    return csv_export(name="sites", header=list(fields), rows=readable)


@network_admin_required
def site_add(request: HttpRequest) -> HttpResponse:
    """Pick the customer (a search), then the site: title, membership, domain, type."""
    customer = _customer_asked(request)
    if customer is None:
        search = request.GET.get("customer_q", "")
        candidates = customer_candidates(search)
        return render(
            request,
            "sites/add.html",
            {"customer_q": search, "candidates": candidates},
            status=404 if "customer" in request.GET else 200,
        )
    form = SiteAddForm(request.POST or None, customer=customer)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        started = time.perf_counter()
        try:
            site = services.site_create(
                title=data["title"],
                domain=data["domain"],
                customer=customer,
                membership=data["membership"],
                type=data["type"],
                **_who(request),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            seconds = formats.number_format(time.perf_counter() - started, decimal_pos=1)
            created = {
                "title": site.title,
                "host": unicode_host(data["domain"]),
                "seconds": seconds,
            }
            messages.success(
                request,
                _("Site “%(title)s” created at %(host)s: provisioned in %(seconds)s s.") % created,
            )
            return redirect(site.get_absolute_url())
    status = 400 if form.is_bound and form.errors else 200
    context = {"customer": customer, "form": form}
    return render(request, "sites/add.html", context, status=status)


@network_admin_required
def site_add_many(request: HttpRequest) -> HttpResponse:
    """Many sites for one customer (picked on Add site): every line checked here, then
    made by a job whose run page follows it."""
    customer = _customer_asked(request)
    if customer is None:
        if "customer" in request.GET:
            raise Http404("No such customer")
        return redirect("sites:add")
    form = SitesAddManyForm(request.POST or None, customer=customer)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            run = services.sites_create_start(
                customer=customer,
                membership=data["membership"],
                type=data["type"],
                lines=data["lines"],
                **_who(request),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(run.get_absolute_url())
    status = 400 if form.is_bound and form.errors else 200
    context = {"customer": customer, "form": form}
    return render(request, "sites/add_many.html", context, status=status)

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from customers.models import Customer
from customers.switch import SwitchRefused, switch_sites, switch_start
from network.access import network_admin_required
from network.http import client_ip
from sites.models import Site


@network_admin_required
def switch_to(request: HttpRequest, pk: int) -> HttpResponse:
    """Switch to: issue a grant, then hand its secret to the subsite host in a POST body,
    so it never sits in a URL, a log line or a Referer."""
    if request.method != "POST":
        response = render(request, "customers/switch_get.html", status=405)
        response["Allow"] = "POST"
        return response
    customer = get_object_or_404(Customer.objects.select_related("user"), pk=pk)
    if not settings.SWITCH_TO_ENABLED:
        return _refused(request, customer, "Switch to is turned off on this network.")

    chosen = request.POST.get("site", "")
    if chosen:
        site = _posted_site(chosen)
        if site is None:
            return _refused(request, customer, "That site does not exist (any more).")
    else:
        sites = switch_sites(customer)
        if not sites:
            return _refused(request, customer, f"{customer.user.display_name} has no active site.")
        if len(sites) > 1:
            context = {"customer": customer, "sites": sites}
            return render(request, "customers/switch_pick_site.html", context)
        site = sites[0]

    redeem_url = _redeem_url(request, site)
    if redeem_url is None:
        return _refused(request, customer, f"The site “{site.title}” has no domain.")
    try:
        secret = switch_start(
            admin=request.user, customer=customer, site=site, ip=client_ip(request)
        )
    except SwitchRefused as refusal:
        return _refused(request, customer, str(refusal))

    response = render(
        request,
        "customers/switch_handoff.html",
        {"customer": customer, "site": site, "secret": secret, "redeem_url": redeem_url},
    )
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response


def _posted_site(value: str) -> Site | None:
    try:
        pk = int(value)
    except ValueError:  # "²" passes str.isdigit() but is no number
        return None
    return Site.objects.filter(pk=pk).first()


def _refused(request: HttpRequest, customer: Customer, message: str) -> HttpResponse:
    messages.error(request, message)
    return redirect("customers:detail", customer.pk)


def _redeem_url(request: HttpRequest, site: Site) -> str | None:
    """The redeem endpoint on the site's primary host, on the port this request came in on."""
    domains = sorted(site.domains.all(), key=lambda d: (not d.is_primary, d.pk))
    if not domains:
        return None
    domain = domains[0].domain
    _host, port = split_domain_port(request.get_host())
    path = reverse("tenant_switch:redeem", urlconf=settings.ROOT_URLCONF)
    return f"{request.scheme}://{domain}{':' + port if port else ''}{path}"

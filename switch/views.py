"""Switch to, over HTTP. On the network host a super admin starts it (`switch_to`); on the
customer's subsite host the grant is redeemed (`redeem`) and the admin switches back
(`back`)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from customers.models import Customer
from network.access import network_admin_required
from network.http import client_ip, host_url
from sites.models import Site
from switch.models import SwitchGrant
from switch.services import (
    SWITCHED_BACK,
    Impersonation,
    SwitchRefused,
    grant_lifetime,
    impersonation_end,
    impersonation_login,
    switch_redeem,
    switch_sites,
    switch_start,
)

# --- On the network host.

# How long after switching back the customer's page still says so.
SWITCHED_BACK_NOTICE = timedelta(minutes=2)


@network_admin_required
def switch_to(request: HttpRequest, pk: int) -> HttpResponse:
    """Switch to: issue a grant, then hand its secret to the subsite host in a POST body,
    so it never sits in a URL, a log line or a Referer. With `read_only=1` it is View as
    (read-only): the same, in a session that may change nothing."""
    if request.method != "POST":
        response = render(request, "switch/get.html", status=405)
        response["Allow"] = "POST"
        return response
    customer = get_object_or_404(Customer.objects.select_related("user"), pk=pk)
    if not settings.SWITCH_TO_ENABLED:
        return _refused(request, customer, _("Switch to is turned off on this network."))

    read_only = request.POST.get("read_only") == "1"
    chosen = request.POST.get("site", "")
    if chosen:
        site = _posted_site(chosen)
        if site is None:
            return _refused(request, customer, _("That site does not exist (any more)."))
    else:
        sites = switch_sites(customer)
        if not sites:
            no_site = _("%(name)s has no active site.") % {"name": customer.user.display_name}
            return _refused(request, customer, no_site)
        if len(sites) > 1:
            context = {"customer": customer, "sites": sites, "read_only": read_only}
            return render(request, "switch/pick_site.html", context)
        site = sites[0]

    redeem_url = _redeem_url(request, site)
    if redeem_url is None:
        no_domain = _("The site “%(title)s” has no domain.") % {"title": site.title}
        return _refused(request, customer, no_domain)
    try:
        secret = switch_start(
            admin=request.user,
            customer=customer,
            site=site,
            ip=client_ip(request),
            read_only=read_only,
        )
    except SwitchRefused as refusal:
        return _refused(request, customer, str(refusal))

    context = {
        "customer": customer,
        "site": site,
        "secret": secret,
        "redeem_url": redeem_url,
        "grant_lifetime": grant_lifetime(),
        "read_only": read_only,
    }
    response = render(request, "switch/handoff.html", context)
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response


@network_admin_required
def switched_back(request: HttpRequest, pk: int) -> HttpResponse:
    """Where switching back lands: the customer's page, with a word that this admin's
    Switch to session for that customer has ended (if it did, a moment ago)."""
    grant = (
        SwitchGrant.objects.filter(
            admin=request.user,
            customer_id=pk,
            ended_at__gte=timezone.now() - SWITCHED_BACK_NOTICE,
        )
        .select_related("customer__user", "site")
        .order_by("-ended_at")
        .first()
    )
    if grant is not None:
        names = {"name": grant.customer.user.display_name}
        if grant.site:
            names["title"] = grant.site.title
            back = _("Switched back: you are no longer acting as %(name)s on %(title)s.")
        else:
            back = _("Switched back: you are no longer acting as %(name)s.")
        messages.success(request, back % names)
    return redirect("customers:detail", pk)


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
    """The redeem endpoint on the site's primary host (any domain when none is primary)."""
    domains = sorted(site.domains.all(), key=lambda d: (not d.is_primary, d.pk))
    if not domains:
        return None
    path = reverse("tenant_switch:redeem", urlconf=settings.ROOT_URLCONF)
    return host_url(request, domains[0].domain, path)


# --- On the subsite host.


# The POST comes from the network host, another origin: no CSRF token can exist here yet.
# The single-use secret in the body is the proof.
@csrf_exempt
@never_cache
def redeem(request: HttpRequest) -> HttpResponse:
    site = request.tenant
    if request.method != "POST":
        return _unusable(
            request, _("Open Switch to from the customer's page in the network admin."), 405
        )
    secret = request.POST.get("secret", "")
    if not secret:
        return _unusable(request, _("This Switch to link is not valid."), 400)
    try:
        grant = switch_redeem(secret=secret, site=site)
    except SwitchRefused as refusal:
        return _unusable(request, str(refusal), 403)
    impersonation_login(request=request, grant=grant)
    return redirect("dashboard")


@require_POST
def back(request: HttpRequest) -> HttpResponse:
    impersonation = Impersonation.from_session(request.session)
    if impersonation is None:
        return redirect("home")
    impersonation_end(
        request=request,
        impersonation=impersonation,
        reason=SWITCHED_BACK,
        ip=client_ip(request),
    )
    # The subsite's session (and its messages) stays on the subsite's host, so the
    # network says "switched back" itself, from the grant it just saw end.
    path = reverse(
        "switch:ended", args=[impersonation.customer_id], urlconf=settings.PUBLIC_SCHEMA_URLCONF
    )
    return HttpResponseRedirect(host_url(request, settings.NETWORK_HOST, path))


def _unusable(request: HttpRequest, reason: str, status: int) -> HttpResponse:
    response = render(
        request,
        "switch/unusable.html",
        {"site": request.tenant, "reason": reason},
        status=status,
    )
    if status == 405:
        response["Allow"] = "POST"
    return response

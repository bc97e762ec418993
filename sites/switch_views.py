"""Switch to, on the subsite's own host: redeem a grant, and switch back."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.request import split_domain_port
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from customers.switch import (
    Impersonation,
    SwitchRefused,
    impersonation_end,
    impersonation_login,
    switch_redeem,
)
from network.http import client_ip


# The POST comes from the network host, another origin: no CSRF token can exist here yet.
# The single-use secret in the body is the proof.
@csrf_exempt
@never_cache
def redeem(request: HttpRequest) -> HttpResponse:
    site = request.tenant
    if request.method != "POST":
        return _unusable(
            request, "Open Switch to from the customer's page in the network admin.", 405
        )
    secret = request.POST.get("secret", "")
    if not secret:
        return _unusable(request, "This Switch to link is not valid.", 400)
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
        reason="Switched back by the admin.",
        ip=client_ip(request),
    )
    path = reverse(
        "customers:detail", args=[impersonation.customer_id], urlconf=settings.PUBLIC_SCHEMA_URLCONF
    )
    return HttpResponseRedirect(_network_url(request, path))


def _unusable(request: HttpRequest, reason: str, status: int) -> HttpResponse:
    response = render(
        request,
        "sites/switch_unusable.html",
        {"site": request.tenant, "reason": reason},
        status=status,
    )
    if status == 405:
        response["Allow"] = "POST"
    return response


def _network_url(request: HttpRequest, path: str) -> str:
    """A URL on the network host, on the port this request came in on."""
    _host, port = split_domain_port(request.get_host())
    return f"{request.scheme}://{settings.NETWORK_HOST}{':' + port if port else ''}{path}"

"""The network host's URLs plus three floor pages that exist only for the benchmark
(`bench.settings` for gunicorn, `override_settings` in-process): what a request costs
before a page does anything, so each page's time reads as a multiple of it."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from network.access import network_admin_required
from network.urls_public import urlpatterns as network_urlpatterns


def empty(request: HttpRequest) -> HttpResponse:
    """The whole middleware stack and nothing else."""
    return HttpResponse(b"")


@network_admin_required
def empty_signed_in(request: HttpRequest) -> HttpResponse:
    """The stack plus the session, the user and the network-admin permission check."""
    return HttpResponse(b"")


@network_admin_required
def base(request: HttpRequest) -> HttpResponse:
    """base.html with no content: the top bar, the menu and the messages every page has."""
    return render(request, "base.html")


FLOORS = [
    ("Floor: empty view, anonymous", "bench-floor-empty", "anonymous"),
    ("Floor: empty view, super admin", "bench-floor-signed-in", "admin"),
    ("Floor: base.html, super admin", "bench-floor-base", "admin"),
]

urlpatterns = [
    *network_urlpatterns,
    path("_bench/empty/", empty, name="bench-floor-empty"),
    path("_bench/signed-in/", empty_signed_in, name="bench-floor-signed-in"),
    path("_bench/base/", base, name="bench-floor-base"),
]

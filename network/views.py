from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from network.access import network_admin_required


@network_admin_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("customers:list")


def unknown_host(request: HttpRequest) -> HttpResponse:
    return render(request, "network/unknown_host.html", {"host": request.get_host()}, status=404)

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from network.access import network_admin_required
from sites.models import Site


@network_admin_required
def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_object_or_404(Site, pk=pk)
    return render(request, "sites/detail.html", {"object": obj})

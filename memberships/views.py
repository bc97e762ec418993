from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from memberships.models import Membership
from network.access import network_admin_required


@network_admin_required
def membership_detail(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_object_or_404(Membership, pk=pk)
    return render(request, "memberships/detail.html", {"object": obj})

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from network.access import network_admin_required
from payments.models import Payment


@network_admin_required
def payment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_object_or_404(Payment, pk=pk)
    return render(request, "payments/detail.html", {"object": obj})

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from customers.models import Customer
from network.access import network_admin_required


@network_admin_required
def customer_list(request: HttpRequest) -> HttpResponse:
    customers = Customer.objects.select_related("user").order_by("-id")[:25]
    return render(request, "customers/list.html", {"customers": customers})


@network_admin_required
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(Customer.objects.select_related("user"), pk=pk)
    return render(request, "customers/detail.html", {"customer": customer})

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from customers.models import Customer
from network.access import network_admin_required


@network_admin_required
def customer_delete(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(Customer.objects.select_related("user"), pk=pk)
    return render(request, "customers/delete_confirm.html", {"customer": customer})

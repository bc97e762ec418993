from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from network.access import network_admin_required


@network_admin_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("customers:list")


def unknown_host(request: HttpRequest) -> HttpResponse:
    return render(request, "network/unknown_host.html", {"host": request.get_host()}, status=404)


class LoginView(auth_views.LoginView):
    template_name = "network/login.html"
    redirect_authenticated_user = False

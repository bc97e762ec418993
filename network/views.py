from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from customers.login_capture import login_capture
from network.access import network_admin_required


@network_admin_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("customers:list")


def unknown_host(request: HttpRequest) -> HttpResponse:
    return render(request, "network/unknown_host.html", {"host": request.get_host()}, status=404)


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Username or email"


class LoginView(auth_views.LoginView):
    """The login form of the network host and of every subsite.

    A customer's login is recorded here, explicitly, and not in a user_logged_in
    receiver: Switch to logs an admin in as the customer with login() directly, and
    that must never count as the customer's own login."""

    template_name = "network/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = False

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        login_capture(self.request, form.get_user())
        return response

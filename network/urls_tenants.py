"""URLs of every subsite host (a tenant schema): the site's own small area."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from customers.views import LoginView
from siteadmin import views as siteadmin_views

urlpatterns = [
    path("", siteadmin_views.home, name="home"),
    path("dashboard/", siteadmin_views.dashboard, name="dashboard"),
    path("dashboard/", include("siteadmin.urls")),
    path("login/", LoginView.as_view(next_page="dashboard"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="home"), name="logout"),
    path("", include("customers.urls_password")),
    path("switch/", include("switch.urls_tenants")),
]

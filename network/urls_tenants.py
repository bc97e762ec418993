"""URLs of every subsite host (a tenant schema): the site's own small area."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from customers.views import LoginView
from sites import views as sites_views

urlpatterns = [
    path("", sites_views.tenant_home, name="home"),
    path("dashboard/", sites_views.tenant_dashboard, name="dashboard"),
    path("login/", LoginView.as_view(next_page="dashboard"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="home"), name="logout"),
    path("switch/", include("switch.urls_tenants")),
]

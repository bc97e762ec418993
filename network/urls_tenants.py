"""URLs of every subsite host (a tenant schema): the site's own small area."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from network import views as network_views
from sites import tenant_views

urlpatterns = [
    path("", tenant_views.home, name="home"),
    path("dashboard/", tenant_views.dashboard, name="dashboard"),
    path("login/", network_views.LoginView.as_view(next_page="dashboard"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="home"), name="logout"),
    path("switch/", include("sites.urls_switch")),
]

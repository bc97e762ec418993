"""URLs of the network host (the public schema): the network admin."""

from django.contrib import admin
from django.urls import include, path

from customers.views import LoginView, LogoutView, my_settings, verify_email
from network import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("settings/", my_settings, name="my_settings"),
    path("", include("customers.urls_password")),
    path("verify-email/<str:token>/", verify_email, name="verify_email"),
    path("admin/", admin.site.urls),
    path("customers/", include("customers.urls")),
    path("customers/", include("deletion.urls")),
    path("customers/", include("switch.urls")),
    path("memberships/", include("memberships.urls")),
    path("payments/", include("payments.urls")),
    path("sites/", include("sites.urls")),
    path("events/", include("events.urls")),
]

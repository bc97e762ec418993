"""Switch to on a subsite's host, under switch/."""

from django.urls import path

from switch import views

app_name = "tenant_switch"
urlpatterns = [
    path("redeem/", views.redeem, name="redeem"),
    path("back/", views.back, name="back"),
]

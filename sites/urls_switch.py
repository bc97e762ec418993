from django.urls import path  # noqa: F401

app_name = "tenant_switch"
urlpatterns: list = []

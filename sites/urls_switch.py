from django.urls import path

from sites import switch_views

app_name = "tenant_switch"
urlpatterns = [
    path("redeem/", switch_views.redeem, name="redeem"),
    path("back/", switch_views.back, name="back"),
]

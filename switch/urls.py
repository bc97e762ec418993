"""Switch to on the network host, under customers/."""

from django.urls import path

from switch import views

app_name = "switch"
urlpatterns = [
    path("<int:pk>/switch/", views.switch_to, name="start"),
    path("<int:pk>/switched-back/", views.switched_back, name="ended"),
]

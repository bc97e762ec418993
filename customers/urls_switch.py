from django.urls import path

from customers import views_switch

app_name = "switch"
urlpatterns = [
    path("<int:pk>/switch/", views_switch.switch_to, name="start"),
]

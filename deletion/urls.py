from django.urls import path

from deletion import views

app_name = "deletion"
urlpatterns = [
    path("<int:pk>/delete/", views.customer_delete, name="confirm"),
]

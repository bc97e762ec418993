from django.urls import path

from customers import views_delete

app_name = "deletion"
urlpatterns = [
    path("<int:pk>/delete/", views_delete.customer_delete, name="confirm"),
]

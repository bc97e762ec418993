from django.urls import path

from deletion import views

app_name = "deletion"
urlpatterns = [
    path("<int:pk>/delete/", views.customer_delete, name="confirm"),
    path("<int:pk>/deleted/", views.tombstone, name="tombstone"),
    path("bulk/delete/", views.bulk_confirm, name="bulk_confirm"),
    path("bulk/delete/confirmed/", views.bulk_delete, name="bulk_delete"),
]

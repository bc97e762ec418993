from django.urls import path

from customers import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("export.csv", views.customer_export, name="export"),
    path("add/", views.customer_add, name="add"),
    path("bulk/vip/", views.customer_bulk_vip, name="bulk_vip"),
    path("bulk/export.csv", views.customer_bulk_export, name="bulk_export"),
    path("runs/", views.run_list, name="runs"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("<int:pk>/notes/", views.note_add, name="note_add"),
    path("notes/<int:pk>/edit/", views.note_edit, name="note_edit"),
    path("notes/<int:pk>/delete/", views.note_delete, name="note_delete"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/options/", views.customer_options, name="options"),
    path("<int:pk>/billing/", views.customer_billing, name="billing"),
    path("<int:pk>/fields/", views.customer_fields, name="fields"),
    path(
        "<int:pk>/verification-email/",
        views.customer_verification_send,
        name="verification_send",
    ),
    path("<int:pk>/login-unlock/", views.customer_login_unlock, name="login_unlock"),
]

from django.urls import path

from customers import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("export.csv", views.customer_export, name="export"),
    path("add/", views.customer_add, name="add"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/options/", views.customer_options, name="options"),
    path("<int:pk>/billing/", views.customer_billing, name="billing"),
    path("<int:pk>/fields/", views.customer_fields, name="fields"),
    path("<int:pk>/login-unlock/", views.customer_login_unlock, name="login_unlock"),
]

from django.urls import path

from memberships import views

app_name = "memberships"
urlpatterns = [
    path("", views.membership_list, name="list"),
    path("export/", views.membership_export, name="export"),
    path("<int:pk>/", views.membership_detail, name="detail"),
    path("<int:pk>/status/", views.membership_status, name="status"),
    path("<int:pk>/reassign/", views.membership_reassign, name="reassign"),
    path("<int:pk>/plan/", views.membership_plan, name="plan"),
    path("<int:pk>/addons/", views.membership_addon_add, name="addon_add"),
    path(
        "<int:pk>/addons/<int:addon_pk>/quantity/",
        views.membership_addon_quantity,
        name="addon_quantity",
    ),
    path(
        "<int:pk>/addons/<int:addon_pk>/remove/",
        views.membership_addon_remove,
        name="addon_remove",
    ),
    path("<int:pk>/billing/", views.membership_billing, name="billing"),
    path("<int:pk>/dates/", views.membership_dates, name="dates"),
]

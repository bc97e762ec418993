from django.urls import path

from sites import views

app_name = "sites"
urlpatterns = [
    path("", views.site_list, name="list"),
    path("export/", views.site_export, name="export"),
    path("add/", views.site_add, name="add"),
    path("add/many/", views.site_add_many, name="add_many"),
    path("<int:pk>/", views.site_detail, name="detail"),
    path("<int:pk>/options/", views.site_update, name="update"),
    path("<int:pk>/active/", views.site_active, name="active"),
    path("<int:pk>/domains/", views.domain_add, name="domain_add"),
    path("<int:pk>/domains/<int:domain_pk>/primary/", views.domain_primary, name="domain_primary"),
    path("<int:pk>/domains/<int:domain_pk>/remove/", views.domain_remove, name="domain_remove"),
]

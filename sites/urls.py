from django.urls import path

from sites import views

app_name = "sites"
urlpatterns = [
    path("<int:pk>/", views.site_detail, name="detail"),
]

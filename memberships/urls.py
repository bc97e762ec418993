from django.urls import path

from memberships import views

app_name = "memberships"
urlpatterns = [
    path("<int:pk>/", views.membership_detail, name="detail"),
]

"""The site's own administration, on its host, under dashboard/."""

from django.urls import path

from siteadmin import views

app_name = "siteadmin"
urlpatterns = [
    path("account/", views.account, name="account"),
    path("account/save/", views.account_update, name="account_update"),
    path("account/password/", views.account_password, name="account_password"),
    path("account/language/", views.account_language, name="account_language"),
    path("billing/", views.billing, name="billing"),
    path("billing/save/", views.billing_update, name="billing_update"),
    path("billing/payments/<int:pk>/invoice/", views.invoice_issue, name="invoice_issue"),
    path("billing/payments/<int:pk>/invoice.pdf", views.invoice_pdf_view, name="invoice_pdf"),
    path("settings/", views.site_settings, name="settings"),
    path("domains/", views.domains, name="domains"),
    path("domains/request/", views.domain_request, name="domain_request"),
    path("team/", views.team, name="team"),
    path("team/invite/", views.team_invite, name="team_invite"),
    path("team/<int:pk>/remove/", views.team_remove, name="team_remove"),
    path("team/join/<str:uidb64>/<str:token>/", views.team_join, name="join"),
]

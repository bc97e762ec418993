from django.urls import path

from payments import views

app_name = "payments"
urlpatterns = [
    path("", views.payment_list, name="list"),
    path("export/", views.payment_export, name="export"),
    path("<int:pk>/", views.payment_detail, name="detail"),
    path("<int:pk>/status/", views.payment_status, name="status"),
    path("<int:pk>/details/", views.payment_update, name="update"),
    path("<int:pk>/refund/", views.payment_refund, name="refund"),
    path("<int:pk>/invoice/", views.payment_invoice, name="invoice"),
    path("<int:pk>/invoice.pdf", views.payment_invoice_pdf, name="invoice_pdf"),
    path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
]

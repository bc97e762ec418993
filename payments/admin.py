from django.contrib import admin

from payments.models import Payment, PaymentLineItem


class PaymentLineItemInline(admin.TabularInline):
    model = PaymentLineItem
    raw_id_fields = ["product"]
    extra = 0


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "customer",
        "status",
        "total",
        "refunded_total",
        "currency",
        "gateway",
        "created_at",
    ]
    list_filter = ["status", "gateway", "currency"]
    search_fields = ["=id", "gateway_payment_id", "customer__user__email", "=invoice_number"]
    raw_id_fields = ["customer", "membership"]
    list_select_related = ["customer__user"]
    inlines = [PaymentLineItemInline]
    show_full_result_count = False


@admin.register(PaymentLineItem)
class PaymentLineItemAdmin(admin.ModelAdmin):
    list_display = ["payment", "description", "quantity", "unit_price", "total"]
    search_fields = ["description"]
    raw_id_fields = ["payment", "product"]

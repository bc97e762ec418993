from django.contrib import admin

from payments.models import InvoiceCounter, Payment, PaymentLineItem, Refund, StripeEvent


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


@admin.register(Refund)
class RefundAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "payment",
        "amount",
        "status",
        "gateway",
        "gateway_refund_id",
        "created_at",
    ]
    list_filter = ["status", "gateway"]
    search_fields = ["=id", "gateway_refund_id", "=key", "payment__gateway_payment_id"]
    raw_id_fields = ["payment", "created_by"]
    list_select_related = ["payment"]
    readonly_fields = ["key"]
    show_full_result_count = False


@admin.register(InvoiceCounter)
class InvoiceCounterAdmin(admin.ModelAdmin):
    list_display = ["id", "last_number"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    list_display = ["event_id", "type", "livemode", "received_at"]
    list_filter = ["type", "livemode"]
    search_fields = ["=event_id"]
    show_full_result_count = False

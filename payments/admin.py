from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext as _

from network.admin import CheckedLookupsMixin, ViewOnlyMixin
from payments.models import InvoiceCounter, Payment, PaymentLineItem, Refund, StripeEvent

# Set only by refunds (payments.services), never by hand.
REFUND_STATUSES = {Payment.Status.REFUNDED, Payment.Status.PARTIALLY_REFUNDED}


class PaymentLineItemInline(admin.TabularInline):
    model = PaymentLineItem
    raw_id_fields = ["product"]
    extra = 0


class PaymentForm(forms.ModelForm):
    """The rules of payments.services that a raw edit could break, as form errors."""

    class Meta:
        model = Payment
        fields = [
            "customer",
            "membership",
            "status",
            "gateway",
            "gateway_payment_id",
            "currency",
            "subtotal",
            "discount_total",
            "tax_total",
            "total",
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        payment = self.instance
        status, total = cleaned.get("status"), cleaned.get("total")
        if status is not None and status != payment.status:
            if status in REFUND_STATUSES:
                self.add_error("status", _("Use Refund on the payment page to refund a payment."))
            elif payment.refunded_total > 0:
                self.add_error("status", _("This payment has refunds, so its status follows them."))
        if total is not None and total < payment.refunded_total:
            self.add_error(
                "total",
                _("%(amount)s of it is refunded already.") % {"amount": payment.refunded_total},
            )
        customer = cleaned.get("customer") or payment.customer
        membership = cleaned.get("membership")
        if membership is not None and membership.customer_id != customer.pk:
            self.add_error(
                "membership",
                _("%(membership)s belongs to another customer.") % {"membership": membership},
            )
        return cleaned


@admin.register(Payment)
class PaymentAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    """Never deleted on its own: invoice numbers stay gap-free, and the refunded total
    follows the refunds. A payment changes customer only with its membership or its
    customer (reassignment)."""

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
    form = PaymentForm

    def get_readonly_fields(self, request: HttpRequest, obj: Payment | None = None):
        numbered = ["invoice_number", "invoice_issued_at", "refunded_total"]
        return numbered if obj is None else ["customer", "currency", *numbered]

    def has_delete_permission(self, request: HttpRequest, obj: Payment | None = None) -> bool:
        return False


@admin.register(PaymentLineItem)
class PaymentLineItemAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["payment", "description", "quantity", "unit_price", "total"]
    search_fields = ["description"]
    raw_id_fields = ["payment", "product"]


@admin.register(Refund)
class RefundAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    """Made only by Refund on the payment page (its amount is the payment's refunded
    total's share, its status follows the gateway); only its words can be fixed here."""

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
    readonly_fields = [
        "payment",
        "key",
        "amount",
        "status",
        "cancel_membership",
        "gateway",
        "gateway_refund_id",
        "created_by",
    ]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Refund | None = None) -> bool:
        return False


@admin.register(InvoiceCounter)
class InvoiceCounterAdmin(ViewOnlyMixin, CheckedLookupsMixin, admin.ModelAdmin):
    """The last invoice number issued: changing it would skip or repeat numbers."""

    list_display = ["id", "last_number"]


@admin.register(StripeEvent)
class StripeEventAdmin(ViewOnlyMixin, CheckedLookupsMixin, admin.ModelAdmin):
    """The Stripe events handled: deleting one would let a redelivery apply it twice."""

    list_display = ["event_id", "type", "livemode", "received_at"]
    list_filter = ["type", "livemode"]
    search_fields = ["=event_id"]
    show_full_result_count = False

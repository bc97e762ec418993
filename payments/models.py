from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from memberships.models import Gateway

ZERO = Decimal("0.00")


class PaymentQuerySet(models.QuerySet):
    def grossing(self) -> PaymentQuerySet:
        """Payments whose money we kept, at least in part."""
        return self.filter(status__in=[Payment.Status.COMPLETED, Payment.Status.PARTIALLY_REFUNDED])

    def for_admin_page(self) -> PaymentQuerySet:
        return self.select_related("customer__user", "membership__plan")

    def for_list(self) -> PaymentQuerySet:
        """A row of the payments list: the payment and its customer's name, in the page's
        one query."""
        return self.select_related("customer__user").only(
            *LIST_FIELDS,
            "customer__user__first_name",
            "customer__user__last_name",
            "customer__user__username",
            "customer__user__email",
        )

    def with_refunds(self) -> PaymentQuerySet:
        return self.filter(refunded_total__gt=0)


LIST_FIELDS = (
    "id",
    "customer_id",
    "membership_id",
    "status",
    "gateway",
    "currency",
    "total",
    "refunded_total",
    "invoice_number",
    "created_at",
)


class Payment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("payment status", "Pending")
        COMPLETED = "completed", pgettext_lazy("payment status", "Completed")
        REFUNDED = "refunded", pgettext_lazy("payment status", "Refunded")
        PARTIALLY_REFUNDED = (
            "partially-refunded",
            pgettext_lazy("payment status", "Partially refunded"),
        )
        FAILED = "failed", pgettext_lazy("payment status", "Failed")
        CANCELLED = "cancelled", pgettext_lazy("payment status", "Cancelled")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="payments"
    )
    membership = models.ForeignKey(
        "memberships.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="payments",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    gateway = models.CharField(max_length=10, choices=Gateway.choices, default=Gateway.MANUAL)
    gateway_payment_id = models.CharField(max_length=100, blank=True, db_index=True)
    currency = models.CharField(max_length=3, default="USD")
    subtotal = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    discount_total = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    tax_total = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    total = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    refunded_total = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    invoice_number = models.PositiveIntegerField(null=True, blank=True, unique=True)
    invoice_issued_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="payment_customer"),
            models.Index(fields=["membership", "-created_at"], name="payment_membership"),
            models.Index(fields=["status"], name="payment_status"),
            # The network-wide list: its sorts and the filters that are not the status.
            models.Index(fields=["-created_at", "-id"], name="payment_created"),
            models.Index(fields=["-total", "-id"], name="payment_total"),
            models.Index(fields=["gateway"], name="payment_gateway"),
            models.Index(fields=["currency"], name="payment_currency"),
            models.Index(
                fields=["-created_at", "-id"],
                condition=models.Q(refunded_total__gt=0),
                name="payment_refunded",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(refunded_total__lte=models.F("total")),
                name="payment_refund_within_total",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("payments:detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"PAY-{self.pk:06d}"

    @property
    def refundable_amount(self) -> Decimal:
        return self.total - self.refunded_total

    @property
    def invoice_reference(self) -> str:
        return f"INV-{self.invoice_number:06d}" if self.invoice_number else ""

    @property
    def can_be_refunded(self) -> bool:
        return self.status in REFUNDABLE_STATUSES and self.refundable_amount > 0

    @property
    def can_have_invoice(self) -> bool:
        return self.status in INVOICEABLE_STATUSES or self.invoice_number is not None


REFUNDABLE_STATUSES = {Payment.Status.COMPLETED, Payment.Status.PARTIALLY_REFUNDED}
# Invoices are numbered without gaps, so only money actually received gets one.
INVOICEABLE_STATUSES = REFUNDABLE_STATUSES | {Payment.Status.REFUNDED}


class PaymentLineItem(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="line_items")
    product = models.ForeignKey(
        "memberships.Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    description = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField(default=1)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    total = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)

    def __str__(self) -> str:
        return self.description


class Refund(models.Model):
    """Our record of one refund, written before the gateway is asked, so that its key can
    make the gateway call idempotent and a double submit find the first attempt."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("refund status", "Pending")
        SUCCEEDED = "succeeded", pgettext_lazy("refund status", "Succeeded")
        FAILED = "failed", pgettext_lazy("refund status", "Failed")

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="refunds")
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(max_length=500, blank=True)
    cancel_membership = models.BooleanField(default=False)
    gateway = models.CharField(max_length=10, choices=Gateway.choices)
    gateway_refund_id = models.CharField(max_length=100, blank=True, db_index=True)
    failure_message = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the refund was made outside the product (e.g. in Stripe)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["payment", "-created_at"], name="refund_payment")]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_positive"),
        ]

    def __str__(self) -> str:
        return gettext("Refund of %(amount)s %(currency)s on %(payment)s") % {
            "amount": self.amount,
            "currency": self.payment.currency,
            "payment": self.payment,
        }

    @property
    def idempotency_key(self) -> str:
        return f"network-refund-{self.key}"


class InvoiceCounter(models.Model):
    """One row: the last invoice number issued. Locked while a number is taken, so numbers
    are sequential and a rolled-back transaction gives its number back."""

    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return gettext("Last invoice number: %(number)s") % {"number": self.last_number}


class StripeEvent(models.Model):
    """A Stripe webhook event we have handled; the unique id turns redeliveries into no-ops."""

    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=100)
    livemode = models.BooleanField(default=False)
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"

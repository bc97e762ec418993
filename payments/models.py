from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.urls import reverse

from memberships.models import Gateway

ZERO = Decimal("0.00")


class PaymentQuerySet(models.QuerySet):
    def grossing(self) -> PaymentQuerySet:
        """Payments whose money we kept, at least in part."""
        return self.filter(status__in=[Payment.Status.COMPLETED, Payment.Status.PARTIALLY_REFUNDED])


class Payment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        COMPLETED = "completed", "Completed"
        REFUNDED = "refunded", "Refunded"
        PARTIALLY_REFUNDED = "partially-refunded", "Partially refunded"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

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

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import models
from django.urls import reverse
from django.utils import timezone


class Gateway(models.TextChoices):
    MANUAL = "manual", "Manual"
    STRIPE = "stripe", "Stripe"
    FREE = "free", "Free"


class BillingPeriod(models.TextChoices):
    DAY = "day", "Day"
    WEEK = "week", "Week"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


class Product(models.Model):
    class Kind(models.TextChoices):
        PLAN = "plan", "Plan"
        PACKAGE = "package", "Package"
        SERVICE = "service", "Service"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PLAN)
    price = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    currency = models.CharField(max_length=3, default="USD")
    billing_interval = models.PositiveSmallIntegerField(default=1)
    billing_period = models.CharField(
        max_length=5, choices=BillingPeriod.choices, default=BillingPeriod.MONTH
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(models.QuerySet):
    def for_admin_page(self) -> MembershipQuerySet:
        return self.select_related("customer__user", "plan")

    def for_list(self) -> MembershipQuerySet:
        """A row of the memberships list: the membership, its plan and its customer's
        name, in the page's one query."""
        return self.select_related("customer__user", "plan").only(
            *LIST_FIELDS,
            "plan__name",
            "customer__user__first_name",
            "customer__user__last_name",
            "customer__user__username",
            "customer__user__email",
        )

    def expiring_within(self, *, days: int) -> MembershipQuerySet:
        now = timezone.now()
        return self.filter(date_expiration__gte=now, date_expiration__lt=now + timedelta(days=days))


LIST_FIELDS = (
    "id",
    "customer_id",
    "plan_id",
    "status",
    "currency",
    "amount",
    "recurring",
    "billing_interval",
    "billing_period",
    "gateway",
    "date_expiration",
    "created_at",
)


class Membership(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACTIVE = "active", "Active"
        TRIALING = "trialing", "Trialing"
        ON_HOLD = "on-hold", "On hold"
        EXPIRED = "expired", "Expired"
        CANCELLED = "cancelled", "Cancelled"

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="memberships"
    )
    plan = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    addons = models.ManyToManyField(
        Product, through="MembershipAddon", related_name="addon_memberships", blank=True
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    currency = models.CharField(max_length=3, default="USD")
    initial_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    amount = models.DecimalField(
        "recurring amount", max_digits=12, decimal_places=2, default=Decimal("0")
    )
    recurring = models.BooleanField(default=True)
    billing_interval = models.PositiveSmallIntegerField(default=1)
    billing_period = models.CharField(
        max_length=5, choices=BillingPeriod.choices, default=BillingPeriod.MONTH
    )
    billing_cycles = models.PositiveIntegerField(
        null=True, blank=True, help_text="Empty for unlimited."
    )
    times_billed = models.PositiveIntegerField(default=0)
    auto_renew = models.BooleanField(default=True)
    gateway = models.CharField(max_length=10, choices=Gateway.choices, default=Gateway.MANUAL)
    gateway_customer_id = models.CharField(max_length=100, blank=True)
    gateway_subscription_id = models.CharField(max_length=100, blank=True)
    date_activated = models.DateTimeField(null=True, blank=True)
    date_trial_end = models.DateTimeField(null=True, blank=True)
    date_renewed = models.DateTimeField(null=True, blank=True)
    date_cancelled = models.DateTimeField(null=True, blank=True)
    date_expiration = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="membership_customer"),
            models.Index(fields=["status"], name="membership_status"),
            # The network-wide list: its sorts and the filters that are not the status.
            models.Index(fields=["-created_at", "-id"], name="membership_created"),
            models.Index(fields=["date_expiration", "id"], name="membership_expiration"),
            models.Index(fields=["plan", "-created_at"], name="membership_plan"),
            models.Index(fields=["gateway"], name="membership_gateway"),
            models.Index(fields=["currency"], name="membership_currency"),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("memberships:detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"MEM-{self.pk:06d}"

    @property
    def billing_cycle(self) -> str:
        unit = self.get_billing_period_display().lower()
        every = (
            f"every {unit}"
            if self.billing_interval == 1
            else f"every {self.billing_interval} {unit}s"
        )
        return every if self.recurring else "one-off"


class MembershipAddon(models.Model):
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="addon_rows")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["membership", "product"], name="addon_once"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product}"

    @property
    def line_total(self) -> Decimal:
        return self.product.price * self.quantity

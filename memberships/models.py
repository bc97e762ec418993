from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, npgettext, pgettext_lazy


class Gateway(models.TextChoices):
    MANUAL = "manual", _("Manual")
    STRIPE = "stripe", "Stripe"
    FREE = "free", _("Free")


class BillingPeriod(models.TextChoices):
    DAY = "day", _("Day")
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


# One whole phrase per period and number, for the languages whose words change with both.
EVERY = {
    BillingPeriod.DAY: lambda n: ngettext("every day", "every %(count)s days", n),
    BillingPeriod.WEEK: lambda n: ngettext("every week", "every %(count)s weeks", n),
    BillingPeriod.MONTH: lambda n: ngettext("every month", "every %(count)s months", n),
    BillingPeriod.YEAR: lambda n: ngettext("every year", "every %(count)s years", n),
}
PER = {
    BillingPeriod.DAY: lambda n: npgettext("price per", "day", "%(count)s days", n),
    BillingPeriod.WEEK: lambda n: npgettext("price per", "week", "%(count)s weeks", n),
    BillingPeriod.MONTH: lambda n: npgettext("price per", "month", "%(count)s months", n),
    BillingPeriod.YEAR: lambda n: npgettext("price per", "year", "%(count)s years", n),
}


class Product(models.Model):
    class Kind(models.TextChoices):
        PLAN = "plan", _("Plan")
        PACKAGE = "package", _("Package")
        SERVICE = "service", _("Service")

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
        PENDING = "pending", pgettext_lazy("membership status", "Pending")
        ACTIVE = "active", pgettext_lazy("membership status", "Active")
        TRIALING = "trialing", pgettext_lazy("membership status", "Trialing")
        ON_HOLD = "on-hold", pgettext_lazy("membership status", "On hold")
        EXPIRED = "expired", pgettext_lazy("membership status", "Expired")
        CANCELLED = "cancelled", pgettext_lazy("membership status", "Cancelled")

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
        _("recurring amount"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    recurring = models.BooleanField(default=True)
    billing_interval = models.PositiveSmallIntegerField(default=1)
    billing_period = models.CharField(
        max_length=5, choices=BillingPeriod.choices, default=BillingPeriod.MONTH
    )
    billing_cycles = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Empty for unlimited.")
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
        """ "every month", "every 3 months", or "one-off"."""
        if not self.recurring:
            return str(_("one-off"))
        every = EVERY.get(self.billing_period, EVERY[BillingPeriod.MONTH])
        return every(self.billing_interval) % {"count": self.billing_interval}

    @property
    def per_period(self) -> str:
        """The price's period after a slash: "month", "3 months"."""
        per = PER.get(self.billing_period, PER[BillingPeriod.MONTH])
        return per(self.billing_interval) % {"count": self.billing_interval}


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

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from customers.models import Customer
from memberships.forms import MembershipChoiceField
from memberships.models import Gateway, Membership
from network.lists import ListFilters, reference_number
from payments.models import Payment


class PaymentStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Payment.Status.choices)


class PaymentDetailsForm(forms.Form):
    membership = MembershipChoiceField(
        label=_("Membership"),
        queryset=Membership.objects.none(),
        required=False,
        empty_label=_("No membership"),
    )
    gateway = forms.ChoiceField(label=_("Gateway"), choices=Gateway.choices)
    gateway_payment_id = forms.CharField(
        label=_("Gateway payment ID"),
        max_length=100,
        required=False,
        help_text=_("Stripe: the charge (ch_…) or payment intent (pi_…)."),
    )

    def __init__(self, *args, payment: Payment, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the payment's own customer's memberships: a payment never pays for
        # someone else's membership.
        self.fields["membership"].queryset = (
            Membership.objects.filter(customer_id=payment.customer_id)
            .select_related("plan")
            .order_by("-created_at", "-id")
        )


class RefundForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount"), max_digits=12, decimal_places=2, min_value=Decimal("0.01"), help_text=""
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)
    cancel_membership = forms.BooleanField(label=_("Cancel the membership too"), required=False)
    key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, payment: Payment, **kwargs):
        super().__init__(*args, **kwargs)
        membership = payment.membership
        if membership is None or membership.status == Membership.Status.CANCELLED:
            del self.fields["cancel_membership"]


# Each ordering has an index that matches it column for column (see the migration).
PAYMENT_SORTS: dict[str, tuple[str, tuple]] = {
    "newest": (_("Newest first"), ("-created_at", "-id")),
    "oldest": (_("Oldest first"), ("created_at", "id")),
    "largest": (_("Largest total first"), ("-total", "-id")),
    "-id": (_("Reference (highest first)"), ("-id",)),
    "id": (_("Reference (lowest first)"), ("id",)),
}


class PaymentListFilters(ListFilters):
    """The payments list's state, all of it from the query string."""

    SORTS = PAYMENT_SORTS
    DEFAULT_SORT = "newest"
    FILTERS = ("status", "gateway", "currency", "since", "until", "refunds", "customer")

    status = forms.ChoiceField(
        required=False, choices=[("", _("Any status")), *Payment.Status.choices]
    )
    gateway = forms.ChoiceField(required=False, choices=[("", _("Any gateway")), *Gateway.choices])
    currency = forms.RegexField(required=False, regex=r"^[A-Za-z]{3}$")
    since = forms.DateField(
        required=False,
        label=pgettext_lazy("date", "From"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = forms.DateField(
        required=False,
        label=pgettext_lazy("date", "To"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    refunds = forms.BooleanField(required=False, label=_("Has refunds"))
    customer = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].upper()

    def payments(self) -> QuerySet[Payment]:
        payments = Payment.objects.all()
        term = self.value("q")
        if term:
            number = reference_number(term, "PAY")
            if number is not None:
                payments = payments.filter(pk=number)
            else:
                payments = payments.filter(customer__in=Customer.objects.search(term).values("pk"))
        for name, lookup in (
            ("status", "status"),
            ("gateway", "gateway"),
            ("currency", "currency"),
            ("customer", "customer_id"),
        ):
            if self.value(name):
                payments = payments.filter(**{lookup: self.value(name)})
        if self.value("since"):
            payments = payments.filter(created_at__gte=day_start(self.value("since")))
        if self.value("until"):
            next_day = self.value("until") + timedelta(days=1)
            payments = payments.filter(created_at__lt=day_start(next_day))
        if self.value("refunds"):
            payments = payments.with_refunds()
        return payments.order_by(*self.ordering())


def day_start(day: date) -> datetime:
    """Midnight at the start of `day`, in the admin's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))

from __future__ import annotations

from decimal import Decimal

from django import forms

from memberships.forms import MembershipChoiceField
from memberships.models import Gateway, Membership
from payments.models import Payment


class PaymentStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Payment.Status.choices)


class PaymentDetailsForm(forms.Form):
    membership = MembershipChoiceField(
        queryset=Membership.objects.none(), required=False, empty_label="No membership"
    )
    gateway = forms.ChoiceField(choices=Gateway.choices)
    gateway_payment_id = forms.CharField(
        label="Gateway payment ID",
        max_length=100,
        required=False,
        help_text="Stripe: the charge (ch_…) or payment intent (pi_…).",
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
        max_digits=12, decimal_places=2, min_value=Decimal("0.01"), help_text=""
    )
    reason = forms.CharField(max_length=500, required=False)
    cancel_membership = forms.BooleanField(label="Cancel the membership too", required=False)
    key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, payment: Payment, **kwargs):
        super().__init__(*args, **kwargs)
        membership = payment.membership
        if membership is None or membership.status == Membership.Status.CANCELLED:
            del self.fields["cancel_membership"]

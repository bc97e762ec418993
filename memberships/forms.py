from __future__ import annotations

from django import forms
from django.db.models import Q

from customers.models import Customer
from memberships.models import BillingPeriod, Gateway, Membership, Product
from network.forms import DateTimeLocalInput

MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": 0}


def initial_from(membership: Membership, form_class: type[forms.Form]) -> dict:
    return {name: getattr(membership, name) for name in form_class.base_fields}


class MembershipChoiceField(forms.ModelChoiceField):
    """Picks one of a customer's memberships (the queryset is set per form)."""

    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.reference} · {obj.plan} · {obj.get_status_display()}"


class MembershipStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Membership.Status.choices)


class MembershipReassignForm(forms.Form):
    error_anchors = {"customer": "customer-q"}  # the error summary links to the search
    customer = forms.IntegerField(label="Customer ID", min_value=1)

    def clean_customer(self) -> Customer:
        pk = self.cleaned_data["customer"]
        customer = Customer.objects.select_related("user").filter(pk=pk).first()
        if customer is None:
            raise forms.ValidationError(f"There is no customer with ID {pk}.")
        return customer


class MembershipPlanForm(forms.Form):
    plan = forms.ModelChoiceField(queryset=Product.objects.none(), empty_label="Choose a plan…")

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = Product.objects.filter(
            Q(active=True) | Q(pk=membership.plan_id), kind=Product.Kind.PLAN
        ).order_by("name")


class MembershipAddonForm(forms.Form):
    product = forms.ModelChoiceField(
        queryset=Product.objects.filter(active=True)
        .exclude(kind=Product.Kind.PLAN)
        .order_by("name"),
        empty_label="Choose a product…",
    )
    quantity = forms.IntegerField(min_value=1, max_value=9999, initial=1)


class AddonQuantityForm(forms.Form):
    error_anchors = {"quantity": "addon-quantity"}  # the input of the row being edited
    quantity = forms.IntegerField(min_value=1, max_value=9999)


class MembershipBillingForm(forms.Form):
    initial_amount = forms.DecimalField(**MONEY)
    amount = forms.DecimalField(label="Recurring amount", **MONEY)
    recurring = forms.BooleanField(required=False)
    billing_interval = forms.IntegerField(label="Every", min_value=1, max_value=365)
    billing_period = forms.ChoiceField(label="Period", choices=BillingPeriod.choices)
    billing_cycles = forms.IntegerField(
        min_value=1, max_value=10_000, required=False, help_text="Empty for unlimited."
    )
    auto_renew = forms.BooleanField(required=False)
    gateway = forms.ChoiceField(choices=Gateway.choices)
    gateway_customer_id = forms.CharField(
        label="Gateway customer ID", max_length=100, required=False
    )
    gateway_subscription_id = forms.CharField(
        label="Gateway subscription ID", max_length=100, required=False
    )


class MembershipDatesForm(forms.Form):
    date_activated = forms.DateTimeField(
        label="Activated", required=False, widget=DateTimeLocalInput
    )
    date_trial_end = forms.DateTimeField(
        label="Trial ends", required=False, widget=DateTimeLocalInput
    )
    date_renewed = forms.DateTimeField(label="Renewed", required=False, widget=DateTimeLocalInput)
    date_cancelled = forms.DateTimeField(
        label="Cancelled", required=False, widget=DateTimeLocalInput
    )
    date_expiration = forms.DateTimeField(
        label="Expires", required=False, widget=DateTimeLocalInput
    )

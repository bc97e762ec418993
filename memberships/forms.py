from __future__ import annotations

from django import forms
from django.db.models import F, Q, QuerySet

from customers.models import Customer
from memberships.models import BillingPeriod, Gateway, Membership, Product
from network.forms import DateTimeLocalInput
from network.lists import ListFilters, reference_number

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


def _not_offered(membership: Membership, what: str) -> str:
    return (
        f"Pick one of the listed {what}: the active ones priced in {membership.currency}, "
        "this membership's currency."
    )


class MembershipPlanForm(forms.Form):
    plan = forms.ModelChoiceField(queryset=Product.objects.none(), empty_label="Choose a plan…")

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        # Only products in the membership's currency: the others would be refused.
        self.fields["plan"].error_messages["invalid_choice"] = _not_offered(membership, "plans")
        self.fields["plan"].queryset = Product.objects.filter(
            Q(active=True, currency=membership.currency) | Q(pk=membership.plan_id),
            kind=Product.Kind.PLAN,
        ).order_by("name")


class MembershipAddonForm(forms.Form):
    product = forms.ModelChoiceField(
        queryset=Product.objects.none(), empty_label="Choose a product…"
    )
    quantity = forms.IntegerField(min_value=1, max_value=9999, initial=1)

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].error_messages["invalid_choice"] = _not_offered(
            membership, "add-ons (a plan is never an add-on)"
        )
        self.fields["product"].queryset = (
            Product.objects.filter(active=True, currency=membership.currency)
            .exclude(kind=Product.Kind.PLAN)
            .order_by("name")
        )


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


EXPIRING_WITHIN = [(7, "7 days"), (30, "30 days"), (90, "90 days")]
# Each ordering has an index that matches it column for column (see the migration).
MEMBERSHIP_SORTS: dict[str, tuple[str, tuple]] = {
    "newest": ("Newest first", ("-created_at", "-id")),
    "oldest": ("Oldest first", ("created_at", "id")),
    "expiring": ("Expiring soonest", (F("date_expiration").asc(nulls_last=True), "id")),
    "-id": ("Reference (highest first)", ("-id",)),
    "id": ("Reference (lowest first)", ("id",)),
}


class MembershipListFilters(ListFilters):
    """The memberships list's state, all of it from the query string."""

    SORTS = MEMBERSHIP_SORTS
    DEFAULT_SORT = "newest"
    FILTERS = ("status", "product", "gateway", "currency", "expiring", "customer")

    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *Membership.Status.choices]
    )
    product = forms.IntegerField(required=False, min_value=1)
    gateway = forms.ChoiceField(required=False, choices=[("", "Any gateway"), *Gateway.choices])
    currency = forms.RegexField(required=False, regex=r"^[A-Za-z]{3}$")
    expiring = forms.TypedChoiceField(
        required=False, choices=[("", "Any expiry"), *EXPIRING_WITHIN], coerce=int, empty_value=None
    )
    customer = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].upper()

    def memberships(self) -> QuerySet[Membership]:
        memberships = Membership.objects.all()
        term = self.value("q")
        if term:
            number = reference_number(term, "MEM")
            if number is not None:
                memberships = memberships.filter(pk=number)
            else:
                memberships = memberships.filter(
                    customer__in=Customer.objects.search(term).values("pk")
                )
        for name, lookup in (
            ("status", "status"),
            ("product", "plan_id"),
            ("gateway", "gateway"),
            ("currency", "currency"),
            ("customer", "customer_id"),
        ):
            if self.value(name):
                memberships = memberships.filter(**{lookup: self.value(name)})
        if self.value("expiring"):
            memberships = memberships.expiring_within(days=self.value("expiring"))
        return memberships.order_by(*self.ordering())

from __future__ import annotations

from django import forms
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

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
    status = forms.ChoiceField(label=_("Status"), choices=Membership.Status.choices)


class MembershipReassignForm(forms.Form):
    error_anchors = {"customer": "customer-q"}  # the error summary links to the search
    customer = forms.IntegerField(label=_("Customer ID"), min_value=1)

    def clean_customer(self) -> Customer:
        pk = self.cleaned_data["customer"]
        customer = Customer.objects.select_related("user").filter(pk=pk).first()
        if customer is None:
            raise forms.ValidationError(
                gettext("There is no customer with ID %(id)s.") % {"id": pk}
            )
        return customer


def _plans_not_offered(membership: Membership) -> str:
    return gettext(
        "Pick one of the listed plans: the active ones priced in %(currency)s, this "
        "membership's currency."
    ) % {"currency": membership.currency}


def _addons_not_offered(membership: Membership) -> str:
    return gettext(
        "Pick one of the listed add-ons (a plan is never an add-on): the active ones priced "
        "in %(currency)s, this membership's currency."
    ) % {"currency": membership.currency}


class MembershipPlanForm(forms.Form):
    plan = forms.ModelChoiceField(
        label=_("Plan"), queryset=Product.objects.none(), empty_label=_("Choose a plan…")
    )

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        # Only products in the membership's currency: the others would be refused.
        self.fields["plan"].error_messages["invalid_choice"] = _plans_not_offered(membership)
        self.fields["plan"].queryset = Product.objects.filter(
            Q(active=True, currency=membership.currency) | Q(pk=membership.plan_id),
            kind=Product.Kind.PLAN,
        ).order_by("name")


class MembershipAddonForm(forms.Form):
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.none(), empty_label=_("Choose a product…")
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=9999, initial=1)

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].error_messages["invalid_choice"] = _addons_not_offered(membership)
        self.fields["product"].queryset = (
            Product.objects.filter(active=True, currency=membership.currency)
            .exclude(kind=Product.Kind.PLAN)
            .order_by("name")
        )


class AddonQuantityForm(forms.Form):
    error_anchors = {"quantity": "addon-quantity"}  # the input of the row being edited
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=9999)


class MembershipBillingForm(forms.Form):
    initial_amount = forms.DecimalField(label=_("Initial amount"), **MONEY)
    amount = forms.DecimalField(label=_("Recurring amount"), **MONEY)
    recurring = forms.BooleanField(label=_("Recurring"), required=False)
    billing_interval = forms.IntegerField(label=_("Every"), min_value=1, max_value=365)
    billing_period = forms.ChoiceField(label=_("Period"), choices=BillingPeriod.choices)
    billing_cycles = forms.IntegerField(
        label=_("Billing cycles"),
        min_value=1,
        max_value=10_000,
        required=False,
        help_text=_("Empty for unlimited."),
    )
    auto_renew = forms.BooleanField(label=_("Auto renew"), required=False)
    gateway = forms.ChoiceField(label=_("Gateway"), choices=Gateway.choices)
    gateway_customer_id = forms.CharField(
        label=_("Gateway customer ID"), max_length=100, required=False
    )
    gateway_subscription_id = forms.CharField(
        label=_("Gateway subscription ID"), max_length=100, required=False
    )


class MembershipDatesForm(forms.Form):
    date_activated = forms.DateTimeField(
        label=_("Activated"), required=False, widget=DateTimeLocalInput
    )
    date_trial_end = forms.DateTimeField(
        label=_("Trial ends"), required=False, widget=DateTimeLocalInput
    )
    date_renewed = forms.DateTimeField(
        label=_("Renewed"), required=False, widget=DateTimeLocalInput
    )
    date_cancelled = forms.DateTimeField(
        label=pgettext_lazy("date", "Cancelled"), required=False, widget=DateTimeLocalInput
    )
    date_expiration = forms.DateTimeField(
        label=_("Expires"), required=False, widget=DateTimeLocalInput
    )


EXPIRING_WITHIN = [
    (7, _("Expiring within 7 days")),
    (30, _("Expiring within 30 days")),
    (90, _("Expiring within 90 days")),
]
# Each ordering has an index that matches it column for column (see the migration).
MEMBERSHIP_SORTS: dict[str, tuple[str, tuple]] = {
    "newest": (_("Newest first"), ("-created_at", "-id")),
    "oldest": (_("Oldest first"), ("created_at", "id")),
    "expiring": (_("Expiring soonest"), (F("date_expiration").asc(nulls_last=True), "id")),
    "-id": (_("Reference (highest first)"), ("-id",)),
    "id": (_("Reference (lowest first)"), ("id",)),
}


class MembershipListFilters(ListFilters):
    """The memberships list's state, all of it from the query string."""

    SORTS = MEMBERSHIP_SORTS
    DEFAULT_SORT = "newest"
    FILTERS = ("status", "product", "gateway", "currency", "expiring", "customer")

    status = forms.ChoiceField(
        required=False, choices=[("", _("Any status")), *Membership.Status.choices]
    )
    product = forms.IntegerField(required=False, min_value=1)
    gateway = forms.ChoiceField(required=False, choices=[("", _("Any gateway")), *Gateway.choices])
    currency = forms.RegexField(required=False, regex=r"^[A-Za-z]{3}$")
    expiring = forms.TypedChoiceField(
        required=False,
        choices=[("", _("Any expiry")), *EXPIRING_WITHIN],
        coerce=int,
        empty_value=None,
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

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from customers.models import Customer
from memberships.forms import MembershipChoiceField
from memberships.models import Membership
from network.lists import ListFilters
from sites.models import Domain, Site
from sites.services import (
    SiteLine,
    domain_normalize,
    schema_name_for,
    schemas_taken,
    site_lines_read,
    site_lines_split,
)

EDITABLE_TYPES = [(value, label) for value, label in Site.Type.choices if value != Site.Type.MAIN]


class SiteOptionsForm(forms.Form):
    membership = MembershipChoiceField(
        queryset=Membership.objects.none(),
        required=False,
        label=_("Membership"),
        empty_label=_("No membership"),
    )
    type = forms.ChoiceField(label=_("Site type"), choices=EDITABLE_TYPES)

    def __init__(self, *args, site: Site, **kwargs):
        super().__init__(*args, **kwargs)
        # The site's own customer's memberships only.
        self.fields["membership"].queryset = (
            Membership.objects.filter(customer_id=site.customer_id)
            .select_related("plan")
            .order_by("-created_at", "-id")
        )


class DomainAddForm(forms.Form):
    domain = forms.CharField(
        label=_("Domain"),
        max_length=253,
        widget=forms.TextInput(attrs={"placeholder": "shop.example.com"}),
    )
    primary = forms.BooleanField(label=_("Make it the primary domain"), required=False)


# Each ordering has an index that matches it column for column (see the migration).
SITE_SORTS: dict[str, tuple[str, tuple]] = {
    "newest": (_("Newest first"), ("-created_at", "-id")),
    "oldest": (_("Oldest first"), ("created_at", "id")),
    "title": (_("Title (A–Z)"), ("title", "id")),
}


class SiteListFilters(ListFilters):
    """The sites list's state, all of it from the query string."""

    SORTS = SITE_SORTS
    DEFAULT_SORT = "newest"
    FILTERS = ("type", "active", "customer")

    type = forms.ChoiceField(required=False, choices=[("", _("Any type")), *Site.Type.choices])
    active = forms.ChoiceField(
        required=False,
        choices=[("", _("Active or not")), ("yes", _("Active")), ("no", _("Inactive"))],
    )
    customer = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)

    def sites(self) -> QuerySet[Site]:
        sites = Site.objects.all()
        term = self.value("q")
        if term:
            sites = sites.filter(
                Q(title__icontains=term)
                | Q(pk__in=Domain.objects.search(term).values("tenant_id"))
                | Q(customer__in=Customer.objects.search(term).values("pk"))
            )
        if self.value("type"):
            sites = sites.filter(type=self.value("type"))
        if self.value("active"):
            sites = sites.filter(active=self.value("active") == "yes")
        if self.value("customer"):
            sites = sites.filter(customer_id=self.value("customer"))
        return sites.order_by(*self.ordering())


class CustomerSiteForm(forms.Form):
    """Sites for a customer: under one of the customer's memberships, of a type."""

    membership = MembershipChoiceField(queryset=Membership.objects.none(), label=_("Membership"))
    type = forms.ChoiceField(
        label=_("Site type"), choices=EDITABLE_TYPES, initial=Site.Type.CUSTOMER_OWNED
    )

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.fields["membership"].queryset = (
            Membership.objects.filter(customer=customer)
            .select_related("plan")
            .order_by("-created_at", "-id")
        )


class SiteAddForm(CustomerSiteForm):
    """A new site for a customer, under one of the customer's memberships."""

    field_order = ["title", "membership", "domain", "type"]

    title = forms.CharField(label=_("Title"), max_length=Site._meta.get_field("title").max_length)
    domain = forms.CharField(
        label=_("Primary domain"),
        max_length=253,
        help_text=_("The site's own host, e.g. shop.example.com."),
        widget=forms.TextInput(attrs={"placeholder": "shop.example.com"}),
    )

    def clean_domain(self) -> str:
        try:
            domain = domain_normalize(self.cleaned_data["domain"])
        except ValidationError as error:
            raise ValidationError(error.message_dict["domain"]) from error
        if Domain.objects.filter(domain=domain).exists():
            raise ValidationError(
                _("“%(domain)s” already belongs to a site."), params={"domain": domain}
            )
        schema_name = schema_name_for(domain.split(".")[0])
        if schemas_taken([schema_name]):
            raise ValidationError(
                _("The name “%(name)s” is taken by another site; pick another."),
                params={"name": domain.split(".")[0]},
            )
        return domain


class SitesAddManyForm(CustomerSiteForm):
    """Many new sites for a customer, all under one of the customer's memberships: one
    line each, checked up front (sites.services.site_lines_read)."""

    # Not stripped: the line numbers in the errors are the ones typed.
    lines = forms.CharField(
        label=_("Sites"),
        strip=False,
        help_text=_(
            "One site per line: its domain, or its domain, a comma and its title "
            "(without one, the site is named after its domain). Blank lines are ignored."
        ),
        error_messages={"required": _("Enter at least one site: a domain on each line.")},
        widget=forms.Textarea(
            attrs={
                "rows": 12,
                "placeholder": "shop.example.com, Shop\nblog.example.com",
                "data-count-lines": "sites-count",
            }
        ),
    )

    def clean_lines(self) -> list[SiteLine]:
        return site_lines_read(self.cleaned_data["lines"])

    @property
    def line_count(self) -> int:
        """The sites the lines as typed would make: the lines that are not blank."""
        return len(site_lines_split(self.data.get("lines", ""))) if self.is_bound else 0

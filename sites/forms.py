from __future__ import annotations

from django import forms

from memberships.forms import MembershipChoiceField
from memberships.models import Membership
from sites.models import Site

EDITABLE_TYPES = [(value, label) for value, label in Site.Type.choices if value != Site.Type.MAIN]


class SiteOptionsForm(forms.Form):
    membership = MembershipChoiceField(
        queryset=Membership.objects.none(), required=False, empty_label="No membership"
    )
    type = forms.ChoiceField(label="Site type", choices=EDITABLE_TYPES)

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
        max_length=253, widget=forms.TextInput(attrs={"placeholder": "shop.example.com"})
    )
    primary = forms.BooleanField(label="Make it the primary domain", required=False)

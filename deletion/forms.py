from __future__ import annotations

from django import forms
from django.utils.translation import gettext, gettext_lazy

from customers.models import Customer

DELETE_EVERYTHING = "delete"
REASSIGN = "reassign"

# What people put between groups of digits, in the five languages ("12 345" in French).
GROUPING = frozenset(",.' \u00a0\u202f")


class CustomerDeleteForm(forms.Form):
    # The error summary's link for a missing recipient leads to the recipient search.
    error_anchors = {"reassign_to": "reassign-q"}

    option = forms.ChoiceField(
        label=gettext_lazy("Option"),
        choices=[
            (DELETE_EVERYTHING, gettext_lazy("Delete everything")),
            (
                REASSIGN,
                gettext_lazy("Reassign memberships, payments and sites to another customer"),
            ),
        ],
        initial=DELETE_EVERYTHING,
        widget=forms.RadioSelect,
    )
    # Rendered by the template as a short list of search results, never as a <select>
    # of every customer; validated against all customers here.
    reassign_to = forms.ModelChoiceField(
        queryset=Customer.objects.select_related("user"),
        required=False,
        label=gettext_lazy("Reassign to"),
        error_messages={
            "invalid_choice": gettext_lazy(
                "That customer doesn't exist. Search again and pick one."
            )
        },
    )
    q = forms.CharField(required=False, max_length=200)
    confirm_email = forms.CharField(
        label=gettext_lazy("Type the customer's email to confirm"),
        max_length=254,
        help_text=gettext_lazy("Exactly as shown, letter for letter."),
        error_messages={
            "required": gettext_lazy("Type the customer's email to confirm. Nothing was deleted.")
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, customer: Customer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.customer = customer

    def clean_confirm_email(self) -> str:
        typed = self.cleaned_data["confirm_email"].strip()
        if typed != self.customer.user.email:
            raise forms.ValidationError(
                gettext(
                    "That is not this customer's email: type %(email)s to confirm. "
                    "Nothing was deleted."
                )
                % {"email": self.customer.user.email}
            )
        return typed

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("option") != REASSIGN:
            cleaned["reassign_to"] = None
            return cleaned
        target = cleaned.get("reassign_to")
        if "reassign_to" in self.errors:
            return cleaned
        if target is None:
            self.add_error(
                "reassign_to",
                gettext(
                    "Search for the customer who receives the memberships, payments and sites, "
                    "and pick one. Nothing was deleted."
                ),
            )
        elif target.pk == self.customer.pk:
            self.add_error(
                "reassign_to",
                gettext("Pick another customer: this one is the one being deleted."),
            )
        return cleaned

    @property
    def reassign_to_id(self) -> int | None:
        """The picked customer's id as typed, for showing the choice again after an error."""
        value = self["reassign_to"].value()
        try:
            return int(value) if value not in (None, "") else None
        except (TypeError, ValueError):
            return None


class BulkDeleteForm(forms.Form):
    """The bulk confirmation: the customers listed (`ids`, as the page showed them) and
    their number, typed by the admin."""

    confirm_count = forms.CharField(
        label=gettext_lazy("Type the number of customers to confirm"),
        max_length=20,
        error_messages={
            "required": gettext_lazy(
                "Type the number of customers to confirm. Nothing was deleted."
            )
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    def __init__(self, *args, ids: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.ids = ids

    def clean_confirm_count(self) -> int:
        # "12,345", "12 345", "12.345": the number as the admin's language groups it.
        typed = "".join(ch for ch in self.cleaned_data["confirm_count"] if ch not in GROUPING)
        if typed != str(len(self.ids)):
            raise forms.ValidationError(
                gettext(
                    "Type %(count)s, the number of customers listed, to confirm. "
                    "Nothing was deleted."
                )
                % {"count": len(self.ids)}
            )
        return len(self.ids)

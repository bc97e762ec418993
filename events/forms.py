from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from events.models import Event


class EventFilters(forms.Form):
    type = forms.ChoiceField(required=False, choices=[("", _("All types")), *Event.Type.choices])
    customer = forms.CharField(
        required=False,
        max_length=254,
        help_text=_("Customer ID, or part of a name, username or email."),
    )

    def __init__(self, data=None, **kwargs):
        super().__init__(data if data is not None else {}, **kwargs)
        self.is_valid()

    @property
    def is_filtered(self) -> bool:
        return bool(self.cleaned_data.get("type") or self.cleaned_data.get("customer"))

    def events(self):
        events = Event.objects.all()
        if event_type := self.cleaned_data.get("type"):
            events = events.filter(type=event_type)
        if who := (self.cleaned_data.get("customer") or "").strip():
            events = events.filter(self._customer_condition(who))
        return events.order_by("-created_at", "-id")

    @staticmethod
    def _customer_condition(who: str) -> Q:
        """By customer ID (which outlives the customer), or by a part of the account's
        name, username or email (the customer list's search)."""
        number = who.lstrip("#")
        if number.isdecimal():  # isdigit() also takes "²", which int() refuses
            return Q(customer_ref=int(number)) if len(number) <= 18 else Q(pk__in=[])
        # The account model is the project's AUTH_USER_MODEL (as on Event.actor), not an
        # import: the event log builds on no app.
        customer_ids = get_user_model().objects.search(who).values("customer__pk")
        return Q(customer_ref__in=customer_ids)

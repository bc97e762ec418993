"""Posting Django admin's change forms as a browser would: every field as shown."""

from __future__ import annotations

from typing import Any

from django import forms
from django.test import Client


def _field_values(form: forms.BaseForm) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for bound in form:
        value, widget = bound.value(), bound.field.widget
        if isinstance(widget, forms.MultiWidget):
            for i, part in enumerate(widget.decompress(value)):
                if part is not None:
                    data[f"{bound.html_name}_{i}"] = str(part)
        elif isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(item) for item in value]
        elif value is not None:
            data[bound.html_name] = str(value)
    return data


def admin_form_data(client: Client, url: str, **changes: Any) -> dict[str, Any]:
    """The form at `url` (an add or change page) as it stands, with `changes` applied."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    data = _field_values(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_field_values(formset.management_form))
        for form in formset.forms:
            data.update(_field_values(form))
    data.update(changes)
    return data


def admin_post(client: Client, url: str, **changes: Any):
    return client.post(url, admin_form_data(client, url, **changes))

"""No address makes a Django admin list answer 500: a date lookup no date can satisfy
(the date hierarchy's links, or any date field's) is a bad filter, on every list."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import models

HUGE = "99999999999999999999999"


def date_lookups() -> list[tuple[str, str]]:
    cases = []
    for model in admin.site._registry:
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateField):  # DateTimeField too
                cases.append((url, f"{field.name}__year={HUGE}"))
    return cases


@pytest.mark.parametrize(("url", "query"), date_lookups())
def test_an_impossible_date_is_a_bad_filter(superuser_client, url, query):
    response = superuser_client.get(f"{url}?{query}")
    assert response.status_code == 302
    assert response["Location"] == f"{url}?e=1"

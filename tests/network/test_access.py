from __future__ import annotations

import pytest
from django.contrib import admin

from tests.conftest import host_client, network_url

PAGES = ["/customers/", "/events/"]


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(anonymous_client, path):
    response = anonymous_client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("path", PAGES)
def test_it_rejects_outsiders(outsider_client, path):
    response = outsider_client.get(path)
    assert response.status_code == 403
    assert b"Only network super admins" in response.content


@pytest.mark.parametrize("path", PAGES)
def test_staff_without_the_network_admin_permission_is_refused(staff_client, path):
    assert staff_client.get(path).status_code == 403


def test_a_deactivated_super_admin_is_signed_out(super_admin):
    """An inactive account's session no longer authenticates: the login page, not a 403."""
    client = host_client()
    client.force_login(super_admin)
    super_admin.is_active = False
    super_admin.save()
    response = client.get("/customers/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_every_model_is_registered_in_django_admin():
    from django.apps import apps

    ours = {"customers", "memberships", "payments", "sites", "events"}
    for model in apps.get_models():
        if model._meta.app_label in ours and not model._meta.auto_created:
            assert model in admin.site._registry, f"{model.__name__} is not in Django admin"


def test_admin_foreign_keys_never_render_an_unbounded_select():
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in {"customers", "memberships", "payments", "sites", "events"}:
            continue
        for field in model._meta.get_fields():
            if (
                field.many_to_one
                and field.concrete
                and field.related_model._meta.model_name
                in {
                    "user",
                    "customer",
                    "membership",
                    "site",
                    "payment",
                }
            ):
                assert field.name in (
                    tuple(model_admin.raw_id_fields) + tuple(model_admin.autocomplete_fields)
                ), f"{model.__name__}.{field.name} would render a select of every row"


def test_admin_changelists_open_for_a_superuser(network):
    from tests.factories import UserFactory

    client = host_client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for model in admin.site._registry:
        url = network_url(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url

"""The event log is append-only through Django admin too."""

from __future__ import annotations

import pytest

from events.models import Event
from events.services import event_record


@pytest.fixture
def admin_client(admin_client, super_admin):
    """Signed in as a Django superuser, who may do anything Django admin offers."""
    super_admin.is_superuser = True
    super_admin.save(update_fields=["is_superuser"])
    return admin_client


def _event(customer) -> Event:
    return event_record(type=Event.Type.VIP_CHANGED, message="Marked as VIP", customer=customer)


def test_admin_lists_and_shows_events(admin_client, customer):
    event = _event(customer)
    assert admin_client.get("/admin/events/event/").status_code == 200
    assert admin_client.get(f"/admin/events/event/{event.pk}/change/").status_code == 200


def test_admin_cannot_add_an_event(admin_client):
    assert admin_client.get("/admin/events/event/add/").status_code == 403
    response = admin_client.post("/admin/events/event/add/", {"type": "customer.vip"})
    assert response.status_code == 403
    assert not Event.objects.exists()


def test_admin_cannot_edit_an_event(admin_client, customer):
    event = _event(customer)
    response = admin_client.post(
        f"/admin/events/event/{event.pk}/change/",
        {"type": event.type, "message": "Rewritten history"},
    )
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.message == "Marked as VIP"


def test_admin_cannot_delete_events(admin_client, customer):
    event = _event(customer)
    assert (
        admin_client.post(f"/admin/events/event/{event.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    admin_client.post(
        "/admin/events/event/",
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert Event.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize(
    "query",
    [
        "created_at__year=99999999999999999999999",
        "created_at__year=2024&created_at__month=99999999999999999999999",
        "created_at__year=2024&created_at__month=1&created_at__day=99999999999999999999999",
    ],
)
def test_an_impossible_date_in_the_date_hierarchy_is_a_bad_filter_not_a_500(
    admin_client, customer, query
):
    _event(customer)
    response = admin_client.get(f"/admin/events/event/?{query}")
    assert response.status_code == 302
    assert response["Location"] == "/admin/events/event/?e=1"

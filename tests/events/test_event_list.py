from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import Event
from events.services import event_record
from tests.conftest import network_url
from tests.factories import CustomerFactory, PaymentFactory

EVENTS = network_url("events:list")
# Tenant, session, user and its permissions (5) and the page (1); no `SET search_path`,
# the connection is on the public schema already (network/db).
EVENT_LIST_QUERIES = 6


def messages_on(response) -> list[str]:
    return [event.message for event in response.context["page"].items]


def test_it_rejects_outsiders(outsider_client, staff_client, anonymous_client):
    assert outsider_client.get(EVENTS).status_code == 403
    assert staff_client.get(EVENTS).status_code == 403
    assert anonymous_client.get(EVENTS).status_code == 302


def test_it_lists_events_of_every_customer_newest_first(admin_client, customer, super_admin):
    other = CustomerFactory(user__username="alan", user__email="alan@example.com")
    first = event_record(type=Event.Type.VIP_CHANGED, message="Ada is VIP", customer=customer)
    Event.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(hours=1))
    payment = PaymentFactory(customer=other)
    event_record(
        type=Event.Type.PAYMENT_REFUNDED,
        message="Alan refunded",
        customer=other,
        subject=payment,
        actor=super_admin,
        old={"refunded_total": "0.00"},
        new={"refunded_total": "29.00"},
        ip="81.2.69.160",
    )
    response = admin_client.get(EVENTS)
    html = response.content.decode()
    assert messages_on(response) == ["Alan refunded", "Ada is VIP"]
    assert f'href="{network_url("payments:detail", payment.pk)}"' in html
    assert f'href="{network_url("customers:detail", other.pk)}"' in html
    assert "81.2.69.160" in html
    assert "29.00" in html  # old → new values are shown
    assert "System" in html


def test_it_filters_by_type(admin_client, customer):
    event_record(type=Event.Type.VIP_CHANGED, message="VIP", customer=customer)
    event_record(type=Event.Type.LOGIN, message="Login", customer=customer)
    assert messages_on(admin_client.get(EVENTS, {"type": Event.Type.LOGIN})) == ["Login"]


def test_it_filters_by_customer_id_or_email(admin_client, customer):
    other = CustomerFactory(user__username="alan", user__email="alan@example.com")
    event_record(type=Event.Type.LOGIN, message="Ada in", customer=customer)
    event_record(type=Event.Type.LOGIN, message="Alan in", customer=other)
    assert messages_on(admin_client.get(EVENTS, {"customer": str(other.pk)})) == ["Alan in"]
    assert messages_on(admin_client.get(EVENTS, {"customer": "ADA@example.com"})) == ["Ada in"]
    assert messages_on(admin_client.get(EVENTS, {"customer": "nobody@example.com"})) == []


def test_it_filters_by_customer_name_or_username(admin_client, customer):
    other = CustomerFactory(
        user__username="alan", user__first_name="Alan", user__last_name="Turing"
    )
    event_record(type=Event.Type.LOGIN, message="Ada in", customer=customer)
    event_record(type=Event.Type.LOGIN, message="Alan in", customer=other)
    assert messages_on(admin_client.get(EVENTS, {"customer": "lovelace"})) == ["Ada in"]
    assert messages_on(admin_client.get(EVENTS, {"customer": "Alan Tur"})) == ["Alan in"]
    assert messages_on(admin_client.get(EVENTS, {"customer": "alan"})) == ["Alan in"]
    assert messages_on(admin_client.get(EVENTS, {"customer": "Babbage"})) == []


def test_events_of_a_deleted_customer_stay_findable_by_id(admin_client, customer):
    event_record(type=Event.Type.CUSTOMER_DELETED, message="Deleted", customer=customer)
    customer_id = customer.pk
    customer.user.delete()
    response = admin_client.get(EVENTS, {"customer": str(customer_id)})
    assert messages_on(response) == ["Deleted"]
    assert "(deleted)" in response.content.decode()


def test_it_pages_without_counting(admin_client, customer):
    Event.objects.bulk_create(
        Event(type=Event.Type.LOGIN, message=f"Login {n}", customer_ref=customer.pk)
        for n in range(55)
    )
    first = admin_client.get(EVENTS)
    second = admin_client.get(EVENTS, {"page": 2})
    assert len(first.context["page"].items) == 50 and first.context["page"].has_next
    assert len(second.context["page"].items) == 5 and not second.context["page"].has_next


def test_an_empty_list_says_so(admin_client):
    assert "No events yet" in admin_client.get(EVENTS).content.decode()
    assert (
        "No events match" in admin_client.get(EVENTS, {"type": "customer.login"}).content.decode()
    )


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(EVENTS).status_code == 200
    return len(queries)


def test_the_page_makes_the_same_few_queries_for_1_or_50_events(admin_client, customer):
    event_record(type=Event.Type.LOGIN, message="Login", customer=customer)
    one = _queries(admin_client)
    for n in range(49):
        event_record(type=Event.Type.LOGIN, message=f"Login {n}", customer=customer)
    assert one == _queries(admin_client) == EVENT_LIST_QUERIES


def test_a_customer_id_too_long_to_exist_matches_nothing(admin_client, customer):
    event_record(type=Event.Type.LOGIN, message="Ada in", customer=customer)
    response = admin_client.get(EVENTS, {"customer": "9" * 30})
    assert response.status_code == 200
    assert messages_on(response) == []


def test_a_page_past_the_end_says_so_and_links_back_to_the_first(admin_client, customer):
    Event.objects.create(type=Event.Type.LOGIN, message="Login", customer_ref=customer.pk)
    response = admin_client.get(EVENTS, {"type": "customer.login", "page": "7"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "No events yet" not in html and "No events match" not in html
    assert "No more events" in html
    assert 'href="?type=customer.login"' in html


def test_a_customer_filter_of_digit_like_symbols_matches_nothing(admin_client, customer):
    event_record(type=Event.Type.LOGIN, message="Login", customer=customer)
    response = admin_client.get(EVENTS, {"customer": "²"})
    assert response.status_code == 200
    assert messages_on(response) == []

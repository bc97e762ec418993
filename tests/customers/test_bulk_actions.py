from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import Customer
from events.models import Event
from tests.conftest import network_url
from tests.customers.test_customer_list import make_customer

VIP = network_url("customers:bulk_vip")
EXPORT = network_url("customers:bulk_export")


def vips() -> list[str]:
    return sorted(Customer.objects.filter(vip=True).values_list("user__first_name", flat=True))


def errors_after(client, response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def test_it_rejects_outsiders(outsider_client, staff_client, customer):
    for client in (outsider_client, staff_client):
        assert client.post(VIP, {"ids": [customer.pk], "vip_action": "tag"}).status_code == 403
        assert client.post(EXPORT, {"ids": [customer.pk]}).status_code == 403
    assert vips() == []
    assert not Event.objects.exists()


def test_ticked_customers_are_tagged_and_untagged_vip_one_event_each(admin_client):
    ada, alan = make_customer("Ada", "Lovelace"), make_customer("Alan", "Turing")
    make_customer("Grace", "Hopper")
    response = admin_client.post(VIP, {"ids": [ada.pk, alan.pk], "vip_action": "tag"})
    assert response.status_code == 302
    assert vips() == ["Ada", "Alan"]
    events = Event.objects.filter(type=Event.Type.VIP_CHANGED)
    assert sorted(events.values_list("customer_ref", flat=True)) == sorted([ada.pk, alan.pk])
    assert "Tagged 2 customers as VIP." in errors_after(admin_client, response)

    response = admin_client.post(VIP, {"ids": [ada.pk, alan.pk], "vip_action": "untag"})
    assert vips() == []
    assert events.filter(new={"vip": False}).count() == 2


def test_all_that_match_takes_the_filters_not_just_the_page(admin_client):
    for i in range(30):  # more than a page
        make_customer("Pending", f"P{i}", email_verification="pending")
    make_customer("Verified", "V", email_verification="verified")
    response = admin_client.post(
        VIP, {"all_matching": "on", "verification": "pending", "vip_action": "tag", "q": ""}
    )
    assert response["Location"] == network_url("customers:list") + "?verification=pending"
    assert Customer.objects.filter(vip=True).count() == 30
    assert not Customer.objects.get(user__first_name="Verified").vip
    assert Event.objects.filter(type=Event.Type.VIP_CHANGED).count() == 30
    # The list's own VIP filter travels along too.
    admin_client.post(VIP, {"all_matching": "on", "vip": "yes", "vip_action": "untag"})
    assert Customer.objects.filter(vip=True).count() == 0


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"vip_action": "tag"}, "Select at least one customer first. Nothing changed."),
        ({"vip_action": "tag", "ids": ["1; DROP TABLE"]}, "The selection was not understood."),
        (
            {"vip_action": "tag", "ids": ["999999"]},
            "None of the selected customers exist any more.",
        ),
        ({"vip_action": "maybe", "ids": ["1"]}, "Choose Tag VIP or Untag VIP. Nothing changed."),
        (
            {"vip_action": "tag", "all_matching": "on", "verification": "bogus"},
            "The list's filters were not understood. Nothing changed.",
        ),
    ],
)
def test_bad_input_changes_nothing_and_says_why(admin_client, data, error):
    make_customer("Ada", "Lovelace")
    response = admin_client.post(VIP, data)
    assert response.status_code == 302
    assert any(error in message for message in errors_after(admin_client, response))
    assert vips() == []
    assert not Event.objects.exists()


def test_a_selection_over_the_job_limit_is_refused_whole(admin_client, settings):
    settings.BULK_SYNC_LIMIT, settings.BULK_JOB_LIMIT = 1, 2
    for i in range(3):
        make_customer("Many", f"M{i}")
    response = admin_client.post(VIP, {"all_matching": "on", "vip_action": "tag"})
    assert any("more than 2 customers" in m for m in errors_after(admin_client, response))
    assert vips() == []


def test_the_selection_is_exported_as_the_list_csv_and_each_export_is_an_event(admin_client):
    ada, alan = make_customer("Ada", "Lovelace"), make_customer("Alan", "Turing")
    make_customer("Grace", "Hopper")
    response = admin_client.post(EXPORT, {"ids": [ada.pk, alan.pk]})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["email"] for row in rows] == ["adalovelace@example.com", "alanturing@example.com"]
    exported = Event.objects.filter(type=Event.Type.CUSTOMER_EXPORTED)
    assert sorted(exported.values_list("customer_ref", flat=True)) == sorted([ada.pk, alan.pk])


def test_an_empty_export_selection_goes_back_with_a_message(admin_client):
    response = admin_client.post(EXPORT, {"q": "ada"})
    assert response.status_code == 302
    assert response["Location"] == network_url("customers:list") + "?q=ada"


def _queries(client, url, data) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    return len(queries)


def test_bulk_vip_and_export_make_the_same_queries_for_2_or_40_customers(admin_client):
    """Events go in one INSERT: no query per selected customer."""
    few = [make_customer("Few", f"F{i}").pk for i in range(2)]
    many = [make_customer("Many", f"M{i}").pk for i in range(40)]
    assert _queries(admin_client, VIP, {"ids": few, "vip_action": "tag"}) == _queries(
        admin_client, VIP, {"ids": many, "vip_action": "tag"}
    )
    assert _queries(admin_client, EXPORT, {"ids": few}) == _queries(
        admin_client, EXPORT, {"ids": many}
    )

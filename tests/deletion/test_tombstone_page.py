"""A deleted customer's events lead to the tombstone: what was deleted, read-only."""

from __future__ import annotations

import re

from deletion.services import customer_delete
from events.models import Event
from events.services import event_record
from tests.conftest import network_url


def test_it_rejects_outsiders(outsider_client, staff_client, customer, super_admin):
    customer_delete(customer=customer, actor=super_admin)
    url = network_url("deletion:tombstone", customer.pk)
    assert outsider_client.get(url).status_code == 403
    assert staff_client.get(url).status_code == 403


def test_the_arrows_of_a_deleted_customers_events_lead_to_the_tombstone(
    admin_client, customer, super_admin, give
):
    give(customer)
    pk = customer.pk
    customer_delete(customer=customer, actor=super_admin)

    events_page = admin_client.get(network_url("events:list"), {"customer": pk})
    tombstone = network_url("deletion:tombstone", pk)
    arrows = re.findall(r'<a class="arrow" href="([^"]+)"', events_page.content.decode())
    assert arrows and set(arrows) == {tombstone}

    page = admin_client.get(tombstone)
    assert page.status_code == 200
    text = re.sub(r"<[^>]+>", " ", page.content.decode())
    assert "Ada Lovelace" in text and "ada@example.com" in text and "Deleted" in text
    assert "deleted with their memberships, payments and sites" in text
    counts = dict(
        re.findall(
            r"<tr><td>([^<]+)</td><td class=\"right\">(\d+)</td></tr>", page.content.decode()
        )
    )
    assert counts["Memberships"] == "1"
    assert counts["Payments"] == "1"
    assert counts["Sites"] == "1"
    assert counts["Login records deleted"] == "1"
    assert int(counts["Events kept"]) >= 1
    assert "<form" not in page.content.decode().split("<main", 1)[1]  # read-only


def test_a_reassigned_customers_tombstone_links_to_who_received_their_things(
    admin_client, customer, bob, super_admin, give
):
    give(customer)
    customer_delete(customer=customer, actor=super_admin, reassign_to=bob)
    html = admin_client.get(network_url("deletion:tombstone", customer.pk)).content.decode()
    assert f'href="{network_url("customers:detail", bob.pk)}"' in html
    assert "went to" in html


def test_a_customer_deleted_outside_the_admin_still_has_a_page(admin_client, customer):
    event_record(type=Event.Type.VIP_CHANGED, message="VIP", customer=customer)
    pk = customer.pk
    customer.delete()
    page = admin_client.get(network_url("deletion:tombstone", pk))
    assert page.status_code == 200
    assert "was not recorded" in page.content.decode()


def test_a_customer_who_exists_is_sent_to_their_page(admin_client, customer):
    response = admin_client.get(network_url("deletion:tombstone", customer.pk))
    assert response["Location"] == network_url("customers:detail", customer.pk)


def test_no_such_customer_is_a_404(admin_client, network):
    assert admin_client.get(network_url("deletion:tombstone", 999_999)).status_code == 404

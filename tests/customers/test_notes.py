from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import Note
from customers.services import NOTE_MAX_LENGTH, note_add
from deletion.services import customer_delete
from events.models import Event
from memberships.services import membership_reassign
from tests.conftest import host_client, network_url
from tests.customers.test_customer_list import LIST, LIST_QUERIES, make_customer
from tests.factories import CustomerFactory, MembershipFactory, make_super_admin


def add(client, customer, text):
    return client.post(network_url("customers:note_add", customer.pk), {"text": text})


@pytest.fixture
def other_admin_client(network):
    client = host_client()
    client.force_login(make_super_admin(username="grace", email="grace@network.localhost"))
    return client


def test_it_rejects_outsiders(outsider_client, staff_client, customer, super_admin):
    note = note_add(customer=customer, author=super_admin, text="Private")
    for client in (outsider_client, staff_client):
        assert add(client, customer, "Sneaky").status_code == 403
        assert client.get(network_url("customers:note_edit", note.pk)).status_code == 403
        assert client.post(network_url("customers:note_delete", note.pk)).status_code == 403
    assert list(Note.objects.values_list("text", flat=True)) == ["Private"]


def test_an_admin_adds_notes_shown_newest_first_with_author_and_time(
    admin_client, customer, super_admin
):
    response = add(admin_client, customer, "Called about the invoice.\nWill pay Friday.")
    assert response.status_code == 302
    assert response["Location"] == network_url("customers:detail", customer.pk) + "#notes"
    add(admin_client, customer, "Paid.")
    html = admin_client.get(network_url("customers:detail", customer.pk)).content.decode()
    notes = html[html.index('id="notes"') :]
    assert notes.index("Paid.") < notes.index("Called about the invoice.<br>Will pay Friday.")
    assert super_admin.display_name in notes  # the author
    assert "<time datetime=" in notes
    event = Event.objects.filter(type=Event.Type.NOTE_ADDED).latest("id")
    assert (event.customer_ref, event.new) == (customer.pk, {"text": "Paid."})
    assert event.actor == super_admin


def test_notes_are_plain_text(admin_client, customer):
    add(admin_client, customer, "<script>alert(1)</script>")
    html = admin_client.get(network_url("customers:detail", customer.pk)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("   ", "Write something first"),
        ("x" * (NOTE_MAX_LENGTH + 1), f"at most {NOTE_MAX_LENGTH:,} characters"),
    ],
)
def test_a_bad_note_is_refused_clearly_and_what_was_typed_stays(
    admin_client, customer, text, error
):
    response = add(admin_client, customer, text)
    assert response.status_code == 400
    html = response.content.decode()
    assert error in html
    if text.strip():
        assert text in html  # kept in the textarea
    assert not Note.objects.exists()
    assert not Event.objects.filter(type=Event.Type.NOTE_ADDED).exists()


def test_the_author_edits_their_note_and_it_is_an_event(admin_client, customer, super_admin):
    note = note_add(customer=customer, author=super_admin, text="Old words")
    url = network_url("customers:note_edit", note.pk)
    assert "Old words" in admin_client.get(url).content.decode()
    response = admin_client.post(url, {"text": ""})
    assert response.status_code == 400
    assert "Write something first" in response.content.decode()
    response = admin_client.post(url, {"text": "New words"})
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.text == "New words"
    event = Event.objects.get(type=Event.Type.NOTE_CHANGED)
    assert (event.old, event.new) == ({"text": "Old words"}, {"text": "New words"})
    html = admin_client.get(network_url("customers:detail", customer.pk)).content.decode()
    assert "edited" in html[html.index('id="notes"') :]


def test_the_author_deletes_their_note_and_it_is_an_event(admin_client, customer, super_admin):
    note = note_add(customer=customer, author=super_admin, text="Gone soon")
    response = admin_client.post(network_url("customers:note_delete", note.pk))
    assert response.status_code == 302
    assert not Note.objects.exists()
    event = Event.objects.get(type=Event.Type.NOTE_DELETED)
    assert (event.customer_ref, event.old) == (customer.pk, {"text": "Gone soon"})


def test_another_admin_can_read_but_not_change_or_delete_a_note(
    other_admin_client, customer, super_admin
):
    note = note_add(customer=customer, author=super_admin, text="Root's note")
    html = other_admin_client.get(network_url("customers:detail", customer.pk)).content.decode()
    assert "Root's note" in html.replace("&#x27;", "'")
    assert network_url("customers:note_edit", note.pk) not in html
    edit = network_url("customers:note_edit", note.pk)
    assert other_admin_client.get(edit).status_code == 403
    assert other_admin_client.post(edit, {"text": "Hijacked"}).status_code == 403
    assert other_admin_client.post(network_url("customers:note_delete", note.pk)).status_code == 403
    note.refresh_from_db()
    assert note.text == "Root's note"


def test_the_list_marks_customers_with_notes_at_no_extra_query_per_row(admin_client, super_admin):
    """The icon is an EXISTS in the page's own query: no query per listed customer."""
    ada = make_customer("Ada", "Lovelace")
    make_customer("Alan", "Turing")
    note_add(customer=ada, author=super_admin, text="Hello")
    html = admin_client.get(LIST).content.decode()
    assert html.count('aria-label="Has notes"') == 1
    assert html.index('aria-label="Has notes"') > html.index("Ada Lovelace")
    for i in range(20):
        note_add(customer=make_customer("N", f"Noted{i}"), author=super_admin, text="x")
    with CaptureQueriesContext(connection) as queries:
        html = admin_client.get(LIST).content.decode()
    assert html.count('aria-label="Has notes"') == 21
    assert len(queries) == LIST_QUERIES


def test_notes_stay_with_the_customer_when_a_membership_is_reassigned(customer, super_admin):
    membership = MembershipFactory(customer=customer)
    note_add(customer=customer, author=super_admin, text="Stays")
    membership_reassign(membership=membership, customer=CustomerFactory(), actor=super_admin)
    assert list(customer.notes.values_list("text", flat=True)) == ["Stays"]


def test_notes_go_with_the_customer_and_the_confirmation_counts_them(
    admin_client, customer, super_admin
):
    note_add(customer=customer, author=super_admin, text="One")
    note_add(customer=customer, author=super_admin, text="Two")
    html = admin_client.get(network_url("deletion:confirm", customer.pk)).content.decode()
    assert "<dt>Notes</dt><dd><strong>2</strong>" in html
    tombstone = customer_delete(customer=customer, actor=super_admin)
    assert tombstone.new["counts"]["notes"] == 2
    assert not Note.objects.exists()


def test_deleting_with_reassign_keeps_the_notes_on_the_recipient(customer, super_admin):
    note_add(customer=customer, author=super_admin, text="Worth keeping")
    recipient = CustomerFactory()
    tombstone = customer_delete(customer=customer, actor=super_admin, reassign_to=recipient)
    assert tombstone.new["counts"]["notes_kept"] == 1
    assert list(recipient.notes.values_list("text", flat=True)) == ["Worth keeping"]

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import Customer, Note
from deletion.services import customer_delete
from events.models import Event
from sites.models import Site
from tests.conftest import network_url
from tests.factories import CustomerFactory

CONFIRM = network_url("deletion:bulk_confirm")
DELETE = network_url("deletion:bulk_delete")
# Tenant, session, user and permissions (4), the selection's ids, the page's one query
# with every customer's counts, and the test's savepoint pair.
CONFIRM_QUERIES = 7


def make(n: int, prefix: str = "bulk", **kwargs) -> list[Customer]:
    return [
        CustomerFactory(
            user__first_name=f"{prefix}{i}", user__email=f"{prefix}{i}@example.com", **kwargs
        )
        for i in range(n)
    ]


def test_it_rejects_outsiders(outsider_client, staff_client, customer):
    for client in (outsider_client, staff_client):
        assert client.post(CONFIRM, {"ids": [customer.pk]}).status_code == 403
        data = {"ids": [customer.pk], "confirm_count": "1"}
        assert client.post(DELETE, data).status_code == 403
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_the_confirmation_lists_each_customer_and_the_totals(admin_client, give, super_admin):
    ada, bob = make(2)
    give(ada, n=2, slug="ada")
    give(bob, n=1, slug="bob")
    Note.objects.create(customer=ada, author_label="Root", text="n")
    response = admin_client.post(CONFIRM, {"ids": [ada.pk, bob.pk]})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Delete 2 customers</h1>" in html
    assert "bulk0@example.com" in html and "bulk1@example.com" in html
    assert "<dt>Memberships</dt><dd><strong>3</strong>" in html
    assert "<dt>Sites</dt><dd><strong>3</strong>" in html
    assert "<dt>Notes</dt><dd><strong>1</strong>" in html
    # The page carries exactly the listed customers on to the deletion.
    assert f'name="ids" value="{ada.pk}"' in html and f'name="ids" value="{bob.pk}"' in html


def test_all_that_match_is_resolved_to_the_matching_customers(admin_client):
    pending = make(3, email_verification="pending")
    CustomerFactory(email_verification="verified")
    response = admin_client.post(CONFIRM, {"all_matching": "on", "verification": "pending"})
    assert response.context["ids"] == sorted(c.pk for c in pending)


def test_a_wrong_number_deletes_nothing_and_says_what_to_type(admin_client):
    customers = make(3)
    ids = [c.pk for c in customers]
    for typed in ("", "2", "three"):
        response = admin_client.post(DELETE, {"ids": ids, "confirm_count": typed})
        assert response.status_code == 400
        html = response.content.decode()
        assert "Nothing was deleted." in html
        assert all(f'name="ids" value="{pk}"' in html for pk in ids)  # the selection stays
    assert Customer.objects.count() == 3


def test_each_is_deleted_by_the_single_delete_and_one_failure_stops_nothing_else(
    admin_client, give, super_admin
):
    ada, bob, cleo = make(3)
    give(bob, slug="bob")
    Site.objects.filter(customer=bob).update(type=Site.Type.MAIN)  # never deleted
    gone = CustomerFactory()
    gone_pk = gone.pk
    customer_delete(customer=gone, actor=super_admin)  # by another admin, meanwhile
    ids = [ada.pk, bob.pk, cleo.pk, gone_pk]
    response = admin_client.post(DELETE, {"ids": ids, "confirm_count": "4"})
    assert response.status_code == 200
    assert list(Customer.objects.values_list("pk", flat=True)) == [bob.pk]
    outcomes = {o.pk: o for o in response.context["outcomes"]}
    assert outcomes[ada.pk].deleted and "was deleted permanently" in outcomes[ada.pk].detail
    assert not outcomes[bob.pk].deleted
    assert "main site" in outcomes[bob.pk].detail
    assert "Already deleted on" in outcomes[gone_pk].detail
    html = response.content.decode()
    assert "<h1>2 customers deleted</h1>" in html
    assert "2 not deleted" in html
    tombstones = Event.objects.filter(type=Event.Type.CUSTOMER_DELETED)
    assert sorted(tombstones.values_list("customer_ref", flat=True)) == sorted(
        [ada.pk, cleo.pk, gone_pk]
    )


def test_bad_selections_are_refused_clearly(admin_client):
    make(1)
    response = admin_client.post(CONFIRM, {})
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "Select at least one customer first. Nothing changed." in messages
    response = admin_client.post(DELETE, {"ids": ["x"], "confirm_count": "1"})
    assert response.status_code == 302
    assert Customer.objects.count() == 1


def test_the_confirmation_makes_the_same_queries_for_1_or_30_customers(admin_client, give):
    """Each customer's counts are columns of the one query, not a query per customer."""
    one = make(1)
    give(one[0], slug="one")

    def queries(ids) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.post(CONFIRM, {"ids": ids}).status_code == 200
        return len(captured)

    few = queries([one[0].pk])
    many = make(30, prefix="many")
    assert queries([c.pk for c in many] + [one[0].pk]) == few == CONFIRM_QUERIES


@pytest.mark.parametrize("typed", ["1234", "1,234", "1 234", "1.234", "1\u202f234"])
def test_the_typed_number_may_be_grouped_as_any_of_the_languages_writes_it(typed):
    from deletion.forms import BulkDeleteForm

    form = BulkDeleteForm({"confirm_count": typed}, ids=list(range(1234)))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["confirm_count"] == 1234


@pytest.mark.parametrize("typed", ["1233", "12 34 5", "1234x"])
def test_another_number_is_refused(typed):
    from deletion.forms import BulkDeleteForm

    assert not BulkDeleteForm({"confirm_count": typed}, ids=list(range(1234))).is_valid()

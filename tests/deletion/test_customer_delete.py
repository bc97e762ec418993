"""The deletion service, without HTTP."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_exists

from customers.models import Customer, LoginRecord, User
from deletion.services import CustomerGone, customer_delete
from events.models import Event
from memberships.models import Membership
from payments.models import Payment
from sites.models import Domain, Site
from tests.factories import CustomerFactory, PaymentFactory, UserFactory


def test_delete_everything_removes_the_customer_and_all_it_owns(customer, give, super_admin):
    give(customer, n=2)
    user_pk = customer.user.pk

    customer_delete(customer=customer, actor=super_admin, ip="198.51.100.7")

    assert not Customer.objects.filter(pk=customer.pk).exists()
    assert not User.objects.filter(pk=user_pk).exists()
    assert not Membership.objects.exists()
    assert not Payment.objects.exists()
    assert not LoginRecord.objects.exists()
    assert not Site.objects.filter(schema_name__in=["acme0", "acme1"]).exists()
    assert not Domain.objects.filter(domain__in=["acme0.localhost", "acme1.localhost"]).exists()


def test_delete_everything_drops_the_site_schemas(customer, give, super_admin):
    give(customer, n=2)
    assert schema_exists("acme0") and schema_exists("acme1")

    customer_delete(customer=customer, actor=super_admin)

    assert not schema_exists("acme0")
    assert not schema_exists("acme1")


def test_other_customers_keep_their_sites_and_schemas(customer, bob, give, super_admin):
    give(customer)
    give(bob, slug="bobs")

    customer_delete(customer=customer, actor=super_admin)

    assert schema_exists("bobs")
    assert Site.objects.get(schema_name="bobs").customer == bob
    assert bob.memberships.count() == 1 and bob.payments.count() == 1


def test_the_tombstone_says_who_deleted_whom_when_and_what(customer, give, super_admin):
    give(customer, n=2)
    customer_pk = customer.pk

    tombstone = customer_delete(customer=customer, actor=super_admin, ip="198.51.100.7")

    tombstone = Event.objects.get(pk=tombstone.pk)
    assert tombstone.type == Event.Type.CUSTOMER_DELETED
    assert tombstone.customer is None
    assert tombstone.customer_ref == customer_pk
    assert tombstone.customer_label == "Ada Lovelace <ada@example.com>"
    assert tombstone.actor == super_admin
    assert "root@network.localhost" in tombstone.actor_label
    assert tombstone.ip == "198.51.100.7"
    assert tombstone.created_at is not None
    assert tombstone.new == {
        "option": "delete",
        "id": customer_pk,
        "email": "ada@example.com",
        "name": "Ada Lovelace",
        "username": "ada",
        "counts": {
            "memberships": 2,
            "payments": 2,
            "sites": 2,
            "domains": 2,
            "login_records": 2,
            "notes": 0,
            "events_kept": 4,  # two VIP changes, two site creations
        },
        "login_account": "deleted",
        "reassigned_to": None,
    }


def test_the_customers_events_stay_unlinked_with_their_id_and_label(customer, give, super_admin):
    give(customer, n=2)
    customer_pk = customer.pk

    customer_delete(customer=customer, actor=super_admin)

    kept = Event.objects.filter(customer_ref=customer_pk)
    assert kept.count() == 4 + 2 + 1  # earlier events, one per deleted site, the tombstone
    assert not kept.filter(customer__isnull=False).exists()
    assert set(kept.values_list("customer_label", flat=True)) == {"Ada Lovelace <ada@example.com>"}
    assert kept.filter(type=Event.Type.SITE_DELETED).count() == 2


def test_reassign_moves_memberships_payments_and_sites_then_deletes(
    customer, bob, give, super_admin
):
    give(customer, n=2)
    customer_pk = customer.pk

    tombstone = customer_delete(customer=customer, actor=super_admin, reassign_to=bob)

    assert not Customer.objects.filter(pk=customer_pk).exists()
    assert bob.memberships.count() == 2
    assert bob.payments.count() == 2
    assert sorted(bob.sites.values_list("schema_name", flat=True)) == ["acme0", "acme1"]
    assert schema_exists("acme0") and schema_exists("acme1")
    assert Domain.objects.filter(tenant__customer=bob).count() == 2
    assert tombstone.new["option"] == "reassign"
    assert tombstone.new["reassigned_to"] == {
        "id": bob.pk,
        "email": "bob@example.com",
        "name": "Bob Builder",
    }
    assert tombstone.new["counts"]["sites"] == 2


def test_reassign_records_each_move_on_the_receiving_customer(
    customer, bob, give, make_site, super_admin
):
    """The moves are recorded by the services that make them: a membership takes its
    sites and payments along (memberships.services.membership_reassign, one event naming
    how many went with it, as on the membership page); sites and payments outside a
    membership get an event each."""
    holdings = give(customer, n=2)
    first, second = customer.memberships.order_by("pk")
    club = make_site("club", customer=customer, membership=first)
    loose_payment = PaymentFactory(customer=customer, membership=None)
    customer_pk = customer.pk

    tombstone = customer_delete(
        customer=customer, actor=super_admin, reassign_to=bob, ip="198.51.100.7"
    )

    received = Event.objects.filter(customer=bob).exclude(type=Event.Type.SITE_CREATED)
    memberships = received.filter(type=Event.Type.MEMBERSHIP_REASSIGNED).order_by("subject_id")
    assert [event.subject_id for event in memberships] == [first.pk, second.pk]
    assert [(event.new["sites"], event.new["payments"]) for event in memberships] == [
        (1, 1),
        (0, 1),
    ]
    sites = received.filter(type=Event.Type.SITE_UPDATED, subject_type="site")
    assert sorted(sites.values_list("subject_id", flat=True)) == [s.pk for s in holdings.sites]
    payments = received.filter(type=Event.Type.PAYMENT_UPDATED, subject_type="payment")
    assert list(payments.values_list("subject_id", flat=True)) == [loose_payment.pk]
    assert received.count() == 2 + 2 + 1
    for event in received:
        assert event.old["customer"] == customer_pk
        assert event.new["customer"] == bob.pk
        assert event.actor == super_admin
        assert event.ip == "198.51.100.7"
    assert Site.objects.get(pk=club.pk).customer == bob
    moved = {name: tombstone.new["counts"][name] for name in ("memberships", "payments", "sites")}
    assert moved == {"memberships": 2, "payments": 3, "sites": 3}
    assert tombstone.new["counts"]["domains"] == 3


def test_reassign_leaves_the_moves_in_the_deleted_customers_history_too(
    customer, bob, give, super_admin
):
    give(customer, n=2)
    customer_pk = customer.pk

    customer_delete(customer=customer, actor=super_admin, reassign_to=bob)

    moves = Event.objects.filter(
        customer_ref=customer_pk,
        type__in=[Event.Type.MEMBERSHIP_REASSIGNED, Event.Type.SITE_UPDATED],
    )
    assert sorted(moves.values_list("type", flat=True)) == sorted(
        [Event.Type.MEMBERSHIP_REASSIGNED] * 2 + [Event.Type.SITE_UPDATED] * 2
    )
    assert not moves.filter(customer__isnull=False).exists()
    assert all("reassigned to Bob Builder" in event.message for event in moves)


def test_reassign_to_the_same_customer_is_refused(customer, give, super_admin):
    give(customer)

    with pytest.raises(ValidationError):
        customer_delete(customer=customer, actor=super_admin, reassign_to=customer)

    assert Customer.objects.filter(pk=customer.pk).exists()


def test_a_staff_login_account_is_kept(network, give, super_admin):
    staff_customer = CustomerFactory(user=UserFactory(is_staff=True, email="ops@example.com"))
    give(staff_customer)

    tombstone = customer_delete(customer=staff_customer, actor=super_admin)

    assert User.objects.filter(email="ops@example.com").exists()
    assert not Customer.objects.filter(pk=staff_customer.pk).exists()
    assert tombstone.new["login_account"] == "kept (staff)"


def test_a_superuser_login_account_is_kept_even_without_the_staff_flag(network, super_admin):
    root = CustomerFactory(user=UserFactory(is_superuser=True, email="root2@example.com"))

    tombstone = customer_delete(customer=root, actor=super_admin)

    assert User.objects.get(pk=root.user.pk).is_active
    assert tombstone.new["login_account"] == "kept (staff)"


def test_the_freed_email_and_username_can_be_used_for_a_new_customer_at_once(customer, super_admin):
    customer_delete(customer=customer, actor=super_admin)

    newcomer = CustomerFactory(user__username="ada", user__email="ADA@example.com")

    assert User.objects.get(email__iexact="ada@example.com") == newcomer.user


def test_deleting_a_customer_twice_says_it_is_gone(customer, super_admin):
    stale = Customer.objects.get(pk=customer.pk)
    customer_delete(customer=customer, actor=super_admin)

    with pytest.raises(CustomerGone):
        customer_delete(customer=stale, actor=super_admin)


def test_a_customer_owning_the_main_site_cannot_lose_it_with_delete_everything(
    customer, network, give, super_admin
):
    give(customer)
    Site.objects.filter(pk=network.pk).update(customer=customer)

    with pytest.raises(ValidationError, match="main site"):
        customer_delete(customer=customer, actor=super_admin)

    assert Customer.objects.filter(pk=customer.pk).exists()
    assert schema_exists("acme")
    assert Site.objects.filter(pk=network.pk).exists()


def test_a_customer_owning_the_main_site_can_hand_it_over(customer, bob, network, super_admin):
    Site.objects.filter(pk=network.pk).update(customer=customer)

    customer_delete(customer=customer, actor=super_admin, reassign_to=bob)

    assert Site.objects.get(pk=network.pk).customer == bob

"""sites.services.sites_reassign: the sites outside a membership change owner."""

from __future__ import annotations

from events.models import Event
from sites.models import Site
from sites.services import sites_reassign
from tests.factories import CustomerFactory, MembershipFactory


def test_it_moves_the_sites_outside_a_membership_with_an_event_on_each_side(
    make_site, customer, super_admin
):
    bob = CustomerFactory(user__first_name="Bob", user__last_name="Builder")
    loose = make_site("loose", customer=customer)

    moved = sites_reassign(from_customer=customer, to_customer=bob, actor=super_admin)

    assert moved == [loose]
    assert Site.objects.get(pk=loose.pk).customer == bob
    events = Event.objects.filter(type=Event.Type.SITE_UPDATED, subject_id=loose.pk)
    assert sorted(events.values_list("customer_id", flat=True)) == sorted([customer.pk, bob.pk])
    assert {event.new["customer"] for event in events} == {bob.pk}
    assert {event.old["customer"] for event in events} == {customer.pk}


def test_a_site_under_a_membership_stays_with_the_membership(make_site, customer, super_admin):
    bob = CustomerFactory()
    membership = MembershipFactory(customer=customer)
    site = make_site("club", customer=customer, membership=membership)

    assert sites_reassign(from_customer=customer, to_customer=bob, actor=super_admin) == []

    assert Site.objects.get(pk=site.pk).customer == customer
    assert not Event.objects.filter(type=Event.Type.SITE_UPDATED).exists()

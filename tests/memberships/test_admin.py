"""Django admin's doors into memberships: add-ons change through the services (with their
checks and events); a membership keeps its customer, plan and payments."""

from __future__ import annotations

from events.models import Event
from memberships.models import Membership, MembershipAddon, Product
from tests.admin_forms import admin_post
from tests.factories import CustomerFactory, MembershipFactory, PaymentFactory, ProductFactory


def test_a_membership_is_not_deleted_on_its_own(superuser_client, customer):
    payment = PaymentFactory(customer=customer)
    membership = payment.membership
    url = f"/admin/memberships/membership/{membership.pk}/delete/"
    assert superuser_client.post(url, {"post": "yes"}).status_code == 403
    superuser_client.post(
        "/admin/memberships/membership/",
        {"action": "delete_selected", "_selected_action": [membership.pk], "post": "yes"},
    )
    payment.refresh_from_db()
    assert payment.membership == membership


def test_plain_fields_stay_editable_but_customer_plan_and_currency_stay_put(
    superuser_client, customer
):
    membership = MembershipFactory(customer=customer)
    plan, other = membership.plan, CustomerFactory()
    response = admin_post(
        superuser_client,
        f"/admin/memberships/membership/{membership.pk}/change/",
        status=Membership.Status.ON_HOLD,
        customer=other.pk,
        plan=ProductFactory().pk,
        currency="EUR",
    )

    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.status, membership.customer) == (Membership.Status.ON_HOLD, customer)
    assert (membership.plan, membership.currency) == (plan, "USD")


def test_an_add_on_added_changed_and_removed_in_admin_is_recorded(superuser_client, customer):
    membership = MembershipFactory(customer=customer)
    extra = ProductFactory(name="Backups", kind=Product.Kind.SERVICE)

    response = superuser_client.post(
        "/admin/memberships/membershipaddon/add/",
        {"membership": membership.pk, "product": extra.pk, "quantity": "2"},
    )
    assert response.status_code == 302
    addon = MembershipAddon.objects.get(membership=membership)
    url = f"/admin/memberships/membershipaddon/{addon.pk}/"
    assert admin_post(superuser_client, f"{url}change/", quantity="3").status_code == 302
    assert superuser_client.post(f"{url}delete/", {"post": "yes"}).status_code == 302

    assert not MembershipAddon.objects.exists()
    messages = list(
        Event.objects.filter(type=Event.Type.MEMBERSHIP_PRODUCTS, customer=customer)
        .order_by("pk")
        .values_list("message", flat=True)
    )
    assert messages == [
        f"2 × Backups added to {membership.reference}",
        f"Backups quantity on {membership.reference} changed from 2 to 3",
        f"Backups removed from {membership.reference}",
    ]


def test_an_add_on_in_another_currency_is_refused(superuser_client, customer):
    membership = MembershipFactory(customer=customer)
    euro = ProductFactory(name="Backups", kind=Product.Kind.SERVICE, currency="EUR")
    response = superuser_client.post(
        "/admin/memberships/membershipaddon/add/",
        {"membership": membership.pk, "product": euro.pk, "quantity": "1"},
    )
    assert response.status_code == 200
    assert "priced in EUR" in response.content.decode()
    assert not MembershipAddon.objects.exists()

"""Billing on the site's own host: the network's Billing Info rules, the owner's own
payments and invoices, and every change on the record."""

from __future__ import annotations

from customers.models import Customer
from events.models import Event
from payments.models import Payment
from tests.conftest import network_url
from tests.factories import CustomerFactory, MembershipFactory, PaymentFactory

BILLING = {
    "company_name": "Acme Rockets Ltd",
    "billing_email": "billing@acme.example",
    "address_line_1": "1 Launch Road",
    "address_line_2": "",
    "city": "Leeds",
    "state": "",
    "postal_code": "LS1 1AA",
    "country": "GB",
}


def test_the_owner_fixes_the_postcode_and_it_reads_by_the_customer(
    owner_client, customer, admin_client
):
    response = owner_client.post("/dashboard/billing/save/", BILLING)

    assert response.status_code == 302
    assert Customer.objects.get(pk=customer.pk).postal_code == "LS1 1AA"
    event = Event.objects.get(type=Event.Type.BILLING_CHANGED)
    assert event.actor == customer.user and event.impersonator is None
    page = admin_client.get(network_url("customers:detail", customer.pk)).content.decode()
    assert "(the customer)" in page


def test_a_change_during_switch_to_reads_by_the_admin_as_the_customer(
    switched, customer, super_admin, admin_client
):
    switched.post("/dashboard/billing/save/", BILLING)

    event = Event.objects.get(type=Event.Type.BILLING_CHANGED)
    assert event.actor == customer.user
    assert event.impersonator == super_admin
    page = admin_client.get(network_url("customers:detail", customer.pk)).content.decode()
    assert f'{super_admin.display_name} <span class="muted">as</span> Ada Lovelace' in page


def test_billing_keeps_the_networks_rules(owner_client, customer):
    """Required fields and a valid country, as on the network's Billing Info tab; nothing
    is saved half-way."""
    response = owner_client.post(
        "/dashboard/billing/save/", {**BILLING, "postal_code": "", "country": "XX"}
    )

    assert response.status_code == 400
    form = response.context["billing_form"]
    assert "postal_code" in form.errors and "country" in form.errors
    current = Customer.objects.get(pk=customer.pk)
    assert current.company_name == "" and current.postal_code == ""
    assert not Event.objects.filter(type=Event.Type.BILLING_CHANGED).exists()


def test_the_membership_shows_plan_status_addons_amount_and_renewal(owner_client, acme, customer):
    membership = MembershipFactory(customer=customer, plan__name="Pro")
    addon = MembershipFactory._meta.model.addons.rel.model  # the Product model
    extra = addon.objects.create(name="Extra storage", slug="extra", kind="addon")
    membership.addon_rows.create(product=extra, quantity=2)
    acme.membership = membership
    acme.save(update_fields=["membership"])

    page = owner_client.get("/dashboard/billing/").content.decode()

    assert "Pro" in page and "Active" in page and "Extra storage × 2" in page
    assert "29.00" in page


def test_the_owner_gets_an_invoice_with_the_networks_numbering(owner_client, customer):
    payment = PaymentFactory(customer=customer)

    response = owner_client.post(f"/dashboard/billing/payments/{payment.pk}/invoice/")

    payment.refresh_from_db()
    assert payment.invoice_number is not None
    assert response["Location"] == f"/dashboard/billing/payments/{payment.pk}/invoice.pdf"
    pdf = owner_client.get(response["Location"])
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert payment.invoice_reference in pdf["Content-Disposition"]
    assert Event.objects.filter(type=Event.Type.INVOICE_GENERATED).count() == 1


def test_only_the_owners_own_payments_are_listed_or_opened(owner_client, customer):
    mine = PaymentFactory(customer=customer)
    theirs = PaymentFactory(customer=CustomerFactory())
    Payment.objects.filter(pk=theirs.pk).update(invoice_number=9999)

    page = owner_client.get("/dashboard/billing/").content.decode()
    assert mine.reference in page and theirs.reference not in page
    assert (
        owner_client.get(f"/dashboard/billing/payments/{theirs.pk}/invoice.pdf").status_code == 404
    )
    assert owner_client.post(f"/dashboard/billing/payments/{theirs.pk}/invoice/").status_code == 404

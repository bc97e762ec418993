"""Django admin's doors into payments: invoice numbers stay gap-free, refunds and their
amounts are made only by Refund, and the handled Stripe events stay handled."""

from __future__ import annotations

from decimal import Decimal

from payments.models import InvoiceCounter, Payment, Refund, StripeEvent
from payments.services import payment_invoice_issue
from tests.admin_forms import admin_post
from tests.factories import CustomerFactory, PaymentFactory


def change_url(payment: Payment) -> str:
    return f"/admin/payments/payment/{payment.pk}/change/"


def test_admin_never_deletes_a_payment(superuser_client, customer):
    payment = payment_invoice_issue(payment=PaymentFactory(customer=customer))
    url = f"/admin/payments/payment/{payment.pk}/delete/"
    assert superuser_client.post(url, {"post": "yes"}).status_code == 403
    superuser_client.post(
        "/admin/payments/payment/",
        {"action": "delete_selected", "_selected_action": [payment.pk], "post": "yes"},
    )
    assert Payment.objects.filter(pk=payment.pk, invoice_number=1).exists()


def test_plain_fields_stay_editable_but_the_invoice_number_does_not(superuser_client, customer):
    payment = payment_invoice_issue(payment=PaymentFactory(customer=customer))
    response = admin_post(
        superuser_client, change_url(payment), gateway_payment_id="ch_fixed", invoice_number="7"
    )

    assert response.status_code == 302
    payment.refresh_from_db()
    assert (payment.gateway_payment_id, payment.invoice_number) == ("ch_fixed", 1)


def test_a_payment_is_not_marked_refunded_by_hand(superuser_client, customer):
    payment = PaymentFactory(customer=customer)
    response = admin_post(
        superuser_client, change_url(payment), status=Payment.Status.REFUNDED, refunded_total="29"
    )

    assert response.status_code == 200
    assert "Use Refund" in response.content.decode()
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_total) == (Payment.Status.COMPLETED, 0)


def test_refunds_are_not_made_deleted_or_resized_in_admin(superuser_client, customer):
    payment = PaymentFactory(customer=customer, refunded_total=Decimal("10.00"))
    refund = Refund.objects.create(
        payment=payment, amount=Decimal("10.00"), status=Refund.Status.SUCCEEDED, gateway="manual"
    )
    url = f"/admin/payments/refund/{refund.pk}/"
    assert superuser_client.get("/admin/payments/refund/add/").status_code == 403
    assert superuser_client.post(f"{url}delete/", {"post": "yes"}).status_code == 403
    response = admin_post(superuser_client, f"{url}change/", amount="1.00", reason="Goodwill")

    assert response.status_code == 302
    refund.refresh_from_db()
    assert (refund.amount, refund.reason) == (Decimal("10.00"), "Goodwill")


def test_the_invoice_counter_and_handled_stripe_events_are_only_shown(superuser_client, network):
    counter = InvoiceCounter.objects.create(last_number=41)
    event = StripeEvent.objects.create(event_id="evt_1", type="charge.refunded")
    response = superuser_client.post(
        f"/admin/payments/invoicecounter/{counter.pk}/change/", {"last_number": "1"}
    )
    assert response.status_code == 403
    response = superuser_client.post(
        f"/admin/payments/stripeevent/{event.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
    assert (
        superuser_client.get(f"/admin/payments/stripeevent/{event.pk}/change/").status_code == 200
    )
    counter.refresh_from_db()
    assert counter.last_number == 41
    assert StripeEvent.objects.filter(event_id="evt_1").exists()


def test_a_payment_keeps_its_customer_and_is_never_less_than_its_refunds(
    superuser_client, customer
):
    payment = PaymentFactory(customer=customer, refunded_total=Decimal("10.00"))
    response = admin_post(superuser_client, change_url(payment), total="5.00")
    assert response.status_code == 200
    assert "refunded already" in response.content.decode()

    other = CustomerFactory()
    response = admin_post(superuser_client, change_url(payment), customer=other.pk, membership="")
    assert response.status_code == 302
    payment.refresh_from_db()
    assert (payment.customer, payment.total) == (customer, Decimal("29.00"))

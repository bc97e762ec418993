from __future__ import annotations

import io
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from pypdf import PdfReader

from events.models import Event
from payments.models import InvoiceCounter, Payment, PaymentLineItem
from payments.services import payment_invoice_issue
from tests.conftest import network_url
from tests.factories import CustomerFactory, PaymentFactory


@pytest.fixture
def payment(customer):
    customer.company_name = "Analytical Engines Ltd"
    customer.billing_email = "accounts@engines.example"
    customer.address_line_1 = "12 St James's Square"
    customer.city = "London"
    customer.postal_code = "SW1Y 4JH"
    customer.country = "GB"
    customer.save()
    payment = PaymentFactory(
        customer=customer,
        subtotal=Decimal("40.00"),
        discount_total=Decimal("5.00"),
        tax_total=Decimal("3.00"),
        total=Decimal("38.00"),
    )
    PaymentLineItem.objects.create(
        payment=payment,
        description="Pro plan, monthly",
        quantity=1,
        unit_price=Decimal("30.00"),
        total=Decimal("30.00"),
    )
    PaymentLineItem.objects.create(
        payment=payment,
        description="Extra storage",
        quantity=2,
        unit_price=Decimal("5.00"),
        total=Decimal("10.00"),
    )
    return payment


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _generate(client, payment):
    return client.post(network_url("payments:invoice", payment.pk))


def test_generating_an_invoice_gives_a_pdf_with_everything_on_it(admin_client, payment, settings):
    settings.INVOICE_SELLER = {
        "name": "Network Hosting Ltd.",
        "address": "1 Server Street, 10115 Berlin, Germany",
        "email": "billing@network.localhost",
    }
    response = _generate(admin_client, payment)
    assert response.status_code == 302
    assert response["Location"] == network_url("payments:invoice_pdf", payment.pk)

    pdf = admin_client.get(response["Location"])
    assert pdf["Content-Type"] == "application/pdf"
    assert 'filename="INV-000001.pdf"' in pdf["Content-Disposition"]
    text = _pdf_text(pdf.content)
    for expected in [
        "INVOICE",
        "Invoice number INV-000001",
        f"Payment {payment.reference}",
        "Network Hosting Ltd.",
        "1 Server Street, 10115 Berlin, Germany",
        "billing@network.localhost",
        "Analytical Engines Ltd",
        "Ada Lovelace",
        "accounts@engines.example",
        "12 St James's Square",
        "SW1Y 4JH London",
        "United Kingdom",
        "Pro plan, monthly",
        "Extra storage",
        "Subtotal",
        "40.00 USD",
        "-5.00 USD",
        "3.00 USD",
        "38.00 USD",
    ]:
        assert expected in text, expected


def test_downloading_again_gives_the_same_number(admin_client, payment):
    _generate(admin_client, payment)
    _generate(admin_client, payment)
    other = PaymentFactory(customer=payment.customer)
    _generate(admin_client, other)

    payment.refresh_from_db()
    other.refresh_from_db()
    assert (payment.invoice_number, other.invoice_number) == (1, 2)
    for _ in range(2):
        text = _pdf_text(admin_client.get(network_url("payments:invoice_pdf", payment.pk)).content)
        assert "INV-000001" in text
    assert (
        Event.objects.filter(type=Event.Type.INVOICE_GENERATED, subject_id=payment.pk).count() == 1
    )


def test_the_page_offers_the_download_once_issued(admin_client, payment):
    url = network_url("payments:detail", payment.pk)
    assert "Generate invoice" in admin_client.get(url).content.decode()
    _generate(admin_client, payment)
    assert "Download invoice INV-000001" in admin_client.get(url).content.decode()


def test_names_outside_latin_1_survive(admin_client, network):
    customer = CustomerFactory(user__first_name="Zoë", user__last_name="Ζήνων")
    payment = PaymentFactory(customer=customer)
    _generate(admin_client, payment)
    text = _pdf_text(admin_client.get(network_url("payments:invoice_pdf", payment.pk)).content)
    assert "Zoë Ζήνων" in text


def test_a_pending_payment_gets_no_invoice_number(admin_client, network):
    payment = PaymentFactory(status=Payment.Status.PENDING)
    response = _generate(admin_client, payment)
    assert response["Location"] == network_url("payments:detail", payment.pk)
    payment.refresh_from_db()
    assert payment.invoice_number is None
    page = admin_client.get(response["Location"]).content.decode()
    assert "invoices are for money received" in page
    assert admin_client.get(network_url("payments:invoice_pdf", payment.pk)).status_code == 302


def test_a_rolled_back_issue_leaves_no_gap(db, customer):
    first, second = PaymentFactory(customer=customer), PaymentFactory(customer=customer)
    with pytest.raises(ValidationError), transaction.atomic():
        payment_invoice_issue(payment=first)
        raise ValidationError("something later in the same transaction failed")
    first.refresh_from_db()
    assert first.invoice_number is None
    assert payment_invoice_issue(payment=second).invoice_number == 1


def _in_threads(target, args_list) -> list:
    """Run target(*args) in parallel threads, each on its own database connection."""
    barrier = threading.Barrier(len(args_list))
    results, errors = [None] * len(args_list), []

    def run(index, args):
        try:
            barrier.wait()
            results[index] = target(*args)
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, args)) for index, args in enumerate(args_list)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return results


def _issue_in_a_slow_request(payment_pk: int) -> int:
    """Issue, then keep the transaction open a while, as a slow request would: without
    proper locking, every thread would read the counter before any of them commits."""
    with transaction.atomic():
        payment = payment_invoice_issue(payment=Payment.objects.get(pk=payment_pk))
        time.sleep(0.15)
    return payment.invoice_number


def test_numbers_stay_sequential_when_admins_issue_at_the_same_time(transactional_db, customer):
    payments = [PaymentFactory(customer=customer) for _ in range(6)]
    numbers = _in_threads(_issue_in_a_slow_request, [(payment.pk,) for payment in payments])
    assert sorted(numbers) == list(range(1, 7))
    assert InvoiceCounter.objects.get().last_number == 6
    issued = dict(Payment.objects.values_list("pk", "invoice_number"))
    assert [issued[payment.pk] for payment in payments] == numbers


def test_a_double_click_takes_one_number(transactional_db, customer):
    payment = PaymentFactory(customer=customer)
    numbers = _in_threads(_issue_in_a_slow_request, [(payment.pk,), (payment.pk,)])
    assert numbers == [1, 1]
    assert InvoiceCounter.objects.get().last_number == 1
    assert Event.objects.filter(type=Event.Type.INVOICE_GENERATED).count() == 1

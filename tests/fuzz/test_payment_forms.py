"""The payment page's forms: details, status, refund and invoice. Refunds go through the
manual gateway. See doors.py for the properties."""

from __future__ import annotations

import uuid

from payments.forms import PaymentDetailsForm, PaymentStatusForm, RefundForm
from tests.conftest import network_url
from tests.fuzz.doors import Door, fuzz_test

test_payment_details = fuzz_test(
    Door(
        "payment_details",
        lambda w: network_url("payments:update", w.payment.pk),
        PaymentDetailsForm,
    )
)

test_payment_status = fuzz_test(
    Door(
        "payment_status",
        lambda w: network_url("payments:status", w.payment.pk),
        PaymentStatusForm,
    )
)

test_payment_refund = fuzz_test(
    Door(
        "payment_refund",
        lambda w: network_url("payments:refund", w.payment.pk),
        RefundForm,
        known=lambda w: {
            "amount": ["29.00", "0.01", "29.01", "1", "28.999", "0.00"],
            # Another payment's refund form, and a fresh one.
            "key": [str(w.graces_refund.key), str(uuid.uuid4())],
        },
    )
)

test_payment_invoice = fuzz_test(
    Door(
        "payment_invoice",
        lambda w: network_url("payments:invoice", w.payment.pk),
        None,
        extra_fields=("invoice_number",),
    )
)

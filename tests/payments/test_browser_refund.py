from __future__ import annotations

import re
from decimal import Decimal

import pytest

from events.models import Event
from payments.models import Payment
from tests.conftest import login_in_browser
from tests.factories import CustomerFactory, make_super_admin

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("stripe_settings")]


def test_an_admin_refunds_part_of_a_stripe_payment_from_the_customers_page(
    live_network, page, stripe_charge, stripe_api
):
    make_super_admin(username="root", email="root@network.localhost")
    customer = CustomerFactory(user__first_name="Ada", user__last_name="Lovelace")
    charge = stripe_charge(2900)
    payment = Payment.objects.create(
        customer=customer,
        status=Payment.Status.COMPLETED,
        gateway="stripe",
        gateway_payment_id=charge.id,
        subtotal=Decimal("29.00"),
        total=Decimal("29.00"),
    )
    login_in_browser(page, live_network, "root@network.localhost")
    page.wait_for_selector("h1")

    page.goto(live_network(f"/customers/{customer.pk}/"))
    page.click(f"a[aria-label='Open {payment.reference}']")
    page.wait_for_selector(f"h1:has-text('Payment {payment.reference}')")

    page.fill("input[name=amount]", "12.50")
    page.fill("input[name=reason]", "Downgraded mid-month")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Refund')")

    page.wait_for_selector(".message-success")
    assert "Refunded 12.50 USD" in page.inner_text(".messages")
    assert page.inner_text("h1 .badge") == "Partially refunded"
    totals = page.inner_text("table.totals")
    assert re.search(r"Refunded\s+−12\.50 USD", totals)
    assert re.search(r"Net\s+16\.50 USD", totals)
    assert "Downgraded mid-month" in page.inner_text("#refunds")
    assert page.input_value("input[name=amount]") == "16.50"

    assert stripe_api.v1.charges.retrieve(charge.id).amount_refunded == 1250
    assert Event.objects.filter(type=Event.Type.PAYMENT_REFUNDED, customer=customer).exists()

"""The customer list, its export and filters, the customer page, and its forms: Fields,
Billing Info, Customer Options, and Add customer. See doors.py for the properties."""

from __future__ import annotations

from customers.forms import (
    CustomerAddForm,
    CustomerBillingForm,
    CustomerFieldsForm,
    CustomerListFilters,
    CustomerOptionsForm,
)
from tests.conftest import network_url
from tests.factories import PASSWORD
from tests.fuzz.doors import Door, fuzz_test

NAMES = ["ada", "ADA", "grace", "root", "loner", "fresh", "Ada "]
EMAILS = [
    "ada@example.com",
    "ADA@Example.com",
    "grace@navy.example",
    "root@network.localhost",
    "loner@example.com",
    "fresh@example.com",
]

test_customer_fields = fuzz_test(
    Door(
        "customer_fields",
        lambda w: network_url("customers:fields", w.ada.pk),
        CustomerFieldsForm,
        known=lambda w: {"username": NAMES, "email": EMAILS},
    )
)

test_customer_billing = fuzz_test(
    Door(
        "customer_billing",
        lambda w: network_url("customers:billing", w.ada.pk),
        CustomerBillingForm,
        known=lambda w: {"billing_email": EMAILS, "country": ["US", "DE", "us", "XX"]},
    )
)

test_customer_options = fuzz_test(
    Door(
        "customer_options",
        lambda w: network_url("customers:options", w.ada.pk),
        CustomerOptionsForm,
    )
)

test_customer_add = fuzz_test(
    Door(
        "customer_add",
        lambda w: network_url("customers:add"),
        CustomerAddForm,
        known=lambda w: {
            "username": NAMES,
            "email": EMAILS,
            "account": [*NAMES, *EMAILS, "nobody"],
            "password": ["", PASSWORD, "short", "fresh"],
        },
    )
)

test_customer_list_filters = fuzz_test(
    Door(
        "customer_list_filters",
        lambda w: network_url("customers:list"),
        CustomerListFilters,
        method="GET",
        extra_fields=("page",),
        known=lambda w: {"q": ["ada", "grace", "navy.example", "a"], "page": ["1", "2", "400"]},
    )
)

test_customer_export_filters = fuzz_test(
    Door(
        "customer_export_filters",
        lambda w: network_url("customers:export"),
        CustomerListFilters,
        method="GET",
        known=lambda w: {"q": ["ada", "grace", "navy.example"]},
    )
)

test_customer_page_parameters = fuzz_test(
    Door(
        "customer_page_parameters",
        lambda w: network_url("customers:detail", w.ada.pk),
        None,
        method="GET",
        extra_fields=("tab", "events_page"),
        known=lambda w: {"tab": ["options", "billing", "fields"]},
    )
)

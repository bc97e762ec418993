from __future__ import annotations

from dataclasses import dataclass

import pytest

from customers.models import Customer, LoginRecord
from events.models import Event
from events.services import event_record
from sites.models import Site
from tests.factories import CustomerFactory, MembershipFactory, PaymentFactory


@dataclass
class Holdings:
    customer: Customer
    sites: list[Site]


@pytest.fixture
def give(make_site):
    """Give a customer `n` of everything: memberships (each with a payment), sites with
    real schemas, login records and events."""

    def give(customer: Customer, n: int = 1, slug: str = "acme") -> Holdings:
        sites = []
        for i in range(n):
            membership = MembershipFactory(customer=customer)
            PaymentFactory(customer=customer, membership=membership)
            sites.append(make_site(f"{slug}{i}" if n > 1 else slug, customer=customer))
            LoginRecord.objects.create(customer=customer, ip=f"203.0.113.{i + 1}", host="x")
            event_record(type=Event.Type.VIP_CHANGED, message=f"VIP {i}", customer=customer)
        return Holdings(customer=customer, sites=sites)

    return give


@pytest.fixture
def bob(network) -> Customer:
    return CustomerFactory(
        user__username="bob",
        user__email="bob@example.com",
        user__first_name="Bob",
        user__last_name="Builder",
    )


@pytest.fixture
def refuse_deleting_customer(db_refuses):
    """PostgreSQL itself refuses to delete one customer's row: the last step of that
    customer's deletion, after its sites, payments and memberships went."""

    def refuse(customer: Customer):
        return db_refuses(
            "customers_customer",
            event="DELETE",
            when=f"OLD.id = {int(customer.pk)}",
            message="'forced failure deleting customer %', OLD.id",
        )

    return refuse

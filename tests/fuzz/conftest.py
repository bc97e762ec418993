"""Hypothesis profiles and the data of the form fuzz tests.

"ci" (the default, and `make test`) runs CI_EXAMPLES_PER_FORM generated examples per
form, the same ones on every run, plus the known edge cases; "fuzz" (`make fuzz`, or
HYPOTHESIS_PROFILE=fuzz) runs FUZZ_EXAMPLES_PER_FORM random ones per form and keeps the
failing ones under .data/hypothesis to try first next time."""

from __future__ import annotations

import os
import uuid
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase

from memberships.models import Gateway, Membership, MembershipAddon, Product
from payments.services import payment_refund
from tests.factories import (
    CustomerFactory,
    MembershipFactory,
    PaymentFactory,
    ProductFactory,
    UserFactory,
)
from tests.fuzz.doors import World, snapshot

CI_EXAMPLES_PER_FORM = 25
FUZZ_EXAMPLES_PER_FORM = 500

_SLOW_IS_FINE = [HealthCheck.too_slow, HealthCheck.data_too_large]

settings.register_profile(
    "ci",
    max_examples=CI_EXAMPLES_PER_FORM,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=_SLOW_IS_FINE,
)
settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES_PER_FORM", FUZZ_EXAMPLES_PER_FORM)),
    deadline=None,
    database=DirectoryBasedExampleDatabase(".data/hypothesis"),
    print_blob=True,
    suppress_health_check=_SLOW_IS_FINE,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def world(network, customer, make_site, super_admin) -> World:
    starter = ProductFactory(name="Starter")
    pro = ProductFactory(name="Pro", price=Decimal("99.00"))
    ProductFactory(name="Retired", active=False)
    backups = ProductFactory(name="Backups", kind=Product.Kind.SERVICE, price=Decimal("5.00"))
    ProductFactory(name="Theme pack", kind=Product.Kind.PACKAGE, price=Decimal("12.50"))

    membership = MembershipFactory(customer=customer, plan=starter)
    addon = MembershipAddon.objects.create(membership=membership, product=backups, quantity=2)
    MembershipFactory(customer=customer, plan=pro, status=Membership.Status.PENDING)
    payment = PaymentFactory(customer=customer, membership=membership, gateway=Gateway.MANUAL)

    grace = CustomerFactory(user__username="grace", user__email="grace@navy.example")
    graces_payment = PaymentFactory(
        customer=grace, membership=MembershipFactory(customer=grace, plan=pro)
    )
    graces_refund, _ = payment_refund(
        payment=graces_payment, amount=Decimal("1.00"), key=uuid.uuid4()
    )

    world = World(
        network=network,
        ada=customer,
        grace=grace,
        loner=UserFactory(username="loner", email="loner@example.com"),
        membership=membership,
        addon=addon,
        payment=payment,
        graces_refund=graces_refund,
        site=make_site("acme", customer=customer, membership=membership),
        graces_site=make_site("bolt", customer=grace),
    )
    # Every example starts from here: each one is rolled back.
    world.baseline = snapshot()
    return world

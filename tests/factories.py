from __future__ import annotations

from decimal import Decimal

import factory
from django.contrib.auth.models import Permission

from customers.models import Customer, User
from memberships.models import Membership, Product
from payments.models import Payment

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password(PASSWORD)


def make_super_admin(**kwargs) -> User:
    user = UserFactory(is_staff=True, **kwargs)
    user.user_permissions.add(Permission.objects.get(codename="network_admin"))
    return User.objects.get(pk=user.pk)  # fresh: no stale permission cache


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    user = factory.SubFactory(UserFactory)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Plan {n}")
    slug = factory.Sequence(lambda n: f"plan-{n}")
    price = Decimal("29.00")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    customer = factory.SubFactory(CustomerFactory)
    plan = factory.SubFactory(ProductFactory)
    status = Membership.Status.ACTIVE
    amount = Decimal("29.00")
    initial_amount = Decimal("29.00")


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    customer = factory.SubFactory(CustomerFactory)
    membership = factory.SubFactory(MembershipFactory, customer=factory.SelfAttribute("..customer"))
    status = Payment.Status.COMPLETED
    subtotal = Decimal("29.00")
    total = Decimal("29.00")

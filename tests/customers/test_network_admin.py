"""`User.is_network_admin` and its SQL twin `network_admin_condition` (which the Switch to
re-check reads in the grant's own query) agree on every kind of account."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from customers.models import User, network_admin_condition
from tests.factories import UserFactory, make_super_admin


def through_a_group(**kwargs) -> User:
    user = UserFactory(is_staff=True, **kwargs)
    group = Group.objects.create(name="Admins")
    group.permissions.add(Permission.objects.get(codename="network_admin"))
    user.groups.add(group)
    return user


def with_the_permission(user: User) -> User:
    user.user_permissions.add(Permission.objects.get(codename="network_admin"))
    return user


ACCOUNTS = {
    "super admin": lambda: make_super_admin(username="root"),
    "through a group": lambda: through_a_group(username="team"),
    "superuser and staff": lambda: UserFactory(is_staff=True, is_superuser=True),
    "superuser, not staff": lambda: UserFactory(is_superuser=True),
    "staff without the permission": lambda: UserFactory(is_staff=True),
    "the permission, not staff": lambda: with_the_permission(UserFactory()),
    "inactive super admin": lambda: make_super_admin(username="gone", is_active=False),
    "a customer": lambda: UserFactory(),
}


@pytest.mark.parametrize("kind", ACCOUNTS)
def test_the_sql_condition_agrees_with_the_property(db, kind):
    user = ACCOUNTS[kind]()
    user = User.objects.get(pk=user.pk)  # no permission cache

    in_sql = User.objects.filter(pk=user.pk).filter(network_admin_condition()).exists()

    assert in_sql == user.is_network_admin

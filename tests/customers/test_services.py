from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from customers import services
from customers.models import Customer, User
from events.models import Event
from tests.factories import CustomerFactory, UserFactory


def test_customer_create_makes_an_account_and_a_profile_with_an_event(network, super_admin):
    customer = services.customer_create(
        username="grace",
        email="grace@example.com",
        first_name="Grace",
        last_name="Hopper",
        password="a long and unusual passphrase",
        actor=super_admin,
        ip="81.2.69.160",
    )
    assert customer.user.check_password("a long and unusual passphrase")
    event = Event.objects.get(type=Event.Type.CUSTOMER_CREATED)
    assert event.customer_ref == customer.pk
    assert event.actor == super_admin
    assert event.ip == "81.2.69.160"
    assert event.new["new_account"] is True


def test_customer_create_without_a_password_leaves_it_unusable(network):
    customer = services.customer_create(username="grace", email="g@example.com", actor=None)
    assert not customer.user.has_usable_password()


@pytest.mark.parametrize(
    ("username", "email", "field"),
    [("ADA", "new@example.com", "username"), ("new", "ADA@Example.com", "email")],
)
def test_usernames_and_emails_are_unique_whatever_the_case(customer, username, email, field):
    with pytest.raises(ValidationError) as error:
        services.customer_create(username=username, email=email, actor=None)
    assert field in error.value.message_dict
    assert User.objects.count() == 1


def test_the_database_refuses_case_duplicates_too(customer):
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="other", email="ADA@EXAMPLE.COM")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="Ada", email="other@example.com")


def test_accounts_without_email_do_not_collide(network):
    UserFactory(username="one", email="")
    UserFactory(username="two", email="")
    assert User.objects.filter(email="").count() == 2


def test_customer_create_for_user_adds_a_profile_to_an_existing_account(network, super_admin):
    user = UserFactory(username="linus")
    customer = services.customer_create_for_user(user=user, actor=super_admin)
    assert customer.user == user
    assert Event.objects.get(type=Event.Type.CUSTOMER_CREATED).new["new_account"] is False


def test_customer_create_for_user_refuses_customers_and_staff(customer, super_admin):
    with pytest.raises(ValidationError):
        services.customer_create_for_user(user=customer.user, actor=None)
    with pytest.raises(ValidationError):
        services.customer_create_for_user(user=super_admin, actor=None)
    assert Customer.objects.count() == 1


def test_billing_update_validates_before_saving_anything(customer):
    with pytest.raises(ValidationError) as error:
        services.customer_update_billing(
            customer=customer,
            actor=None,
            company_name="Engines",
            billing_email="",
            address_line_1="",
            postal_code="1",
            country="GB",
        )
    assert set(error.value.message_dict) == {"billing_email", "address_line_1"}
    customer.refresh_from_db()
    assert customer.company_name == ""
    assert not Event.objects.exists()


def test_an_unchanged_edit_records_no_event(customer):
    assert services.customer_update_options(customer=customer, vip=False, actor=None) is False
    changed = services.customer_update_fields(
        customer=customer,
        actor=None,
        username="ada",
        email="ada@example.com",
        email_verification="none",
    )
    assert changed == []
    assert not Event.objects.exists()


def test_login_record_updates_last_login_and_records_a_login_event(customer):
    before = Customer.objects.get(pk=customer.pk).updated_at
    record = services.customer_login_record(
        customer=customer, ip="81.2.69.160", country_code="GB", host="network.localhost"
    )
    customer.refresh_from_db()
    assert customer.last_login_at == customer.last_seen_at
    assert customer.last_login_at is not None
    assert customer.updated_at == before  # a login is not an edit
    event = Event.objects.get(type=Event.Type.LOGIN)
    assert event.ip == "81.2.69.160"
    assert event.actor == customer.user
    assert record.country_code == "GB"


def test_an_edit_of_another_customer_cannot_take_its_email(customer):
    other = CustomerFactory(user__username="alan", user__email="alan@example.com")
    with pytest.raises(ValidationError):
        services.customer_update_fields(
            customer=other,
            actor=None,
            username="alan",
            email="Ada@example.com",
            email_verification="none",
        )

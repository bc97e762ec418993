from __future__ import annotations

from customers.models import Customer, User
from events.models import Event
from tests.factories import PASSWORD, UserFactory


def test_the_owner_changes_their_name(owner_client, customer):
    response = owner_client.post(
        "/dashboard/account/save/",
        {"first_name": "Augusta", "last_name": "King", "email": "ada@example.com"},
    )
    assert response.status_code == 302
    user = User.objects.get(pk=customer.user_id)
    assert user.get_full_name() == "Augusta King"
    assert Customer.objects.get(pk=customer.pk).email_verification == customer.email_verification


def test_a_new_email_waits_for_verification(owner_client, customer):
    Customer.objects.filter(pk=customer.pk).update(email_verification="verified")

    owner_client.post(
        "/dashboard/account/save/",
        {"first_name": "Ada", "last_name": "Lovelace", "email": "countess@example.com"},
    )

    current = Customer.objects.select_related("user").get(pk=customer.pk)
    assert current.user.email == "countess@example.com"
    assert current.email_verification == "pending"
    assert Event.objects.filter(type=Event.Type.EMAIL_VERIFICATION).exists()


def test_an_email_of_another_account_is_refused(owner_client, customer):
    UserFactory(email="taken@example.com")
    response = owner_client.post(
        "/dashboard/account/save/",
        {"first_name": "Ada", "last_name": "", "email": "TAKEN@example.com"},
    )
    assert response.status_code == 400
    assert "already belongs" in str(response.context["account_form"].errors)
    assert User.objects.get(pk=customer.user_id).email == "ada@example.com"


def test_the_owner_changes_their_password_and_stays_signed_in(owner_client, customer):
    response = owner_client.post(
        "/dashboard/account/password/",
        {"old_password": PASSWORD, "new_password": "a much longer new secret 42"},
    )
    assert response.status_code == 302
    assert User.objects.get(pk=customer.user_id).check_password("a much longer new secret 42")
    assert owner_client.get("/dashboard/account/").status_code == 200
    event = Event.objects.get(type=Event.Type.PASSWORD_CHANGED)
    assert event.customer == customer


def test_a_wrong_current_password_changes_nothing(owner_client, customer):
    response = owner_client.post(
        "/dashboard/account/password/",
        {"old_password": "nope", "new_password": "a much longer new secret 42"},
    )
    assert response.status_code == 400
    assert User.objects.get(pk=customer.user_id).check_password(PASSWORD)
    assert not Event.objects.filter(type=Event.Type.PASSWORD_CHANGED).exists()


def test_a_weak_new_password_is_refused(owner_client, customer):
    response = owner_client.post(
        "/dashboard/account/password/", {"old_password": PASSWORD, "new_password": "password"}
    )
    assert response.status_code == 400
    assert User.objects.get(pk=customer.user_id).check_password(PASSWORD)


def test_during_switch_to_the_password_form_is_not_offered(switched):
    page = switched.get("/dashboard/account/").content.decode()
    assert "can't be changed during Switch to" in page
    assert 'name="old_password"' not in page

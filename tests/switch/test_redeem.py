"""Redeeming a grant on the subsite host: once, in time, on its own site, as the customer."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from django_tenants.utils import tenant_context

from customers.models import Customer, LoginRecord
from switch.models import SwitchGrant
from tests.conftest import NETWORK_HOST, host_client
from tests.switch.conftest import redeem, session_exists, session_key, start, subsite_session


def assert_no_session(client) -> None:
    """Nobody is signed in on the subsite: the dashboard asks for a login."""
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_redeeming_signs_the_admin_in_as_the_customer_on_the_dashboard(
    admin_client, customer, acme
):
    client, response = redeem(start(admin_client, customer))

    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    dashboard = client.get("/dashboard/")
    assert dashboard.status_code == 200
    assert dashboard.wsgi_request.user == customer.user
    assert b"Site administrator" in dashboard.content
    assert SwitchGrant.objects.get().redeemed_at is not None


def test_a_second_redemption_fails_with_a_clear_page_and_no_session(admin_client, customer, acme):
    secret = start(admin_client, customer)
    redeem(secret)

    client, response = redeem(secret)

    assert response.status_code == 403
    assert b"already been used" in response.content
    assert session_key(client) is None
    assert_no_session(client)


def test_an_expired_grant_fails(admin_client, customer, acme):
    secret = start(admin_client, customer)
    SwitchGrant.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    client, response = redeem(secret)

    assert response.status_code == 403
    assert b"has expired" in response.content
    assert_no_session(client)
    assert SwitchGrant.objects.get().redeemed_at is None


def test_the_expired_page_states_the_configured_lifetime(settings, admin_client, customer, acme):
    settings.SWITCH_TO_GRANT_SECONDS = 90
    secret = start(admin_client, customer)
    SwitchGrant.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    _client, response = redeem(secret)

    assert b"Links work for 90 seconds." in response.content


def test_a_grant_presented_on_another_sites_host_fails(admin_client, customer, acme, beta):
    secret = start(admin_client, customer)

    client, response = redeem(secret, host="beta.localhost")

    assert response.status_code == 403
    assert b"issued for another site" in response.content
    assert_no_session(client)
    assert SwitchGrant.objects.get().redeemed_at is None


def test_a_grant_cannot_be_redeemed_on_the_network_host(admin_client, customer, acme):
    secret = start(admin_client, customer)
    response = host_client(NETWORK_HOST).post("/switch/redeem/", {"secret": secret})
    assert response.status_code == 404
    assert SwitchGrant.objects.get().redeemed_at is None


def test_a_tampered_secret_fails(admin_client, customer, acme):
    secret = start(admin_client, customer)
    tampered = secret[:-1] + ("A" if secret[-1] != "A" else "B")

    client, response = redeem(tampered)

    assert response.status_code == 403
    assert b"not valid" in response.content
    assert_no_session(client)
    assert SwitchGrant.objects.get().redeemed_at is None


def test_a_missing_secret_is_a_bad_request(acme):
    response = host_client("acme.localhost").post("/switch/redeem/", {})
    assert response.status_code == 400


def test_the_redeem_address_only_accepts_a_post(acme):
    response = host_client("acme.localhost").get("/switch/redeem/")
    assert response.status_code == 405
    assert b"Open Switch to from the customer" in response.content


def test_an_admin_who_lost_the_permission_before_redeeming_is_refused(
    admin_client, super_admin, customer, acme
):
    secret = start(admin_client, customer)
    super_admin.user_permissions.clear()

    client, response = redeem(secret)

    assert response.status_code == 403
    assert b"Only network super admins" in response.content
    assert_no_session(client)


def test_a_customer_made_staff_before_redeeming_is_refused(admin_client, customer, acme):
    secret = start(admin_client, customer)
    customer.user.is_staff = True
    customer.user.save()

    client, response = redeem(secret)

    assert response.status_code == 403
    assert_no_session(client)


def test_redeeming_rotates_the_session_key_and_the_csrf_token(admin_client, customer, acme):
    client = host_client("acme.localhost")
    client.get("/login/")  # a CSRF cookie, as any visitor gets
    csrf_before = client.cookies[settings.CSRF_COOKIE_NAME].value
    with tenant_context(acme):
        before = SessionStore()
        before["visited"] = True
        before.create()
    client.cookies[settings.SESSION_COOKIE_NAME] = before.session_key

    redeem(start(admin_client, customer), client=client)

    after = session_key(client)
    assert after and after != before.session_key
    assert not session_exists(acme, before.session_key)
    assert session_exists(acme, after)
    assert client.cookies[settings.CSRF_COOKIE_NAME].value != csrf_before


def test_impersonating_does_not_touch_last_login_or_login_records(admin_client, customer, acme):
    earlier = timezone.now() - timedelta(days=3)
    type(customer.user).objects.filter(pk=customer.user.pk).update(last_login=earlier)

    client, _ = redeem(start(admin_client, customer))
    client.get("/dashboard/")

    customer = Customer.objects.select_related("user").get(pk=customer.pk)
    assert customer.user.last_login == earlier
    assert customer.last_login_at is None
    assert not LoginRecord.objects.exists()


def test_the_impersonated_session_is_bounded_by_the_switch_setting(settings, switched, acme):
    settings.SWITCH_TO_SESSION_SECONDS = 30 * 60
    session = subsite_session(acme, session_key(switched))
    age = (session.get_expiry_date() - timezone.now()).total_seconds()
    assert 30 * 60 - 10 < age <= 30 * 60


def test_the_impersonated_session_never_outlives_an_admins_own_session(
    settings, admin_client, customer, acme
):
    settings.SWITCH_TO_SESSION_SECONDS = 24 * 60 * 60
    settings.SESSION_COOKIE_AGE = 10 * 60

    client, _ = redeem(start(admin_client, customer))

    session = subsite_session(acme, session_key(client))
    age = (session.get_expiry_date() - timezone.now()).total_seconds()
    assert 10 * 60 - 10 < age <= 10 * 60
    assert client.cookies[settings.SESSION_COOKIE_NAME]["max-age"] <= 10 * 60


def test_using_the_session_does_not_extend_it(switched, acme):
    first = subsite_session(acme, session_key(switched)).get_expiry_date()
    switched.get("/dashboard/")
    switched.get("/")
    assert subsite_session(acme, session_key(switched)).get_expiry_date() == first


def test_the_impersonated_cookie_is_not_valid_on_the_network_host(switched):
    network = host_client(NETWORK_HOST)
    network.cookies[settings.SESSION_COOKIE_NAME] = session_key(switched)
    response = network.get("/customers/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_impersonated_cookie_is_not_valid_on_another_subsite(beta, switched):
    beta = host_client("beta.localhost")
    beta.cookies[settings.SESSION_COOKIE_NAME] = session_key(switched)
    assert_no_session(beta)


def test_the_admins_network_cookie_does_not_sign_in_on_the_subsite(admin_client, acme):
    admin_client.get("/customers/")
    subsite = host_client("acme.localhost")
    subsite.cookies[settings.SESSION_COOKIE_NAME] = session_key(admin_client)
    assert_no_session(subsite)


def test_the_grant_table_never_holds_a_permission_to_the_other_host(admin_client, customer, acme):
    """Even a leaked grant row is useless: the hash is not the secret."""
    start(admin_client, customer)
    grant = SwitchGrant.objects.get()
    client, response = redeem(grant.secret_hash)
    assert response.status_code == 403
    assert_no_session(client)


def test_an_admin_whose_permission_comes_from_a_group_can_switch(
    admin_client, super_admin, customer, acme
):
    group = Group.objects.create(name="Network admins")
    group.permissions.add(Permission.objects.get(codename="network_admin"))
    super_admin.groups.add(group)
    super_admin.user_permissions.clear()

    client, response = redeem(start(admin_client, customer))
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200

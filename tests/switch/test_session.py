"""The impersonated session re-checks the admin on every request and ends when it must."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone
from django_tenants.utils import tenant_context

from events.models import Event
from events.services import current_impersonator
from switch.middleware import ImpersonationMiddleware
from switch.services import SESSION_KEY
from tests.conftest import host_client
from tests.factories import PASSWORD
from tests.switch.conftest import session_exists, session_key, subsite_session


def assert_ended(client, site, key: str, words: str) -> None:
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert any(words in str(m) for m in get_messages(response.wsgi_request))
    assert words in client.get(response["Location"]).content.decode()
    assert not session_exists(site, key)
    assert client.get("/dashboard/")["Location"].startswith("/login/")
    event = Event.objects.get(type=Event.Type.SWITCH_BACK)
    assert words in event.new["reason"]


def test_the_admin_is_exposed_to_the_request_while_impersonating(switched, super_admin, customer):
    response = switched.get("/dashboard/")
    assert response.wsgi_request.impersonator == super_admin
    assert response.wsgi_request.user == customer.user


def test_a_customers_own_session_is_not_impersonated(make_site, customer):
    make_site("acme", customer=customer)
    client = host_client("acme.localhost")
    client.post("/login/", {"username": "ada", "password": PASSWORD})
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert response.wsgi_request.impersonator is None


def test_deactivating_the_admin_ends_the_session_on_the_next_request(switched, super_admin, acme):
    key = session_key(switched)
    assert switched.get("/dashboard/").status_code == 200
    super_admin.is_active = False
    super_admin.save()
    assert_ended(switched, acme, key, "no longer a super admin")


def test_removing_the_admins_permission_ends_the_session(switched, super_admin, acme):
    key = session_key(switched)
    super_admin.user_permissions.clear()
    assert_ended(switched, acme, key, "no longer a super admin")


def test_removing_the_admins_staff_flag_ends_the_session(switched, super_admin, acme):
    key = session_key(switched)
    super_admin.is_staff = False
    super_admin.save()
    assert_ended(switched, acme, key, "no longer a super admin")


def test_a_write_is_not_performed_once_the_admin_lost_the_right(switched, super_admin, acme):
    key = session_key(switched)
    super_admin.user_permissions.clear()
    response = switched.post("/switch/back/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert not session_exists(acme, key)
    assert Event.objects.filter(type=Event.Type.SWITCH_BACK).count() == 1


def test_the_session_ends_when_its_time_is_up(switched, acme):
    key = session_key(switched)
    with tenant_context(acme):
        session = subsite_session(acme, key)
        session[SESSION_KEY] = {
            **session[SESSION_KEY],
            "expires": (timezone.now() - timedelta(seconds=1)).isoformat(),
        }
        session.save()
    assert_ended(switched, acme, key, "expired")


def test_turning_the_feature_off_ends_running_sessions(settings, switched, acme):
    key = session_key(switched)
    settings.SWITCH_TO_ENABLED = False
    assert_ended(switched, acme, key, "turned off")


def test_a_customer_made_staff_mid_session_ends_it(switched, customer, acme):
    key = session_key(switched)
    customer.user.is_staff = True
    customer.user.save()
    assert_ended(switched, acme, key, "can no longer be used")


def test_a_customer_made_superuser_mid_session_ends_it(switched, customer, acme):
    key = session_key(switched)
    customer.user.is_superuser = True
    customer.user.save()
    assert_ended(switched, acme, key, "can no longer be used")


def test_events_recorded_during_an_impersonated_request_carry_the_admin(
    switched, super_admin, customer
):
    """Switching back is a request of the impersonated session that records an event."""
    switched.post("/switch/back/")

    event = Event.objects.get(type=Event.Type.SWITCH_BACK)
    assert event.impersonator == super_admin
    assert event.customer == customer


def test_events_recorded_during_the_request_can_read_the_impersonator(switched, super_admin, acme):
    """The middleware publishes the admin for event_record; it is gone after the request."""
    seen = []
    request = RequestFactory().get("/dashboard/", HTTP_HOST="acme.localhost")
    request.tenant = acme
    request.session = subsite_session(acme, session_key(switched))
    request.user = type(super_admin).objects.get(customer__sites=acme)

    def view(request):
        seen.append(current_impersonator.get())
        return HttpResponse()

    ImpersonationMiddleware(view)(request)

    assert seen == [super_admin]
    assert current_impersonator.get() is None

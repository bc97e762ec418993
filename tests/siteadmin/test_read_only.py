"""View as (read-only): a super admin looks at the customer's site administration and
can change nothing. Every form on the subsite is posted in a read-only session and
refused, and nothing changes, in the public schema or the site's own."""

from __future__ import annotations

import pytest
from django.urls import resolve
from django_tenants.utils import tenant_context

from customers.models import Customer
from events.models import Event
from payments.models import Payment
from siteadmin.models import SiteSettings, TeamMember
from siteadmin.services import team_invite
from switch.models import SwitchGrant
from tests.conftest import network_url
from tests.factories import MembershipFactory, PaymentFactory, UserFactory
from tests.siteadmin.conftest import view_as
from tests.siteadmin.forms_on_pages import post_forms
from tests.switch.conftest import redeem

PAGES = [
    "/dashboard/",
    "/dashboard/account/",
    "/dashboard/billing/",
    "/dashboard/settings/",
    "/dashboard/domains/",
    "/dashboard/team/",
]
# The only unsafe requests a read-only session may make: its ways out.
EXITS = {"tenant_switch:back", "logout"}


@pytest.fixture
def furnished(acme, customer, super_admin):
    """A site with something behind every form: a membership, a payment that may get an
    invoice, a team member who can be removed, and an invitation to join."""
    membership = MembershipFactory(customer=customer)
    acme.membership = membership
    acme.save(update_fields=["membership"])
    PaymentFactory(customer=customer, membership=membership)
    with tenant_context(acme):
        team_invite(site=acme, actor=customer.user, email="helper@example.com", role="editor")
    return acme


def _every_form(owner_client, furnished) -> list:
    """Each form the owner is offered on every page (the read-only session sees fewer:
    the password form, for one), and the invited person's join form."""
    forms = []
    for page in PAGES:
        response = owner_client.get(page)
        assert response.status_code == 200, page
        forms += post_forms(page, response.content.decode())
    invite = owner_client.post(
        "/dashboard/team/invite/", {"email": "newcomer@example.com", "role": "editor"}
    )
    join_path = invite.context["invite_link"].split("acme.localhost", 1)[1]
    forms += post_forms(join_path, owner_client.get(join_path).content.decode())
    return forms


def _state(site) -> dict:
    """What a read-only session must leave exactly as it was."""
    customer = Customer.objects.select_related("user").get(pk=site.customer_id)
    with tenant_context(site):
        tenant = {
            "settings": list(SiteSettings.objects.values()),
            "team": list(TeamMember.objects.order_by("pk").values()),
        }
    return {
        "customer": {f.name: getattr(customer, f.name) for f in Customer._meta.fields},
        "password": customer.user.password,
        "email": customer.user.email,
        "name": customer.user.get_full_name(),
        "payments": list(Payment.objects.order_by("pk").values("pk", "invoice_number")),
        "events": list(
            Event.objects.exclude(type__startswith="switch.").order_by("pk").values_list("pk")
        ),
        "domains": list(site.domains.order_by("pk").values_list("domain", "is_primary")),
        **tenant,
    }


def test_every_form_on_the_subsite_is_refused_and_nothing_changes(
    owner_client, furnished, admin_client, customer
):
    forms = _every_form(owner_client, furnished)
    actions = {resolve(form.action.split("?")[0]).view_name for form in forms}
    # Every writing view of the site's administration is among the forms posted here.
    assert actions >= {
        "siteadmin:account_update",
        "siteadmin:account_password",
        "siteadmin:billing_update",
        "siteadmin:invoice_issue",
        "siteadmin:settings",
        "siteadmin:domain_request",
        "siteadmin:team_invite",
        "siteadmin:team_remove",
        "siteadmin:join",
    }
    before = _state(furnished)
    viewing, _ = redeem(view_as(admin_client, customer))

    for form in forms:
        if resolve(form.action).view_name in EXITS:
            continue
        response = viewing.post(form.action, form.data)
        assert response.status_code == 403, form
        assert "this is a read-only view" in response.content.decode(), form

    assert _state(furnished) == before
    # The session is still the read-only one: refusals did not end it.
    assert viewing.get("/dashboard/").status_code == 200


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_unsafe_methods_are_refused_too(viewing, method):
    response = getattr(viewing, method)("/dashboard/settings/")
    assert response.status_code == 403
    assert b"read-only view" in response.content


def test_an_unknown_address_is_refused_before_any_view(viewing):
    assert viewing.post("/no/such/page/").status_code == 403


def test_safe_requests_go_through_with_a_read_only_banner(viewing):
    response = viewing.get("/dashboard/billing/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Read-only:" in page
    assert "nothing can be saved" in page


def test_switch_to_is_not_read_only(switched):
    response = switched.post(
        "/dashboard/settings/",
        {"title": "Acme", "tagline": "", "language": "en", "time_zone": "UTC"},
    )
    assert response.status_code == 302
    assert "Read-only" not in switched.get("/dashboard/").content.decode()


def test_switch_back_works_in_a_read_only_session(viewing, customer):
    response = viewing.post("/switch/back/")
    assert response.status_code == 302
    assert network_url("switch:ended", customer.pk) in response["Location"]
    assert viewing.get("/dashboard/").status_code == 302  # signed out on the subsite
    grant = SwitchGrant.objects.get()
    assert grant.read_only and grant.ended_at is not None


def test_logging_out_of_a_read_only_session_switches_back(viewing):
    viewing.post("/logout/")
    assert SwitchGrant.objects.get().ended_at is not None


def test_view_as_is_recorded_as_its_own_event_type(viewing, customer, super_admin):
    started = Event.objects.get(type=Event.Type.VIEW_AS)
    assert started.customer == customer
    assert started.actor == super_admin
    assert "read-only" in started.message
    assert not Event.objects.filter(type=Event.Type.SWITCH_TO).exists()

    viewing.post("/switch/back/")
    assert Event.objects.filter(type=Event.Type.VIEW_AS_END).count() == 1
    assert not Event.objects.filter(type=Event.Type.SWITCH_BACK).exists()


def test_the_customer_page_and_the_list_offer_view_as(admin_client, customer, acme):
    for name, args in (("customers:detail", [customer.pk]), ("customers:list", [])):
        page = admin_client.get(network_url(name, *args)).content.decode()
        assert "View as (read-only)" in page
        assert 'name="read_only" value="1"' in page


def test_view_as_keeps_the_read_only_choice_through_picking_a_site(
    admin_client, customer, acme, make_site
):
    other = make_site("acme2", customer=customer, title="Acme Two")
    picker = admin_client.post(network_url("switch:start", customer.pk), {"read_only": "1"})
    assert "View Acme Two (read-only)" in picker.content.decode()
    handoff = admin_client.post(
        network_url("switch:start", customer.pk), {"read_only": "1", "site": other.pk}
    )
    assert handoff.status_code == 200
    assert SwitchGrant.objects.get().read_only


def test_a_stranger_cannot_start_view_as(outsider_client, customer, acme):
    response = outsider_client.post(network_url("switch:start", customer.pk), {"read_only": "1"})
    assert response.status_code in (302, 403)
    assert not SwitchGrant.objects.exists()


def test_a_read_only_session_cannot_write_even_by_a_team_member_account(viewing, acme):
    """The refusal is about the session, not the person: nothing reaches a service."""
    user = UserFactory(email="x@example.com")
    response = viewing.post("/dashboard/team/invite/", {"email": user.email, "role": "editor"})
    assert response.status_code == 403
    with tenant_context(acme):
        assert not TeamMember.objects.exists()

"""`manage.py switch_prune`, from cron: records the end of sessions that are over without
anyone having said so, then deletes the grants nobody needs any more."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone
from django_tenants.utils import tenant_context

from events.models import Event
from sites.models import Site
from switch.models import SwitchGrant
from tests.switch.conftest import redeem, start


def prune() -> str:
    out = StringIO()
    call_command("switch_prune", stdout=out)
    return out.getvalue()


def expire_the_session(site) -> None:
    """Time passes: the session and its record are both past their expiry."""
    past = timezone.now() - timedelta(seconds=1)
    SwitchGrant.objects.update(session_expires_at=past)
    with tenant_context(site):
        Session.objects.update(expire_date=past)


def test_an_expired_session_is_recorded_as_ended(switched, super_admin, customer, acme):
    expire_the_session(acme)
    assert switched.get("/dashboard/")["Location"].startswith("/login/")  # Django dropped it

    assert prune() == "Ended 1 Switch to session(s); deleted 1 grant(s).\n"

    event = Event.objects.get(type=Event.Type.SWITCH_BACK)
    assert event.new["reason"] == "Your Switch to session has expired."
    assert (event.actor, event.customer) == (super_admin, customer)
    assert (event.subject_type, event.subject_id) == ("site", acme.pk)


def test_pruning_twice_records_nothing_more(switched, acme):
    expire_the_session(acme)
    prune()

    assert prune() == "Ended 0 Switch to session(s); deleted 0 grant(s).\n"
    assert Event.objects.filter(type=Event.Type.SWITCH_BACK).count() == 1


def test_a_running_session_and_an_unused_live_link_are_kept(switched, admin_client, customer):
    start(admin_client, customer)

    assert prune() == "Ended 0 Switch to session(s); deleted 0 grant(s).\n"
    assert SwitchGrant.objects.count() == 2
    assert switched.get("/dashboard/").status_code == 200


def test_used_and_expired_links_are_deleted(admin_client, customer, acme):
    start(admin_client, customer)  # never used, expires
    redeem(start(admin_client, customer))  # used; its session runs on
    redeem(start(admin_client, customer))[0].post("/switch/back/")
    SwitchGrant.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    SwitchGrant.objects.filter(ended_at__isnull=False).update(
        session_expires_at=timezone.now() - timedelta(seconds=1)
    )

    prune()

    assert list(SwitchGrant.objects.values_list("ended_at", flat=True)) == [None]


def test_an_ended_grant_stays_while_its_session_could_still_knock(switched, acme):
    switched.post("/switch/back/")

    assert prune() == "Ended 0 Switch to session(s); deleted 0 grant(s).\n"
    assert SwitchGrant.objects.get().ended_at is not None


def test_a_site_deleted_around_the_product_still_gets_the_end_recorded(switched, acme):
    Site.objects.filter(pk=acme.pk).delete()  # e.g. a raw fix; the grant stays behind

    prune()

    event = Event.objects.get(type=Event.Type.SWITCH_BACK)
    assert event.new["reason"] == "Your Switch to session ended: the site was deleted."
    assert "on a deleted site" in event.message


def test_a_site_deactivated_around_the_product_still_gets_the_end_recorded(switched, acme):
    Site.objects.filter(pk=acme.pk).update(active=False)

    prune()

    event = Event.objects.get(type=Event.Type.SWITCH_BACK)
    assert event.new["reason"] == "Your Switch to session ended: the site was deactivated."

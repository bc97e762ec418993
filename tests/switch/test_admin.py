"""Grants are written only by switch.services: a grant works once and, once redeemed, is
the record of the session it started. And a site without a schema is never switched to."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.messages import get_messages
from django.db import connection
from django.utils import timezone

from events.models import Event
from sites.models import Site
from switch.models import SwitchGrant
from tests.conftest import network_url
from tests.switch.conftest import redeem, start


def test_grants_are_only_shown_in_admin(superuser_client, admin_client, customer, acme):
    redeem(start(admin_client, customer))
    grant = SwitchGrant.objects.get()
    url = f"/admin/switch/switchgrant/{grant.pk}/"
    assert superuser_client.get(f"{url}change/").status_code == 200
    response = superuser_client.post(
        f"{url}change/",
        {"expires_at_0": "2999-01-01", "expires_at_1": "00:00", "redeemed_at_0": ""},
    )
    assert response.status_code == 403
    assert superuser_client.post(f"{url}delete/", {"post": "yes"}).status_code == 403
    assert superuser_client.get("/admin/switch/switchgrant/add/").status_code == 403
    grant.refresh_from_db()
    assert grant.redeemed_at is not None
    assert grant.expires_at < timezone.now() + timedelta(days=1)


def test_a_site_without_a_schema_is_refused_with_no_event(admin_client, customer, acme):
    with connection.cursor() as cursor:
        cursor.execute('DROP SCHEMA "acme" CASCADE')
    response = admin_client.post(network_url("switch:start", customer.pk), {"site": acme.pk})

    assert response.status_code == 302
    messages = [str(message) for message in get_messages(response.wsgi_request)]
    assert any("has no schema" in message for message in messages), messages
    assert not SwitchGrant.objects.exists()
    assert not Event.objects.filter(type=Event.Type.SWITCH_TO).exists()
    assert Site.objects.get(pk=acme.pk).active

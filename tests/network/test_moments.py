"""Every page writes a moment one way, "Nov 3, 2025 14:05 UTC", with its time zone; a
relative time never says "0 minutes ago"."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from customers.models import LoginRecord
from events.models import Event
from events.services import event_record
from tests.conftest import network_url
from tests.factories import PaymentFactory

TAG = re.compile(r"<[^>]+>")
OTHER_FORMATS = re.compile(r"\d{4}-\d{2}-\d{2}|[ap]\.m\.|\b\w{3}\. \d")


def _visible_text(response) -> str:
    return TAG.sub(" ", response.content.decode())


@pytest.fixture
def paid(customer, super_admin):
    payment = PaymentFactory(customer=customer, invoice_number=1, invoice_issued_at=timezone.now())
    membership = payment.membership
    membership.date_expiration = datetime(2026, 12, 14, 16, 56, tzinfo=UTC)
    membership.save()
    customer.last_login_at = timezone.now() - timedelta(hours=3)
    customer.save()
    LoginRecord.objects.create(customer=customer, ip="203.0.113.9")
    event_record(
        type=Event.Type.MEMBERSHIP_UPDATED,
        message="Status changed",
        customer=customer,
        subject=membership,
        actor=super_admin,
        old={"status": "pending"},
        new={"status": "active"},
    )
    return payment


def test_every_page_writes_moments_one_way_with_the_time_zone(admin_client, paid):
    pages = [
        network_url("customers:detail", paid.customer.pk),
        network_url("memberships:detail", paid.membership.pk),
        network_url("payments:detail", paid.pk),
        network_url("events:list"),
        network_url("customers:list"),
    ]
    for url in pages:
        text = _visible_text(admin_client.get(url))
        assert not OTHER_FORMATS.findall(text), url
    membership_page = _visible_text(admin_client.get(pages[1]))
    assert "Dec 14, 2026 16:56 UTC" in membership_page  # Expires


def test_moments_are_written_in_the_network_time_zone(admin_client, paid, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    page = _visible_text(admin_client.get(network_url("memberships:detail", paid.membership.pk)))
    assert "Dec 14, 2026 17:56 CET" in page


def test_history_says_just_now_rather_than_zero_minutes_ago(admin_client, paid):
    page = _visible_text(admin_client.get(network_url("memberships:detail", paid.membership.pk)))
    assert "just now" in page
    assert "0\xa0minutes" not in page and "0 minutes" not in page

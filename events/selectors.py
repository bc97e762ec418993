"""Reads of the event log for the pages that show it."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import models

from events.models import Event
from network.paging import Page, page_fetch, page_number

CUSTOMER_BLOCK_SIZE = 10
HISTORY_SIZE = 10


def customer_events_page(customer_pk: int, params: Mapping[str, str]) -> Page:
    """The Events block of the customer page: newest first, with its total."""
    events = Event.objects.filter(customer_ref=customer_pk).order_by("-created_at", "-id")
    number = page_number(params, "events_page")
    return page_fetch(
        events, number=number, size=CUSTOMER_BLOCK_SIZE, param="events_page", counted=True
    )


def subject_history(subject: models.Model, limit: int = HISTORY_SIZE) -> list[Event]:
    """The latest events about one object (a membership, a payment or a site)."""
    return list(
        Event.objects.filter(subject_type=subject._meta.model_name, subject_id=subject.pk).order_by(
            "-created_at", "-id"
        )[:limit]
    )

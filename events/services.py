from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import models
from django.utils import translation

from events.models import Event

# The super admin acting as a customer during the current request (Switch to), so that
# every event recorded meanwhile carries them. Set only through `events_impersonated_by`.
current_impersonator: ContextVar = ContextVar("current_impersonator", default=None)


@contextmanager
def events_impersonated_by(admin) -> Iterator[None]:
    """Every event recorded inside the block carries `admin` as its impersonator."""
    token = current_impersonator.set(admin)
    try:
        yield
    finally:
        current_impersonator.reset(token)


def english(label) -> str:
    """A translatable label (a status, a field's name) as an event message quotes it: in
    English whatever the admin's language, like the rest of the message, which is stored
    once and shown as written."""
    with translation.override("en"):
        return str(label)


def event_record(
    *,
    type: Event.Type,
    message: str,
    customer=None,
    subject: models.Model | None = None,
    actor=None,
    impersonator=None,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    ip: str | None = None,
) -> Event:
    """Append one event. Callers are the services that make the change, inside their
    transaction, so the event exists exactly when the change does. While a super admin
    acts as a customer (Switch to), the event carries that admin as `impersonator`."""
    event = _event(
        type=type,
        message=message,
        customer=customer,
        subject=subject,
        actor=actor,
        impersonator=impersonator,
        old=old,
        new=new,
        ip=ip,
    )
    event.save(force_insert=True)
    return event


def event_record_many(records: list[dict[str, Any]]) -> list[Event]:
    """Append many events in one INSERT (a bulk action: one event per customer); each
    record holds event_record's keyword arguments."""
    return Event.objects.bulk_create([_event(**record) for record in records])


def _event(
    *,
    type: Event.Type,
    message: str,
    customer=None,
    subject: models.Model | None = None,
    actor=None,
    impersonator=None,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    ip: str | None = None,
) -> Event:
    impersonator = impersonator if impersonator is not None else current_impersonator.get()
    return Event(
        type=type,
        message=message[:500],
        customer=customer,
        customer_ref=customer.pk if customer is not None else None,
        customer_label=_label(customer.user) if customer is not None else "",
        subject_type=subject._meta.model_name if subject is not None else "",
        subject_id=subject.pk if subject is not None else None,
        actor=actor,
        actor_label=_label(actor) if actor is not None else "",
        impersonator=impersonator,
        impersonator_label=_label(impersonator) if impersonator is not None else "",
        old=old,
        new=new,
        ip=ip,
    )


def _label(user) -> str:
    return f"{user.display_name} <{user.email}>"

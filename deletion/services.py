"""Deleting a customer: permanent, in one transaction, with a tombstone event.

Two options, as in the original product: delete everything the customer owns, or hand
their memberships, payments and sites to another customer first. Either way the
customer's events stay in the event log (their `customer` link becomes NULL;
`customer_ref` and the copied label keep saying whose they were). The sites, memberships
and payments are deleted or moved by their own apps' services, which record their events.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext, ngettext
from django_tenants.utils import get_public_schema_name

from customers.models import Customer, LoginRecord, Note, Run, RunOutcome, User
from customers.services import notes_reassign, run_create
from deletion.selectors import customer_tombstone, login_account_kept
from deletion.tasks import customers_delete_run
from events.models import Event
from events.services import event_record
from memberships.models import Membership
from memberships.services import membership_reassign
from network import formatting
from payments.models import Payment
from payments.services import payments_reassign
from sites.models import Domain, Site
from sites.services import site_delete, sites_reassign

logger = logging.getLogger(__name__)


class CustomerGone(Exception):
    """The customer was deleted meanwhile: a second submit, or another admin was faster."""


@transaction.atomic
def customer_delete(
    *,
    customer: Customer,
    actor: User | None,
    reassign_to: Customer | None = None,
    ip: str | None = None,
) -> Event:
    """Delete `customer` for good, or nothing at all; returns the tombstone event.

    Without `reassign_to`: its sites (rows, domains and schemas), payments and
    memberships go. With it: those move to `reassign_to`. Then the login records, the
    customer and, unless it is staff, the login account go. Deleting the account is what
    ends the customer's sessions on every host: each schema keeps its own sessions, and
    Django's auth middleware treats a session whose user row is gone as anonymous.
    """
    if reassign_to is not None and reassign_to.pk == customer.pk:
        raise ValidationError(
            {"reassign_to": gettext("A customer can't receive their own things.")}
        )
    customer, reassign_to = _lock(customer, reassign_to)
    user = customer.user
    label = f"{user.display_name} <{user.email}>"
    events_kept = Event.objects.filter(customer_ref=customer.pk).count()

    if reassign_to is None:
        counts = _delete_owned(customer=customer, actor=actor, ip=ip)
        # The notes go with the customer (the row's ON DELETE CASCADE, below).
        counts["notes"] = Note.objects.filter(customer=customer).count()
    else:
        counts = _reassign_owned(customer=customer, target=reassign_to, actor=actor, ip=ip)
        counts["notes_kept"] = notes_reassign(from_customer=customer, to_customer=reassign_to)
    _, deleted = LoginRecord.objects.filter(customer=customer).delete()
    counts["login_records"] = deleted.get(LoginRecord._meta.label, 0)
    counts["events_kept"] = events_kept
    keep_account = login_account_kept(user)

    message = f"Customer {label} (#{customer.pk}) deleted permanently"
    if reassign_to is not None:
        message += (
            f"; memberships, payments and sites went to "
            f"{reassign_to.user.display_name} <{reassign_to.user.email}>"
        )
    # Recorded while the customer row still exists, so event_record copies its id and
    # label; deleting the row below sets the link to NULL like on every other event.
    tombstone = event_record(
        type=Event.Type.CUSTOMER_DELETED,
        message=message,
        customer=customer,
        subject=customer,
        actor=actor,
        ip=ip,
        new={
            "option": "delete" if reassign_to is None else "reassign",
            "id": customer.pk,
            "email": user.email,
            "name": user.get_full_name(),
            "username": user.username,
            "counts": counts,
            "login_account": "kept (staff)" if keep_account else "deleted",
            "reassigned_to": _customer_facts(reassign_to) if reassign_to is not None else None,
        },
    )
    customer.delete()
    if not keep_account:
        user.delete()
    tombstone.customer = None
    return tombstone


def _lock(customer: Customer, target: Customer | None) -> tuple[Customer, Customer | None]:
    """Lock both rows (in id order, as memberships.services.membership_reassign does, so
    two admins reassigning A→B and B→A can't deadlock) and reload them. Rows pointing at
    a locked customer can't be inserted meanwhile, so the counts below are exact."""
    pks = [customer.pk] if target is None else [customer.pk, target.pk]
    locked = {
        row.pk: row
        for row in Customer.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(pk__in=pks)
        .order_by("pk")
    }
    if customer.pk not in locked:
        raise CustomerGone(customer.pk)
    if target is not None and target.pk not in locked:
        raise ValidationError({"reassign_to": gettext("That customer was deleted meanwhile.")})
    return locked[customer.pk], (locked[target.pk] if target is not None else None)


def _delete_owned(*, customer: Customer, actor: User | None, ip: str | None) -> dict[str, int]:
    sites = list(Site.objects.filter(customer=customer).prefetch_related("domains").order_by("pk"))
    if any(site.is_main or site.schema_name == get_public_schema_name() for site in sites):
        raise ValidationError(
            gettext(
                "This customer owns the network's main site, which is never deleted. "
                "Reassign their things to another customer instead."
            )
        )
    domains = sum(len(site.domains.all()) for site in sites)
    for site in sites:
        site_delete(site=site, actor=actor, ip=ip)
    # Sites first and payments before memberships: nothing is left to SET_NULL.
    _, payments = Payment.objects.filter(customer=customer).delete()
    _, memberships = Membership.objects.filter(customer=customer).delete()
    return {
        "memberships": memberships.get(Membership._meta.label, 0),
        "payments": payments.get(Payment._meta.label, 0),
        "sites": len(sites),
        "domains": domains,
    }


def _reassign_owned(
    *, customer: Customer, target: Customer, actor: User | None, ip: str | None
) -> dict[str, int]:
    counts = {
        "payments": Payment.objects.filter(customer=customer).count(),
        "sites": Site.objects.filter(customer=customer).count(),
        "domains": Domain.objects.filter(tenant__customer=customer).count(),
    }
    memberships = list(Membership.objects.filter(customer=customer).order_by("pk"))
    # Each membership takes its own sites and payments along; what is left belongs to
    # no membership of the customer and moves on its own.
    for membership in memberships:
        membership_reassign(membership=membership, customer=target, actor=actor, ip=ip)
    sites_reassign(from_customer=customer, to_customer=target, actor=actor, ip=ip)
    payments_reassign(from_customer=customer, to_customer=target, actor=actor, ip=ip)
    return {"memberships": len(memberships), **counts}


def _customer_facts(customer: Customer) -> dict[str, Any]:
    return {"id": customer.pk, "email": customer.user.email, "name": customer.user.display_name}


# --- Deleting many customers, or one who owns many sites: the same customer_delete, with
# what happened to each customer as an outcome.


@dataclass(frozen=True)
class DeleteOutcome:
    pk: int
    label: str
    result: RunOutcome.Result
    detail: str

    @property
    def deleted(self) -> bool:
        return self.result == RunOutcome.Result.DONE


def customer_delete_outcome(
    *, pk: int, customer: Customer | None, actor: User | None, ip: str | None = None
) -> DeleteOutcome:
    """Delete one customer of a bulk deletion with customer_delete, saying what happened
    instead of raising: one that fails stops nothing else (its failure is logged)."""
    label = f"{customer.user.display_name} <{customer.user.email}>" if customer else f"#{pk}"
    if customer is None:
        return DeleteOutcome(pk, label, RunOutcome.Result.SKIPPED, _gone(pk))
    try:
        tombstone = customer_delete(customer=customer, actor=actor, ip=ip)
    except CustomerGone:
        return DeleteOutcome(pk, label, RunOutcome.Result.SKIPPED, _gone(pk))
    except ValidationError as error:
        detail = gettext("Not deleted: %(why)s") % {"why": " ".join(error.messages)}
        return DeleteOutcome(pk, label, RunOutcome.Result.FAILED, detail)
    except Exception:
        logger.exception("Deleting customer %s (bulk) failed", pk)
        detail = gettext("Not deleted: an unexpected error (logged). Nothing of theirs went.")
        return DeleteOutcome(pk, label, RunOutcome.Result.FAILED, detail)
    return DeleteOutcome(pk, label, RunOutcome.Result.DONE, deleted_message(tombstone))


def _gone(pk: int) -> str:
    tombstone = customer_tombstone(pk)
    if tombstone is None:
        return gettext("No such customer: nothing to delete.")
    return gettext("Already deleted on %(when)s by %(who)s.") % {
        "when": formatting.moment(tombstone.created_at),
        "who": tombstone.actor_label or gettext("the system"),
    }


def deleted_message(tombstone: Event) -> str:
    """What a deletion did, in one sentence, from its tombstone event."""
    facts = tombstone.new
    counts = facts["counts"]
    nouns = {
        "memberships": lambda n: ngettext("%(count)s membership", "%(count)s memberships", n),
        "payments": lambda n: ngettext("%(count)s payment", "%(count)s payments", n),
        "sites": lambda n: ngettext("%(count)s site", "%(count)s sites", n),
    }
    parts = [
        noun(counts[key]) % {"count": counts[key]} for key, noun in nouns.items() if counts[key]
    ]
    name = f"{facts['name'] or facts['username']} <{facts['email']}>"
    if not parts:
        what = gettext("they owned no memberships, payments or sites")
    elif facts["reassigned_to"]:
        target = facts["reassigned_to"]
        what = gettext("%(things)s now belong to %(name)s") % {
            "things": ", ".join(parts),
            "name": f"{target['name']} <{target['email']}>",
        }
    else:
        what = gettext("%(things)s deleted with them") % {"things": ", ".join(parts)}
    account = (
        gettext("The login account is staff and was kept.")
        if facts["login_account"] != "deleted"
        else gettext("The login account is gone; the email address is free again.")
    )
    return gettext("%(name)s was deleted permanently: %(what)s. %(account)s") % {
        "name": name,
        "what": what,
        "account": account,
    }


@transaction.atomic
def customers_delete_start(
    *, customer_ids: list[int], actor: User | None, ip: str | None = None
) -> Run:
    """Delete more customers than a request should take: a run, with its job deferred in
    the same transaction (deletion.tasks.customers_delete_run)."""
    run = run_create(kind=Run.Kind.DELETE, customer_ids=customer_ids, actor=actor, ip=ip)
    run.job_id = customers_delete_run.defer(run_id=run.pk)
    run.save(update_fields=["job_id"])
    return run


def customer_delete_job_needed(customer: Customer) -> bool:
    """Deleting everything of a customer who owns this many sites (each a schema to
    drop) takes longer than a request should: it runs as a job."""
    return Site.objects.filter(customer=customer).count() > settings.DELETE_JOB_SITES


@transaction.atomic
def customer_delete_start(*, customer: Customer, actor: User | None, ip: str | None = None) -> Run:
    """Delete one customer (everything they own) as a job: the same customer_delete, all
    or nothing, off the request. A run already under way for them is returned instead of
    a second one."""
    running = (
        Run.objects.filter(kind=Run.Kind.DELETE_ONE, customer_ids=[customer.pk])
        .exclude(status__in=[Run.Status.DONE, Run.Status.FAILED])
        .first()
    )
    if running is not None:
        return running
    user = customer.user
    run = run_create(
        kind=Run.Kind.DELETE_ONE,
        customer_ids=[customer.pk],
        actor=actor,
        ip=ip,
        label=f"{user.display_name} <{user.email}>",
    )
    run.job_id = customers_delete_run.defer(run_id=run.pk)
    run.save(update_fields=["job_id"])
    return run


def customers_delete_work(run: Run) -> None:
    """The job's work: each customer of the run deleted by customer_delete, its outcome
    recorded and counted in the same transaction, so a later try of the job skips exactly
    the customers already done."""
    seen = set(RunOutcome.objects.filter(run=run).values_list("customer_ref", flat=True))
    for pk in run.customer_ids:
        if pk in seen:
            continue
        with transaction.atomic():
            customer = Customer.objects.select_related("user").filter(pk=pk).first()
            outcome = customer_delete_outcome(pk=pk, customer=customer, actor=run.actor, ip=run.ip)
            RunOutcome.objects.create(
                run=run,
                customer_ref=pk,
                label=outcome.label[:300],
                result=outcome.result,
                detail=outcome.detail,
            )
            # The results are named after the run's counters: done, skipped, failed.
            counter = str(outcome.result)
            Run.objects.filter(pk=run.pk).update(**{counter: F(counter) + 1})

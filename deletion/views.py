from __future__ import annotations

import logging
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from customers.forms import CustomerSelection
from customers.models import Customer
from deletion import selectors, services
from deletion.forms import DELETE_EVERYTHING, REASSIGN, BulkDeleteForm, CustomerDeleteForm
from events.models import Event
from network import formatting
from network.access import network_admin_required
from network.forms import add_service_errors
from network.http import client_ip


@network_admin_required
@require_http_methods(["GET", "POST"])
def customer_delete(request: HttpRequest, pk: int) -> HttpResponse:
    customer = Customer.objects.select_related("user").filter(pk=pk).first()
    if customer is None:
        return _already_deleted(request, pk)

    if request.method == "POST":
        form = CustomerDeleteForm(request.POST, customer=customer)
        if form.is_valid():
            try:
                tombstone = services.customer_delete(
                    customer=customer,
                    actor=request.user,
                    reassign_to=form.cleaned_data["reassign_to"],
                    ip=client_ip(request),
                )
            except services.CustomerGone:
                return _already_deleted(request, pk)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _deleted_message(tombstone))
                return redirect("customers:list")
        query = request.POST.get("q", "")
    else:
        query = request.GET.get("q", "")
        option = REASSIGN if request.GET.get("option") == REASSIGN else DELETE_EVERYTHING
        # A recipient search keeps the confirmation typed before it (static/js/app.js).
        typed = request.GET.get("confirmation", "")[:254]
        form = CustomerDeleteForm(
            initial={"option": option, "q": query, "confirm_email": typed}, customer=customer
        )

    candidates = selectors.reassign_candidates(
        customer=customer, query=query, selected=form.reassign_to_id
    )
    return render(
        request,
        "deletion/confirm.html",
        {
            "customer": customer,
            "summary": selectors.deletion_summary(customer),
            "form": form,
            "query": query.strip(),
            "candidates": candidates,
            "candidate_limit": selectors.CANDIDATE_LIMIT,
            "reassign_chosen": form["option"].value() == REASSIGN,
        },
    )


# The tombstone's counts, in the order and the words the page shows them.
TOMBSTONE_COUNTS = (
    ("memberships", "Memberships"),
    ("payments", "Payments"),
    ("sites", "Sites"),
    ("domains", "Domains"),
    ("notes", "Notes deleted"),
    ("notes_kept", "Notes moved"),
    ("login_records", "Login records deleted"),
    ("events_kept", "Events kept"),
)


@network_admin_required
def tombstone(request: HttpRequest, pk: int) -> HttpResponse:
    """What was deleted with a customer, read-only, from the event that recorded it:
    where the arrows of a deleted customer's events lead."""
    event = selectors.customer_tombstone(pk)
    if event is None:
        if Customer.objects.filter(pk=pk).exists():
            return redirect("customers:detail", pk)
        # Deleted some other way (Django admin, SQL): their events remain, the counts
        # were never recorded.
        event = Event.objects.filter(customer_ref=pk).order_by("-created_at").first()
        if event is None:
            raise Http404("No deleted customer with this ID.")
        return render(
            request,
            "deletion/tombstone.html",
            {"event": None, "customer_ref": pk, "name": event.customer_label or "Customer"},
        )
    facts = event.new or {}
    counts = facts.get("counts", {})
    return render(
        request,
        "deletion/tombstone.html",
        {
            "event": event,
            "customer_ref": pk,
            "name": facts.get("name") or facts.get("username") or event.customer_label,
            "facts": facts,
            "counts": [(label, counts[key]) for key, label in TOMBSTONE_COUNTS if key in counts],
        },
    )


def _already_deleted(request: HttpRequest, pk: int) -> HttpResponse:
    """A second submit, or the back button after a deletion: say so instead of a 404."""
    tombstone = selectors.customer_tombstone(pk)
    if tombstone is None:
        raise Http404("No such customer.")
    when = formatting.moment(tombstone.created_at)
    by = tombstone.actor_label or "the system"
    messages.info(
        request,
        f"This customer no longer exists: {tombstone.customer_label} was deleted "
        f"on {when} by {by}.",
    )
    return redirect("customers:list")


def _deleted_message(tombstone: Event) -> str:
    facts = tombstone.new
    counts = facts["counts"]
    parts = [
        _plural(counts[key], noun)
        for key, noun in (("memberships", "membership"), ("payments", "payment"), ("sites", "site"))
        if counts[key]
    ]
    name = f"{facts['name'] or facts['username']} <{facts['email']}>"
    if not parts:
        what = "they owned no memberships, payments or sites"
    elif facts["reassigned_to"]:
        target = facts["reassigned_to"]
        what = f"{', '.join(parts)} now belong to {target['name']} <{target['email']}>"
    else:
        what = f"{', '.join(parts)} deleted with them"
    account = (
        "The login account is staff and was kept."
        if facts["login_account"] != "deleted"
        else "The login account is gone; the email address is free again."
    )
    return f"{name} was deleted permanently: {what}. {account}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


logger = logging.getLogger(__name__)


@network_admin_required
@require_POST
def bulk_confirm(request: HttpRequest) -> HttpResponse:
    """From the customer list's "Delete selected…": what goes, before anything does. The
    page carries the listed customers' ids, so the deletion takes exactly those."""
    selection = CustomerSelection(request.POST)
    if selection.error:
        messages.error(request, selection.error)
        query = selection.list_query
        return redirect(reverse("customers:list") + (f"?{query}" if query else ""))
    return _bulk_confirm_page(request, BulkDeleteForm(ids=selection.ids))


def _bulk_confirm_page(request: HttpRequest, form: BulkDeleteForm, status: int = 200):
    summary = selectors.bulk_deletion_summary(form.ids)
    return render(
        request,
        "deletion/bulk_confirm.html",
        {"summary": summary, "form": form, "ids": form.ids},
        status=status,
    )


@dataclass(frozen=True)
class BulkOutcome:
    pk: int
    label: str
    deleted: bool
    detail: str


@network_admin_required
@require_POST
def bulk_delete(request: HttpRequest) -> HttpResponse:
    """Each customer deleted by the single delete's service, in its own transaction: one
    that fails is reported and the rest go on."""
    try:
        ids = sorted({int(value) for value in request.POST.getlist("ids")})
    except ValueError:
        ids = []
    if not ids or len(ids) > CustomerSelection.limit:
        messages.error(request, "The selection was not understood. Nothing was deleted.")
        return redirect("customers:list")
    form = BulkDeleteForm(request.POST, ids=ids)
    if not form.is_valid():
        return _bulk_confirm_page(request, form, status=400)
    customers = {c.pk: c for c in Customer.objects.select_related("user").filter(pk__in=ids)}
    outcomes = [_delete_one(request, pk, customers.get(pk)) for pk in ids]
    return render(
        request,
        "deletion/bulk_result.html",
        {
            "outcomes": outcomes,
            "deleted": sum(outcome.deleted for outcome in outcomes),
            "failed": sum(not outcome.deleted for outcome in outcomes),
        },
    )


def _delete_one(request: HttpRequest, pk: int, customer: Customer | None) -> BulkOutcome:
    label = f"{customer.user.display_name} <{customer.user.email}>" if customer else f"#{pk}"
    if customer is None:
        return BulkOutcome(pk, label, False, _gone(pk))
    try:
        tombstone = services.customer_delete(
            customer=customer, actor=request.user, ip=client_ip(request)
        )
    except services.CustomerGone:
        return BulkOutcome(pk, label, False, _gone(pk))
    except ValidationError as error:
        return BulkOutcome(pk, label, False, "Not deleted: " + " ".join(error.messages))
    except Exception:  # one failure stops nothing else; it is logged with its traceback
        logger.exception("Bulk delete of customer %s failed", pk)
        return BulkOutcome(pk, label, False, "Not deleted: an unexpected error (logged).")
    return BulkOutcome(pk, label, True, _deleted_message(tombstone))


def _gone(pk: int) -> str:
    tombstone = selectors.customer_tombstone(pk)
    if tombstone is None:
        return "No such customer: nothing to delete."
    when = formatting.moment(tombstone.created_at)
    return f"Already deleted on {when} by {tombstone.actor_label or 'the system'}."

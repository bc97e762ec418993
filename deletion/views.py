from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
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
        everything = form.is_valid() and form.cleaned_data["reassign_to"] is None
        if everything and services.customer_delete_job_needed(customer):
            # Hundreds of schemas to drop: a job does it, and its page shows how it went.
            run = services.customer_delete_start(
                customer=customer, actor=request.user, ip=client_ip(request)
            )
            return redirect(run.get_absolute_url())
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
                messages.success(request, services.deleted_message(tombstone))
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
            "delete_job_sites": settings.DELETE_JOB_SITES,
        },
    )


# The tombstone's counts, in the order and the words the page shows them.
TOMBSTONE_COUNTS = (
    ("memberships", gettext_lazy("Memberships")),
    ("payments", gettext_lazy("Payments")),
    ("sites", gettext_lazy("Sites")),
    ("domains", gettext_lazy("Domains")),
    ("notes", gettext_lazy("Notes deleted")),
    ("notes_kept", gettext_lazy("Notes moved")),
    ("login_records", gettext_lazy("Login records deleted")),
    ("events_kept", gettext_lazy("Events kept")),
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
            {
                "event": None,
                "customer_ref": pk,
                "name": event.customer_label or gettext("Customer"),
            },
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
    gone = gettext("This customer no longer exists: %(name)s was deleted on %(when)s by %(who)s.")
    messages.info(
        request,
        gone
        % {
            "name": tombstone.customer_label,
            "when": formatting.moment(tombstone.created_at),
            "who": tombstone.actor_label or gettext("the system"),
        },
    )
    return redirect("customers:list")


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
    if selection.as_job:
        return _bulk_confirm_job_page(request, selection, BulkDeleteForm(ids=selection.ids))
    return _bulk_confirm_page(request, BulkDeleteForm(ids=selection.ids))


def _bulk_confirm_page(request: HttpRequest, form: BulkDeleteForm, status: int = 200):
    summary = selectors.bulk_deletion_summary(form.ids)
    return render(
        request,
        "deletion/bulk_confirm.html",
        {"summary": summary, "form": form, "ids": form.ids},
        status=status,
    )


def _bulk_confirm_job_page(
    request: HttpRequest, selection: CustomerSelection, form: BulkDeleteForm, status: int = 200
) -> HttpResponse:
    """Thousands of customers: the totals and the first few, and the list's filters with
    the digest of exactly these customers instead of every id (deleted by a job)."""
    return render(
        request,
        "deletion/bulk_confirm_job.html",
        {
            "summary": selectors.bulk_deletion_totals(selection.ids),
            "form": form,
            "selection": selection,
            "total": len(selection.ids),
            "sync_limit": settings.BULK_SYNC_LIMIT,
        },
        status=status,
    )


@network_admin_required
@require_POST
def bulk_delete(request: HttpRequest) -> HttpResponse:
    """Each customer deleted by the single delete's service, in its own transaction: one
    that fails is reported and the rest go on. A selection of thousands ("all that
    match", confirmed with its digest) is deleted the same way by a job."""
    if request.POST.get("all_matching") == "on":
        return _bulk_delete_job(request)
    try:
        ids = sorted({int(value) for value in request.POST.getlist("ids")})
    except ValueError:
        ids = []
    if not ids or len(ids) > settings.BULK_SYNC_LIMIT:
        messages.error(request, gettext("The selection was not understood. Nothing was deleted."))
        return redirect("customers:list")
    form = BulkDeleteForm(request.POST, ids=ids)
    if not form.is_valid():
        return _bulk_confirm_page(request, form, status=400)
    customers = {c.pk: c for c in Customer.objects.select_related("user").filter(pk__in=ids)}
    outcomes = [
        services.customer_delete_outcome(
            pk=pk, customer=customers.get(pk), actor=request.user, ip=client_ip(request)
        )
        for pk in ids
    ]
    return render(
        request,
        "deletion/bulk_result.html",
        {
            "outcomes": outcomes,
            "deleted": sum(outcome.deleted for outcome in outcomes),
            "failed": sum(not outcome.deleted for outcome in outcomes),
        },
    )


def _bulk_delete_job(request: HttpRequest) -> HttpResponse:
    selection = CustomerSelection(request.POST)
    if selection.error:
        messages.error(request, selection.error)
        return redirect("customers:list")
    form = BulkDeleteForm(request.POST, ids=selection.ids)
    if request.POST.get("digest") != selection.digest:
        form.is_valid()
        form.add_error(
            None,
            gettext(
                "The customers that match the filters changed since this page was shown: "
                "check the new number below. Nothing was deleted."
            ),
        )
    if not form.is_valid():
        return _bulk_confirm_job_page(request, selection, form, status=400)
    run = services.customers_delete_start(
        customer_ids=selection.ids, actor=request.user, ip=client_ip(request)
    )
    return redirect(run.get_absolute_url())

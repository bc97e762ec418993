from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.views.decorators.http import require_http_methods

from customers.models import Customer
from deletion import selectors, services
from deletion.forms import DELETE_EVERYTHING, REASSIGN, CustomerDeleteForm
from events.models import Event
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
        form = CustomerDeleteForm(initial={"option": option, "q": query}, customer=customer)

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


def _already_deleted(request: HttpRequest, pk: int) -> HttpResponse:
    """A second submit, or the back button after a deletion: say so instead of a 404."""
    tombstone = selectors.customer_tombstone(pk)
    if tombstone is None:
        raise Http404("No such customer.")
    when = date_format(localtime(tombstone.created_at), "DATETIME_FORMAT")
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

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from customers.models import Customer, User
from events.selectors import subject_history
from memberships import services
from memberships.forms import (
    EXPIRING_WITHIN,
    AddonQuantityForm,
    MembershipAddonForm,
    MembershipBillingForm,
    MembershipDatesForm,
    MembershipListFilters,
    MembershipPlanForm,
    MembershipReassignForm,
    MembershipStatusForm,
    initial_from,
)
from memberships.models import Gateway, Membership, MembershipAddon, Product
from network.access import network_admin_required
from network.forms import add_service_errors
from network.http import PkUrl, client_ip, post_or_redirect
from network.lists import (
    EXPORT_CHUNK,
    csv_export,
    facet_choices,
    list_counts,
    list_page_context,
)

SEARCH_RESULTS = 8


def membership_for_admin(pk: int) -> Membership:
    return get_object_or_404(Membership.objects.for_admin_page(), pk=pk)


def reassign_candidates(query: str, *, exclude_customer_id: int) -> list[User]:
    """Customers whose name, username or email contains the query (trigram-indexed)."""
    query = query.replace("\x00", "").strip()  # PostgreSQL text can't hold NUL
    if not query:
        return []
    return list(
        User.objects.search(query)
        .filter(customer__isnull=False)
        .exclude(customer__pk=exclude_customer_id)
        .select_related("customer")
        .order_by("email")[:SEARCH_RESULTS]
    )


def _detail(request: HttpRequest, membership: Membership, **bound) -> HttpResponse:
    """The membership page; a POST that failed validation passes its bound form in."""
    addons = list(membership.addon_rows.select_related("product").order_by("product__name"))
    search = request.GET.get("customer_q", "")
    context = {
        "membership": membership,
        "addons": addons,
        "products_price": membership.plan.price + sum(row.line_total for row in addons),
        "history": subject_history(membership),
        "customer_q": search,
        "candidates": reassign_candidates(search, exclude_customer_id=membership.customer_id),
        "status_form": MembershipStatusForm(initial={"status": membership.status}),
        "reassign_form": MembershipReassignForm(),
        "plan_form": MembershipPlanForm(membership=membership, initial={"plan": membership.plan}),
        "addon_form": MembershipAddonForm(membership=membership),
        "billing_form": MembershipBillingForm(
            initial=initial_from(membership, MembershipBillingForm)
        ),
        "dates_form": MembershipDatesForm(initial=initial_from(membership, MembershipDatesForm)),
        "quantity_row": None,
        "quantity_form": None,
    }
    context.update(bound)
    return render(request, "memberships/detail.html", context)


@network_admin_required
def membership_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, membership_for_admin(pk))


def _apply(
    request: HttpRequest,
    membership: Membership,
    form: forms.Form,
    context_name: str,
    change: Callable[[dict], Any],
    success: str | Callable[[Any], str],
    anchor: str,
    **extra,
) -> HttpResponse:
    """Validate, call the one service, redirect; or show the page again with the errors
    next to the fields and what was typed still in them."""
    if form.is_valid():
        try:
            result = change(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, success(result) if callable(success) else success)
            return redirect(reverse("memberships:detail", args=[membership.pk]) + anchor)
    return _detail(request, membership, **{context_name: form}, **extra)


def _who(request: HttpRequest) -> dict:
    return {"actor": request.user, "ip": client_ip(request)}


@network_admin_required
@post_or_redirect("memberships:detail", "#status")
def membership_status(request: HttpRequest, pk: int) -> HttpResponse:
    membership = membership_for_admin(pk)
    return _apply(
        request,
        membership,
        MembershipStatusForm(request.POST),
        "status_form",
        lambda data: services.membership_status_change(
            membership=membership, status=data["status"], **_who(request)
        ),
        _("Status saved."),
        "#status",
    )


@network_admin_required
@post_or_redirect("memberships:detail", "#customer")
def membership_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    membership = membership_for_admin(pk)
    return _apply(
        request,
        membership,
        MembershipReassignForm(request.POST),
        "reassign_form",
        lambda data: services.membership_reassign(
            membership=membership, customer=data["customer"], **_who(request)
        ),
        lambda moved: (
            _("%(reference)s now belongs to %(customer)s.")
            % {"reference": moved.reference, "customer": moved.customer}
        ),
        "#customer",
    )


@network_admin_required
@post_or_redirect("memberships:detail", "#products")
def membership_plan(request: HttpRequest, pk: int) -> HttpResponse:
    membership = membership_for_admin(pk)
    return _apply(
        request,
        membership,
        MembershipPlanForm(request.POST, membership=membership),
        "plan_form",
        lambda data: services.membership_plan_change(
            membership=membership, plan=data["plan"], **_who(request)
        ),
        _("Plan changed."),
        "#products",
    )


@network_admin_required
@post_or_redirect("memberships:detail", "#products")
def membership_addon_add(request: HttpRequest, pk: int) -> HttpResponse:
    membership = membership_for_admin(pk)
    return _apply(
        request,
        membership,
        MembershipAddonForm(request.POST, membership=membership),
        "addon_form",
        lambda data: services.membership_addon_add(
            membership=membership,
            product=data["product"],
            quantity=data["quantity"],
            **_who(request),
        ),
        _("Add-on added."),
        "#products",
    )


def _addon_for_admin(membership: Membership, addon_pk: int) -> MembershipAddon:
    return get_object_or_404(
        MembershipAddon.objects.select_related("product"), pk=addon_pk, membership=membership
    )


@network_admin_required
@post_or_redirect("memberships:detail", "#products")
def membership_addon_quantity(request: HttpRequest, pk: int, addon_pk: int) -> HttpResponse:
    membership = membership_for_admin(pk)
    addon = _addon_for_admin(membership, addon_pk)
    return _apply(
        request,
        membership,
        AddonQuantityForm(request.POST),
        "quantity_form",
        lambda data: services.membership_addon_update(
            addon=addon, quantity=data["quantity"], **_who(request)
        ),
        _("Quantity of %(product)s saved.") % {"product": addon.product},
        "#products",
        quantity_row=addon.pk,
    )


@network_admin_required
@post_or_redirect("memberships:detail", "#products")
def membership_addon_remove(request: HttpRequest, pk: int, addon_pk: int) -> HttpResponse:
    membership = membership_for_admin(pk)
    addon = _addon_for_admin(membership, addon_pk)
    services.membership_addon_remove(addon=addon, **_who(request))
    messages.success(request, _("%(product)s removed.") % {"product": addon.product})
    return redirect(reverse("memberships:detail", args=[membership.pk]) + "#products")


@network_admin_required
@post_or_redirect("memberships:detail", "#billing")
def membership_billing(request: HttpRequest, pk: int) -> HttpResponse:
    membership = membership_for_admin(pk)
    return _apply(
        request,
        membership,
        MembershipBillingForm(request.POST),
        "billing_form",
        lambda data: services.membership_update(
            membership=membership, changes=data, **_who(request)
        ),
        _("Billing saved."),
        "#billing",
    )


@network_admin_required
@post_or_redirect("memberships:detail", "#dates")
def membership_dates(request: HttpRequest, pk: int) -> HttpResponse:
    membership = membership_for_admin(pk)
    return _apply(
        request,
        membership,
        MembershipDatesForm(request.POST),
        "dates_form",
        lambda data: services.membership_update(
            membership=membership, changes=data, **_who(request)
        ),
        _("Dates saved."),
        "#dates",
    )


LIST_FACETS_KEY = "memberships:list:facet-counts"


def _list_facets(products: list[Product]) -> dict:
    memberships = Membership.objects.all()
    return {
        **{f"status:{v}": memberships.filter(status=v) for v in Membership.Status.values},
        **{f"product:{p.pk}": memberships.filter(plan_id=p.pk) for p in products},
        **{f"gateway:{v}": memberships.filter(gateway=v) for v in Gateway.values},
        **{f"currency:{c}": memberships.filter(currency=c) for c in _currencies(products)},
        **{f"expiring:{d}": memberships.expiring_within(days=d) for d, _label in EXPIRING_WITHIN},
    }


def _currencies(products: list[Product]) -> list[str]:
    return sorted({product.currency for product in products})


@network_admin_required
def membership_list(request: HttpRequest) -> HttpResponse:
    filters = MembershipListFilters(request.GET)
    memberships = filters.memberships()
    products = list(Product.objects.order_by("kind", "name", "id"))
    counts = list_counts(
        memberships,
        key=LIST_FACETS_KEY,
        facets=lambda: _list_facets(products),
        table=Membership._meta.db_table,
    )
    customer_pk = filters.value("customer")
    return render(
        request,
        "memberships/list.html",
        {
            **list_page_context(
                request, filters=filters, rows=memberships.for_list(), counts=counts
            ),
            "status_choices": facet_choices(counts, "status", Membership.Status.choices),
            "product_choices": facet_choices(counts, "product", [(p.pk, p.name) for p in products]),
            "gateway_choices": facet_choices(counts, "gateway", Gateway.choices),
            "currency_choices": facet_choices(
                counts, "currency", [(c, c) for c in _currencies(products)]
            ),
            "expiring_choices": facet_choices(counts, "expiring", EXPIRING_WITHIN),
            "customer": (
                Customer.objects.select_related("user").filter(pk=customer_pk).first()
                if customer_pk
                else None
            ),
            # Reversed once per page, not once per row.
            "detail_url": PkUrl("memberships:detail"),
            "customer_url": PkUrl("customers:detail"),
        },
    )


@network_admin_required
def membership_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered list as CSV, streamed from a server-side cursor."""
    fields = {
        "reference": "id",
        "customer_id": "customer_id",
        "customer_email": "customer__user__email",
        "customer_first_name": "customer__user__first_name",
        "customer_last_name": "customer__user__last_name",
        "plan": "plan__name",
        "status": "status",
        "gateway": "gateway",
        "currency": "currency",
        "initial_amount": "initial_amount",
        "recurring_amount": "amount",
        "recurring": "recurring",
        "billing_interval": "billing_interval",
        "billing_period": "billing_period",
        "expires": "date_expiration",
        "created": "created_at",
    }
    rows = (
        MembershipListFilters(request.GET)
        .memberships()
        .values_list(*fields.values())
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    references = ([f"MEM-{row[0]:06d}", *row[1:]] for row in rows)
    return csv_export(name="memberships", header=list(fields), rows=references)

from __future__ import annotations

import logging
import uuid

import stripe
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from customers.models import Customer
from events.selectors import subject_history
from memberships.models import Gateway, Product
from network.access import network_admin_required
from network.formatting import money
from network.forms import add_service_errors
from network.http import PkUrl, client_ip, post_or_redirect
from network.lists import (
    EXPORT_CHUNK,
    csv_export,
    facet_choices,
    list_counts,
    list_page_context,
)
from payments import services
from payments.forms import PaymentDetailsForm, PaymentListFilters, PaymentStatusForm, RefundForm
from payments.gateways import refund_unavailable
from payments.invoices import invoice_pdf
from payments.models import ZERO, Payment, Refund
from payments.webhooks import stripe_event_handle

logger = logging.getLogger(__name__)


def payment_for_admin(pk: int) -> Payment:
    return get_object_or_404(Payment.objects.for_admin_page(), pk=pk)


def _detail(request: HttpRequest, payment: Payment, **bound) -> HttpResponse:
    refunds = list(payment.refunds.select_related("created_by").order_by("-created_at", "-id"))
    pending = sum((r.amount for r in refunds if r.status == Refund.Status.PENDING), ZERO)
    refundable = payment.refundable_amount - pending
    context = {
        "payment": payment,
        "line_items": payment.line_items.order_by("id"),
        "refunds": refunds,
        "pending_refunds": pending,
        "refundable": refundable,
        "refund_unavailable": refund_unavailable(payment.gateway),
        "history": subject_history(payment),
        "status_form": PaymentStatusForm(initial={"status": payment.status}),
        "details_form": PaymentDetailsForm(
            payment=payment,
            initial={
                "membership": payment.membership_id,
                "gateway": payment.gateway,
                "gateway_payment_id": payment.gateway_payment_id,
            },
        ),
        "refund_form": RefundForm(
            payment=payment, initial={"amount": refundable, "key": uuid.uuid4()}
        ),
    }
    context.update(bound)
    return render(request, "payments/detail.html", context)


def _back(payment: Payment, anchor: str = "") -> HttpResponse:
    return redirect(reverse("payments:detail", args=[payment.pk]) + anchor)


@network_admin_required
def payment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, payment_for_admin(pk))


@network_admin_required
@post_or_redirect("payments:detail", "#status")
def payment_status(request: HttpRequest, pk: int) -> HttpResponse:
    payment = payment_for_admin(pk)
    form = PaymentStatusForm(request.POST)
    if form.is_valid():
        try:
            services.payment_status_change(
                payment=payment,
                status=form.cleaned_data["status"],
                actor=request.user,
                ip=client_ip(request),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Status saved."))
            return _back(payment, "#status")
    return _detail(request, payment, status_form=form)


@network_admin_required
@post_or_redirect("payments:detail", "#details")
def payment_update(request: HttpRequest, pk: int) -> HttpResponse:
    payment = payment_for_admin(pk)
    form = PaymentDetailsForm(request.POST, payment=payment)
    if form.is_valid():
        try:
            services.payment_update(
                payment=payment, **form.cleaned_data, actor=request.user, ip=client_ip(request)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Membership and gateway saved."))
            return _back(payment, "#details")
    return _detail(request, payment, details_form=form)


@network_admin_required
@post_or_redirect("payments:detail", "#refund")
def payment_refund(request: HttpRequest, pk: int) -> HttpResponse:
    payment = payment_for_admin(pk)
    form = RefundForm(request.POST, payment=payment)
    if form.is_valid():
        try:
            refund, created = services.payment_refund(
                payment=payment, **form.cleaned_data, actor=request.user, ip=client_ip(request)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except services.RefundFailed as failure:
            form.add_error(None, failure.refund.failure_message)
        else:
            _refund_message(request, refund, created)
            return _back(payment, "#refunds")
    # A re-shown form gets a fresh key: its next submit is a new attempt, not a repeat.
    form.data = form.data.copy()
    form.data["key"] = str(uuid.uuid4())
    return _detail(request, payment, refund_form=form)


def _refund_message(request: HttpRequest, refund: Refund, created: bool) -> None:
    values = {
        "amount": money(refund.amount, refund.payment.currency),
        "status": refund.get_status_display(),
        "gateway": refund.get_gateway_display(),
        "payment": refund.payment.reference,
    }
    if not created:
        text = _(
            "This refund of %(amount)s was already submitted (%(status)s); nothing more was "
            "refunded."
        )
        messages.warning(request, text % values)
        return
    if refund.status == Refund.Status.PENDING:
        text = _(
            "%(gateway)s is processing the refund of %(amount)s; it counts once settled, and "
            "until then that amount cannot be refunded again."
        )
        messages.info(request, text % values)
        return
    if refund.cancel_membership and refund.payment.membership_id:
        text = _("Refunded %(amount)s of %(payment)s. The membership is cancelled.")
    else:
        text = _("Refunded %(amount)s of %(payment)s.")
    messages.success(request, text % values)


@network_admin_required
@post_or_redirect("payments:detail")
def payment_invoice(request: HttpRequest, pk: int) -> HttpResponse:
    payment = payment_for_admin(pk)
    try:
        payment = services.payment_invoice_issue(
            payment=payment, actor=request.user, ip=client_ip(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back(payment)
    return redirect("payments:invoice_pdf", pk=payment.pk)


@network_admin_required
@require_GET
def payment_invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    payment = payment_for_admin(pk)
    if payment.invoice_number is None:
        messages.error(request, _("This payment has no invoice yet; generate it first."))
        return _back(payment)
    pdf = invoice_pdf(payment, payment.line_items.order_by("id"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{payment.invoice_reference}.pdf"'
    return response


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Signature first, on the raw body; then each event id is handled at most once."""
    if not settings.STRIPE_WEBHOOK_SECRET:
        logger.error("Stripe webhook called but STRIPE_WEBHOOK_SECRET is not set")
        return HttpResponseBadRequest("Webhook secret not configured.")
    try:
        event = stripe.Webhook.construct_event(
            request.body,
            request.headers.get("Stripe-Signature", ""),
            settings.STRIPE_WEBHOOK_SECRET,
        )
    except ValueError:
        return HttpResponseBadRequest("Invalid payload.")
    except stripe.SignatureVerificationError:
        return HttpResponseBadRequest("Invalid signature.")
    handled = stripe_event_handle(event)
    return HttpResponse("ok" if handled else "duplicate", content_type="text/plain")


LIST_FACETS_KEY = "payments:list:facet-counts"


def _list_facets(currencies: list[str]) -> dict:
    payments = Payment.objects.all()
    return {
        **{f"status:{v}": payments.filter(status=v) for v in Payment.Status.values},
        **{f"gateway:{v}": payments.filter(gateway=v) for v in Gateway.values},
        **{f"currency:{c}": payments.filter(currency=c) for c in currencies},
        "refunds": payments.with_refunds(),
    }


@network_admin_required
def payment_list(request: HttpRequest) -> HttpResponse:
    filters = PaymentListFilters(request.GET)
    payments = filters.payments()
    # Payments are charged in their products' currencies.
    currencies = sorted(set(Product.objects.values_list("currency", flat=True)))
    counts = list_counts(
        payments,
        key=LIST_FACETS_KEY,
        facets=lambda: _list_facets(currencies),
        table=Payment._meta.db_table,
    )
    customer_pk = filters.value("customer")
    return render(
        request,
        "payments/list.html",
        {
            **list_page_context(request, filters=filters, rows=payments.for_list(), counts=counts),
            "status_choices": facet_choices(counts, "status", Payment.Status.choices),
            "gateway_choices": facet_choices(counts, "gateway", Gateway.choices),
            "currency_choices": facet_choices(counts, "currency", [(c, c) for c in currencies]),
            "customer": (
                Customer.objects.select_related("user").filter(pk=customer_pk).first()
                if customer_pk
                else None
            ),
            # Reversed once per page, not once per row.
            "detail_url": PkUrl("payments:detail"),
            "customer_url": PkUrl("customers:detail"),
            "membership_url": PkUrl("memberships:detail"),
        },
    )


@network_admin_required
def payment_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered list as CSV, streamed from a server-side cursor."""
    fields = {
        "reference": "id",
        "customer_id": "customer_id",
        "customer_email": "customer__user__email",
        "customer_first_name": "customer__user__first_name",
        "customer_last_name": "customer__user__last_name",
        "membership": "membership_id",
        "status": "status",
        "gateway": "gateway",
        "currency": "currency",
        "subtotal": "subtotal",
        "discount": "discount_total",
        "tax": "tax_total",
        "total": "total",
        "refunded": "refunded_total",
        "invoice": "invoice_number",
        "created": "created_at",
    }
    rows = (
        PaymentListFilters(request.GET)
        .payments()
        .values_list(*fields.values())
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    readable = (
        [
            f"PAY-{pk:06d}",
            customer_id,
            email,
            first,
            last,
            f"MEM-{membership:06d}" if membership else "",
            *rest[:-2],
            f"INV-{rest[-2]:06d}" if rest[-2] else "",
            rest[-1],
        ]
        for pk, customer_id, email, first, last, membership, *rest in rows
    )
    return csv_export(name="payments", header=list(fields), rows=readable)

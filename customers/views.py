from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from customers import selectors, services
from customers.forms import (
    CustomerAddForm,
    CustomerBillingForm,
    CustomerFieldsForm,
    CustomerListFilters,
    CustomerOptionsForm,
    CustomerSelection,
    LanguageForm,
    LoginForm,
    NoteForm,
    PasswordResetForm,
)
from customers.login_capture import login_capture
from customers.models import Customer, Note, Run
from events.selectors import customer_events_page
from network import paging
from network.access import network_admin_required
from network.forms import add_service_errors
from network.http import PkUrl, client_ip, post_or_redirect
from network.lists import EXPORT_CHUNK, IsoMoment, csv_export
from network.paging import capped_counts, page_fetch, page_number

# The filter menus' counts are the same for every view of the list: counted at most
# this often per process.
FACET_COUNTS_KEY = "customers:list:facet-counts"
FACET_COUNTS_SECONDS = 30
# A run's page reloads itself this often until the run is finished.
RUN_REFRESH_SECONDS = 2
RUNS_PAGE_SIZE = 25


def _customer_or_404(pk: int) -> Customer:
    return get_object_or_404(Customer.objects.select_related("user").with_switch_site(), pk=pk)


def _facet_querysets() -> dict[str, QuerySet]:
    return {
        "vip": Customer.objects.filter(vip=True),
        "online": Customer.objects.online(),
        **{
            value: Customer.objects.filter(email_verification=value)
            for value in Customer.EmailVerification.values
        },
    }


def _list_counts(customers: QuerySet) -> dict:
    """The results count, live, and the filter menus' counts from the cache or, when
    they are older than FACET_COUNTS_SECONDS, counted with it: one query either way."""
    facets = cache.get(FACET_COUNTS_KEY)
    querysets = {"results": customers, **(_facet_querysets() if facets is None else {})}
    counts = capped_counts(querysets, estimate_table=Customer._meta.db_table)
    if facets is None:
        facets = {name: counts[name] for name in querysets if name != "results"}
        facets["counted_at"] = timezone.now()
        cache.set(FACET_COUNTS_KEY, facets, FACET_COUNTS_SECONDS)
    return {**facets, **counts}


@network_admin_required
def customer_list(request: HttpRequest) -> HttpResponse:
    filters = CustomerListFilters(request.GET)
    customers = filters.customers()
    counts = _list_counts(customers)
    page = page_fetch(
        customers.for_list(),
        number=page_number(request.GET),
        size=filters.value("per_page"),
        total=counts["results"] if counts["results"] <= paging.COUNT_CAP else None,
    )
    verification = Customer.EmailVerification
    return render(
        request,
        "customers/list.html",
        {
            "filters": filters,
            "page": page,
            "counts": counts,
            "counts_seconds": FACET_COUNTS_SECONDS,
            "count_cap": paging.COUNT_CAP,
            "results_estimate": None if filters.is_filtered else counts["estimate"],
            "verification_choices": [
                (value, label, counts[value]) for value, label in verification.choices
            ],
            # Every text and link of a row, worked out once (selectors.CustomerRow).
            "rows": selectors.customer_rows(page.items),
        },
    )


@network_admin_required
def customer_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered list as CSV."""
    return _csv_response(CustomerListFilters(request.GET).customers())


def _csv_response(customers: QuerySet) -> StreamingHttpResponse:
    """Customers as CSV, streamed from a server-side cursor in chunks: memory stays flat
    at a million rows."""
    rows = (
        customers.with_membership_count()
        .annotate(last_login_iso=IsoMoment("last_login_at"), since_iso=IsoMoment("created_at"))
        .values_list(
            "id",
            "user__first_name",
            "user__last_name",
            "user__username",
            "user__email",
            "vip",
            "email_verification",
            "last_login_iso",
            "since_iso",
            "membership_count",
            "company_name",
            "country",
        )
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    header = [
        "id",
        "first_name",
        "last_name",
        "username",
        "email",
        "vip",
        "email_verification",
        "last_login",
        "customer_since",
        "memberships",
        "company",
        "country",
    ]

    return csv_export(name="customers", header=header, rows=rows)


def _back_to_list(selection: CustomerSelection) -> HttpResponse:
    query = selection.list_query
    return redirect(reverse("customers:list") + (f"?{query}" if query else ""))


@network_admin_required
@require_POST
def customer_bulk_vip(request: HttpRequest) -> HttpResponse:
    selection = CustomerSelection(request.POST)
    tag = request.POST.get("vip_action")
    if tag not in ("tag", "untag"):
        messages.error(request, gettext("Choose Tag VIP or Untag VIP. Nothing changed."))
    elif selection.error:
        messages.error(request, selection.error)
    elif selection.as_job:
        run = services.customers_set_vip_start(
            customer_ids=selection.ids,
            vip=tag == "tag",
            actor=request.user,
            ip=client_ip(request),
        )
        return redirect(run.get_absolute_url())
    else:
        changed = services.customers_set_vip(
            customer_ids=selection.ids,
            vip=tag == "tag",
            actor=request.user,
            ip=client_ip(request),
        )
        unchanged = len(selection.ids) - changed
        messages.success(request, _bulk_vip_done(tag == "tag", changed, unchanged))
    return _back_to_list(selection)


def _bulk_vip_done(tag: bool, changed: int, unchanged: int) -> str:
    if tag and unchanged:
        text = ngettext(
            "Tagged %(count)s customer as VIP; %(unchanged)s already were.",
            "Tagged %(count)s customers as VIP; %(unchanged)s already were.",
            changed,
        )
    elif tag:
        text = ngettext(
            "Tagged %(count)s customer as VIP.", "Tagged %(count)s customers as VIP.", changed
        )
    elif unchanged:
        text = ngettext(
            "Untagged %(count)s customer as VIP; %(unchanged)s already were not.",
            "Untagged %(count)s customers as VIP; %(unchanged)s already were not.",
            changed,
        )
    else:
        text = ngettext(
            "Untagged %(count)s customer as VIP.", "Untagged %(count)s customers as VIP.", changed
        )
    return text % {"count": changed, "unchanged": unchanged}


@network_admin_required
@require_POST
def customer_bulk_export(request: HttpRequest) -> HttpResponse:
    """The selected customers as CSV; each of them gets an event saying so."""
    selection = CustomerSelection(request.POST)
    if selection.as_job:
        selection.error = gettext(
            "An export takes at most %(limit)s selected customers: use Export CSV above "
            "the list, which takes the whole filtered list. Nothing changed."
        ) % {"limit": number_format(settings.BULK_SYNC_LIMIT, force_grouping=True)}
    if selection.error:
        messages.error(request, selection.error)
        return _back_to_list(selection)
    services.customers_export_record(
        customer_ids=selection.ids, actor=request.user, ip=client_ip(request)
    )
    return _csv_response(Customer.objects.filter(pk__in=selection.ids).order_by("pk"))


@network_admin_required
def run_list(request: HttpRequest) -> HttpResponse:
    """Every run, newest first: where an operator finds a run again, a failed one above
    all. The tabs' counts in one query, the page in another."""
    tabs = selectors.run_tabs()
    show = request.GET.get("show", "")
    show = show if show in tabs else "all"
    counts = capped_counts(tabs)
    page = page_fetch(
        tabs[show].for_list(),
        number=page_number(request.GET),
        size=RUNS_PAGE_SIZE,
        total=counts[show] if counts[show] <= paging.COUNT_CAP else None,
    )
    return render(
        request,
        "customers/runs.html",
        {"show": show, "page": page, "counts": counts, "run_url": PkUrl("customers:run")},
    )


@network_admin_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A run's progress and outcome; it reloads itself until the run is finished."""
    # Not the customers' ids nor the lines (up to 100,000 of them): the page reloads every
    # RUN_REFRESH_SECONDS while the run goes on.
    run = get_object_or_404(Run.objects.defer("customer_ids", "items"), pk=pk)
    has_outcomes = run.kind in (Run.Kind.DELETE, Run.Kind.DELETE_ONE, Run.Kind.SITES_CREATE)
    # Creating sites is for one customer, whom the page leads back to.
    customer = (
        Customer.objects.select_related("user")
        .filter(pk__in=Run.objects.filter(pk=run.pk).values("customer_ids__0"))
        .first()
        if run.kind == Run.Kind.SITES_CREATE
        else None
    )
    return render(
        request,
        "customers/run.html",
        {
            "run": run,
            "customer": customer,
            "outcomes": selectors.run_outcomes_page(run, request.GET) if has_outcomes else None,
            "show_failed": request.GET.get("show") == "failed",
            "refresh_seconds": RUN_REFRESH_SECONDS,
        },
    )


@network_admin_required
def customer_add(request: HttpRequest) -> HttpResponse:
    form = CustomerAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["mode"] == CustomerAddForm.EXISTING:
                customer = services.customer_create_for_user(
                    user=data["existing_user"], actor=request.user, ip=client_ip(request)
                )
            else:
                customer = services.customer_create(
                    username=data["username"],
                    email=data["email"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    password=data["password"],
                    invite=True,
                    actor=request.user,
                    ip=client_ip(request),
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            names = {"name": customer.user.display_name, "email": customer.user.email}
            if data["mode"] == CustomerAddForm.EXISTING:
                added = gettext("Customer %(name)s added.") % names
            else:
                added = (
                    gettext(
                        "Customer %(name)s added. An invitation to choose a password is on its way "
                        "to %(email)s."
                    )
                    % names
                )
            messages.success(request, added)
            return redirect(customer.get_absolute_url())
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "customers/add.html", {"form": form}, status=status)


@network_admin_required
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, _customer_or_404(pk))


def _detail_page(
    request: HttpRequest,
    customer: Customer,
    *,
    options_form: CustomerOptionsForm | None = None,
    billing_form: CustomerBillingForm | None = None,
    fields_form: CustomerFieldsForm | None = None,
    note_form: NoteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    tab = "billing" if billing_form is not None else request.GET.get("tab", "options")
    recent_ips = selectors.customer_recent_ips(customer)
    context = {
        "customer": customer,
        "tab": tab if tab in ("options", "billing") else "options",
        "options_form": options_form or CustomerOptionsForm(initial={"vip": customer.vip}),
        "billing_form": billing_form or CustomerBillingForm(instance=customer),
        "fields_form": fields_form or CustomerFieldsForm(customer=customer),
        # Memberships, Payments, Sites and Total grossed are read by their own apps'
        # block tags (customers/detail.html); the events block is read here.
        "events": customer_events_page(customer.pk, request.GET),
        "recent_ips": recent_ips,
        "latest_ip": recent_ips[0] if recent_ips else None,
        "login_failures": selectors.login_failures(key=customer.user.username),
        "notes": selectors.customer_notes_page(customer, request.GET),
        "note_form": note_form or NoteForm(),
    }
    return render(request, "customers/detail.html", context, status=status)


@network_admin_required
@post_or_redirect("customers:detail", "#fields")
def customer_verification_send(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer_or_404(pk)
    services.customer_email_verification_send(
        customer=customer, actor=request.user, ip=client_ip(request)
    )
    messages.success(
        request,
        gettext("A verification email is on its way to %(email)s.")
        % {"email": customer.user.email},
    )
    return redirect(f"{customer.get_absolute_url()}#fields")


def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    """The link in a verification email, opened by the customer (signed in or not): the
    signature, not a session, says who they are. Opening it again says it is done."""
    try:
        customer, verified_now = services.customer_email_verify(token=token, ip=client_ip(request))
    except services.VerificationLinkError as error:
        return render(request, "customers/verify_email.html", {"problem": str(error)}, status=400)
    return render(
        request,
        "customers/verify_email.html",
        {"email": customer.user.email, "verified_now": verified_now},
    )


@network_admin_required
@post_or_redirect("customers:detail", "#last-login")
def customer_login_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer_or_404(pk)
    forgotten = services.customer_login_unlock(
        customer=customer, actor=request.user, ip=client_ip(request)
    )
    if forgotten:
        messages.success(request, gettext("Login lockout cleared."))
    else:
        messages.info(request, gettext("There were no failed logins to clear."))
    return redirect(f"{customer.get_absolute_url()}#last-login")


def _saved(request: HttpRequest, customer: Customer, changed: bool, saved: str, anchor: str):
    """`saved` is the whole message ("Fields saved."), shown when something changed."""
    if changed:
        messages.success(request, saved)
    else:
        messages.info(request, gettext("Nothing changed."))
    return redirect(f"{reverse('customers:detail', args=[customer.pk])}{anchor}")


@network_admin_required
@post_or_redirect("customers:detail", "#customer-options")
def customer_options(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer_or_404(pk)
    form = CustomerOptionsForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, customer, options_form=form, status=400)
    changed = services.customer_update_options(
        customer=customer, vip=form.cleaned_data["vip"], actor=request.user, ip=client_ip(request)
    )
    saved = gettext("Customer options saved.")
    return _saved(request, customer, changed, saved, "#customer-options")


@network_admin_required
@post_or_redirect("customers:detail", "?tab=billing#customer-options")
def customer_billing(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer_or_404(pk)
    # A stand-in instance: the form validates without touching the customer the page
    # shows; the service makes the change.
    form = CustomerBillingForm(request.POST, instance=Customer(pk=customer.pk))
    if form.is_valid():
        try:
            changed = services.customer_update_billing(
                customer=customer,
                actor=request.user,
                ip=client_ip(request),
                **{name: form.cleaned_data[name] for name in services.BILLING_FIELDS},
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            saved = gettext("Billing info saved.")
            return _saved(request, customer, changed, saved, "?tab=billing#customer-options")
    return _detail_page(request, customer, billing_form=form, status=400)


@network_admin_required
@post_or_redirect("customers:detail", "#fields")
def customer_fields(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer_or_404(pk)
    form = CustomerFieldsForm(request.POST, customer=customer)
    if form.is_valid():
        data = form.cleaned_data
        try:
            changed = services.customer_update_fields(
                customer=customer,
                actor=request.user,
                ip=client_ip(request),
                username=data["username"],
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email_verification=data["email_verification"],
                activate_pending_memberships=data["activate_pending_memberships"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if "memberships" in changed:
                messages.success(request, gettext("Pending memberships activated."))
            saved = gettext("Fields saved.")
            return _saved(request, customer, bool(changed), saved, "#fields")
    return _detail_page(request, customer, fields_form=form, status=400)


@network_admin_required
@post_or_redirect("customers:detail", "#notes")
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer_or_404(pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.note_add(
                customer=customer,
                author=request.user,
                text=form.cleaned_data["text"],
                ip=client_ip(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, gettext("Note added."))
            return redirect(f"{customer.get_absolute_url()}#notes")
    return _detail_page(request, customer, note_form=form, status=400)


def _own_note_or_404(request: HttpRequest, pk: int) -> Note:
    note = get_object_or_404(Note.objects.select_related("customer__user"), pk=pk)
    if note.author_id != request.user.pk:
        raise PermissionDenied(gettext("Only the note's author can change or delete it."))
    return note


@network_admin_required
@require_http_methods(["GET", "POST"])
def note_edit(request: HttpRequest, pk: int) -> HttpResponse:
    note = _own_note_or_404(request, pk)
    form = NoteForm(request.POST or None, initial={"text": note.text})
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.note_update(
                note=note, actor=request.user, text=form.cleaned_data["text"], ip=client_ip(request)
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _saved(request, note.customer, changed, gettext("Note saved."), "#notes")
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "customers/note_edit.html", {"note": note, "form": form}, status=status)


@network_admin_required
@require_POST
def note_delete(request: HttpRequest, pk: int) -> HttpResponse:
    note = _own_note_or_404(request, pk)
    services.note_delete(note=note, actor=request.user, ip=client_ip(request))
    messages.success(request, gettext("Note deleted."))
    return redirect(f"{note.customer.get_absolute_url()}#notes")


class LoginView(auth_views.LoginView):
    """The login form of the network host and of every subsite.

    A customer's login is recorded here, explicitly, and not in a user_logged_in
    receiver: Switch to logs an admin in as the customer with login() directly, and
    that must never count as the customer's own login."""

    template_name = "customers/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = False

    def form_valid(self, form: LoginForm) -> HttpResponse:
        response = super().form_valid(form)
        login_capture(self.request, form.get_user())
        return response


class LogoutView(auth_views.LogoutView):
    """The network host's logout: back to our login page, saying so."""

    next_page = "login"

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.info(request, gettext("You are logged out."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """ "Forgot password?" on the network's login and on each subsite's (its owner only):
    the email is queued, with its link on the configured host (customers.forms)."""

    form_class = PasswordResetForm
    template_name = "customers/password_reset_form.html"


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "customers/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "customers/password_reset_confirm.html"


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "customers/password_reset_complete.html"


@network_admin_required
@require_http_methods(["GET", "POST"])
def my_settings(request: HttpRequest) -> HttpResponse:
    """A super admin's own settings: the language they read the admin in."""
    user = request.user
    form = LanguageForm(request.POST or None, initial={"language": user.language})
    if form.is_bound and form.is_valid():
        language = form.cleaned_data["language"]
        try:
            services.user_language_set(
                user=user, language=language, actor=user, ip=client_ip(request)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            # Said in the language just chosen, which the next page is in.
            with translation.override(language or translation.get_language_from_request(request)):
                messages.success(request, gettext("Language saved."))
            return redirect("my_settings")
    status = 400 if form.is_bound else 200
    return render(request, "customers/my_settings.html", {"form": form}, status=status)

"""The site's own administration, on the site's host (network/urls_tenants.py): for its
owner (or a super admin acting as them through Switch to) and the team the owner invited.
Each view loads through siteadmin.access, validates a form, calls one service and
redirects."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import get_language, get_language_from_request, gettext, override
from django.views.decorators.http import require_POST

from customers.forms import CustomerBillingForm, LanguageForm
from customers.models import Customer, User
from customers.services import BILLING_FIELDS, customer_update_billing, user_language_set
from network.forms import add_service_errors
from network.http import client_ip, host_url
from payments.invoices import invoice_pdf
from payments.services import payment_invoice_issue
from siteadmin import selectors, services
from siteadmin.access import EVERYONE, MANAGERS, OWNER, site_role_required
from siteadmin.forms import (
    AccountForm,
    DomainRequestForm,
    JoinForm,
    PasswordChangeForm,
    SiteSettingsForm,
    TeamInviteForm,
)
from siteadmin.models import TeamMember
from sites.selectors import domain_requests


def _who(request: HttpRequest) -> dict:
    return {"actor": request.user, "ip": client_ip(request)}


def home(request: HttpRequest) -> HttpResponse:
    """The site's public home page, in its own title, tagline and language."""
    site = connection.tenant
    return render(
        request,
        "siteadmin/home.html",
        {"site": site, "settings": selectors.site_settings_current(site)},
    )


@site_role_required(*EVERYONE)
def dashboard(request: HttpRequest) -> HttpResponse:
    access = request.site_access
    membership = selectors.site_membership(access.site)
    context = {
        "membership": membership,
        "failed": selectors.failed_payments(access.owner, membership) if access.is_owner else [],
        "settings": selectors.site_settings_current(access.site),
    }
    return render(request, "siteadmin/dashboard.html", context)


# --- Account: the owner's own.


def _account(request: HttpRequest, **forms) -> HttpResponse:
    owner = request.site_access.owner
    context = {
        "owner": owner,
        "account_form": forms.get("account_form")
        or AccountForm(
            initial={
                "first_name": owner.user.first_name,
                "last_name": owner.user.last_name,
                "email": owner.user.email,
            }
        ),
        "password_form": forms.get("password_form") or PasswordChangeForm(),
        "language_form": forms.get("language_form")
        or LanguageForm(initial={"language": owner.user.language}),
    }
    return render(request, "siteadmin/account.html", context, status=forms.get("status", 200))


@site_role_required(OWNER)
def account(request: HttpRequest) -> HttpResponse:
    return _account(request)


@site_role_required(OWNER)
@require_POST
def account_update(request: HttpRequest) -> HttpResponse:
    form = AccountForm(request.POST)
    if form.is_valid():
        try:
            changed = services.account_update(
                owner=request.site_access.owner, **form.cleaned_data, **_who(request)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if "email" in changed:
                messages.success(
                    request,
                    gettext("Account saved. Your new email address is pending verification."),
                )
            else:
                messages.success(
                    request, gettext("Account saved.") if changed else gettext("Nothing to change.")
                )
            return redirect("siteadmin:account")
    return _account(request, account_form=form, status=400)


@site_role_required(OWNER)
@require_POST
def account_password(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST)
    if form.is_valid():
        owner = request.site_access.owner
        try:
            services.account_password_change(
                owner=owner,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
                **_who(request),
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                error = ValidationError({"new_password": error.messages})
            add_service_errors(form, error)
        else:
            update_session_auth_hash(request, owner.user)
            messages.success(request, gettext("Password changed."))
            return redirect("siteadmin:account")
    return _account(request, password_form=form, status=400)


@site_role_required(OWNER)
@require_POST
def account_language(request: HttpRequest) -> HttpResponse:
    """The owner's own language, on their site and the network alike. During Switch to
    the admin keeps reading in theirs (switch.middleware)."""
    form = LanguageForm(request.POST)
    if form.is_valid():
        language = form.cleaned_data["language"]
        try:
            user_language_set(
                user=request.site_access.owner.user, language=language, **_who(request)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            # In the language the next page is in: the owner's new one, or the admin's.
            said_in = language or get_language_from_request(request)
            with override(get_language() if request.impersonator else said_in):
                messages.success(request, gettext("Language saved."))
            return redirect("siteadmin:account")
    return _account(request, language_form=form, status=400)


# --- Billing: the owner's billing details, membership, payments and invoices.


def _billing(request: HttpRequest, billing_form=None, status: int = 200) -> HttpResponse:
    access = request.site_access
    context = {
        "owner": access.owner,
        "billing_form": billing_form or CustomerBillingForm(instance=access.owner),
        "membership": selectors.site_membership(access.site),
        "payments": selectors.owner_payments(access.owner),
    }
    return render(request, "siteadmin/billing.html", context, status=status)


@site_role_required(OWNER)
def billing(request: HttpRequest) -> HttpResponse:
    return _billing(request)


@site_role_required(OWNER)
@require_POST
def billing_update(request: HttpRequest) -> HttpResponse:
    owner = request.site_access.owner
    # As on the network's Billing Info tab: the form validates a stand-in, the service saves.
    form = CustomerBillingForm(request.POST, instance=Customer(pk=owner.pk))
    if form.is_valid():
        try:
            changed = customer_update_billing(
                customer=owner,
                **{name: form.cleaned_data[name] for name in BILLING_FIELDS},
                **_who(request),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                gettext("Billing details saved.") if changed else gettext("Nothing to change."),
            )
            return redirect("siteadmin:billing")
    return _billing(request, billing_form=form, status=400)


def _owner_payment(request: HttpRequest, pk: int):
    payment = selectors.owner_payment(request.site_access.owner, pk)
    if payment is None:
        raise Http404("No such payment of yours.")
    return payment


@site_role_required(OWNER)
@require_POST
def invoice_issue(request: HttpRequest, pk: int) -> HttpResponse:
    payment = _owner_payment(request, pk)
    try:
        payment = payment_invoice_issue(payment=payment, **_who(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("siteadmin:billing")
    return redirect("siteadmin:invoice_pdf", pk=payment.pk)


@site_role_required(OWNER)
def invoice_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    payment = _owner_payment(request, pk)
    if payment.invoice_number is None:
        messages.error(request, gettext("This payment has no invoice yet."))
        return redirect("siteadmin:billing")
    pdf = invoice_pdf(payment, payment.line_items.order_by("id"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{payment.invoice_reference}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- Site settings, in the site's own schema.


@site_role_required(*EVERYONE)
def site_settings(request: HttpRequest) -> HttpResponse:
    site = request.site_access.site
    current = selectors.site_settings_current(site)
    if request.method == "POST":
        form = SiteSettingsForm(request.POST)
        if form.is_valid():
            try:
                changed = services.site_settings_update(
                    site=site, **form.cleaned_data, **_who(request)
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    gettext("Settings saved.") if changed else gettext("Nothing to change."),
                )
                return redirect("siteadmin:settings")
        status = 400
    else:
        form = SiteSettingsForm(
            initial={name: getattr(current, name) for name in services.SETTINGS_FIELDS}
        )
        status = 200
    return render(request, "siteadmin/settings.html", {"form": form}, status=status)


# --- Domains: read-only here; additions are requests the network approves.


def _domains(request: HttpRequest, form=None, status: int = 200) -> HttpResponse:
    site = request.site_access.site
    domains = selectors.site_domains(site)
    context = {
        "domains": domains,
        "requested": domain_requests(site, domains),
        "form": form or DomainRequestForm(),
    }
    return render(request, "siteadmin/domains.html", context, status=status)


@site_role_required(*MANAGERS)
def domains(request: HttpRequest) -> HttpResponse:
    return _domains(request)


@site_role_required(*MANAGERS)
@require_POST
def domain_request(request: HttpRequest) -> HttpResponse:
    form = DomainRequestForm(request.POST)
    if form.is_valid():
        try:
            domain = services.domain_request(
                site=request.site_access.site, **form.cleaned_data, **_who(request)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                gettext("Requested %(domain)s: the network will add it for you.")
                % {"domain": domain},
            )
            return redirect("siteadmin:domains")
    return _domains(request, form=form, status=400)


# --- Team.


def _team(request: HttpRequest, form=None, status: int = 200, invite_link: str = ""):
    context = {
        "rows": selectors.team_rows(),
        "form": form or TeamInviteForm(),
        "invite_link": invite_link,
    }
    return render(request, "siteadmin/team.html", context, status=status)


@site_role_required(*MANAGERS)
def team(request: HttpRequest) -> HttpResponse:
    return _team(request)


@site_role_required(*MANAGERS)
@require_POST
def team_invite(request: HttpRequest) -> HttpResponse:
    form = TeamInviteForm(request.POST)
    if form.is_valid():
        try:
            member, user, created = services.team_invite(
                site=request.site_access.site, **form.cleaned_data, **_who(request)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not created:
                messages.success(request, _team_joined(member.role) % {"email": user.email})
                return redirect("siteadmin:team")
            messages.success(request, _team_invited(member.role) % {"email": user.email})
            return _team(request, invite_link=_join_link(request, user))
    return _team(request, form=form, status=400)


def _team_joined(role: str) -> str:
    if role == TeamMember.Role.ADMINISTRATOR:
        return gettext(
            "%(email)s is now an administrator of this site: they log in here with their "
            "network account."
        )
    return gettext(
        "%(email)s is now an editor of this site: they log in here with their network account."
    )


def _team_invited(role: str) -> str:
    if role == TeamMember.Role.ADMINISTRATOR:
        return gettext("%(email)s is invited as administrator.")
    return gettext("%(email)s is invited as editor.")


def _join_link(request: HttpRequest, user: User) -> str:
    """On the site's primary domain from our Domain table, not the request's Host header:
    the link is passed on to someone else, so a forged Host must not decide where it
    leads. (Scheme and port are this request's, as for Switch to's addresses.)"""
    site = request.site_access.site
    domains = sorted(site.domains.all(), key=lambda domain: (not domain.is_primary, domain.pk))
    host = domains[0].domain if domains else request.get_host().split(":")[0]
    path = reverse(
        "siteadmin:join",
        args=[
            urlsafe_base64_encode(force_bytes(user.pk)),
            default_token_generator.make_token(user),
        ],
    )
    return host_url(request, host, path)


@site_role_required(*MANAGERS)
@require_POST
def team_remove(request: HttpRequest, pk: int) -> HttpResponse:
    member = TeamMember.objects.filter(pk=pk).first()
    if member is None:
        raise Http404("No such team member.")
    services.team_remove(site=request.site_access.site, member=member, **_who(request))
    messages.success(request, gettext("Removed from the team."))
    return redirect("siteadmin:team")


def team_join(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """An invited person sets their password, then logs in on this site's host."""
    user = _invited(uidb64, token)
    if user is None:
        return render(request, "siteadmin/join.html", {"invalid": True}, status=400)
    form = JoinForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.team_join(
                site=connection.tenant,
                user=user,
                password=form.cleaned_data["new_password1"],
                ip=client_ip(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, gettext("Your password is set. Log in to open the site's dashboard.")
            )
            return redirect("login")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "account": user}
    response = render(request, "siteadmin/join.html", context, status=status)
    # The secret is in this page's address: never cached (and, by the site-wide
    # same-origin Referrer-Policy, never sent to another site as a Referer).
    response["Cache-Control"] = "no-store"
    return response


def _invited(uidb64: str, token: str) -> User | None:
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, TypeError, UnicodeDecodeError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    if not TeamMember.objects.of_user(user.pk).exists():
        return None
    # A join link only ever sets the first password of an account made for the invitation:
    # never that of an account that has since become a customer or staff.
    if user.is_staff or user.is_superuser or Customer.objects.filter(user=user).exists():
        return None
    return user

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.db import connection
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name

from customers.backends import may_log_in_on_this_host
from customers.emails import Kind
from customers.models import (
    CUSTOMER_SORTS,
    DEFAULT_SORT,
    Customer,
    CustomerQuerySet,
    Language,
    User,
)
from customers.services import (
    BILLING_FIELDS,
    BILLING_REQUIRED,
    NOTE_MAX_LENGTH,
    email_enqueue,
    email_problem,
    username_problem,
)
from customers.throttle import lockout_message

PAGE_SIZES = (25, 50, 100)
# A form EmailField takes up to 320 characters; the column holds fewer.
EMAIL_MAX_LENGTH = User._meta.get_field("email").max_length
SEARCH_MAX_LENGTH = 200


class CustomerListFilters(forms.Form):
    """The customer list's state, all of it from the query string."""

    q = forms.CharField(required=False)
    vip = forms.ChoiceField(
        required=False,
        choices=[("", _("All customers")), ("yes", _("VIP only")), ("no", _("Not VIP"))],
    )
    verification = forms.ChoiceField(
        required=False,
        choices=[("", _("Any verification")), *Customer.EmailVerification.choices],
    )
    online = forms.BooleanField(required=False)
    sort = forms.ChoiceField(
        required=False, choices=[(key, label) for key, (label, _order) in CUSTOMER_SORTS.items()]
    )
    per_page = forms.TypedChoiceField(
        required=False, choices=[(n, n) for n in PAGE_SIZES], coerce=int, empty_value=PAGE_SIZES[0]
    )

    def __init__(self, data=None, **kwargs):
        super().__init__(data if data is not None else {}, **kwargs)
        self.is_valid()  # a bad value falls back to its default; the rest still applies

    def clean_q(self) -> str:
        # A pasted wall of text is cut, not dropped: the admin keeps what they typed.
        return self.cleaned_data["q"].replace("\x00", "")[:SEARCH_MAX_LENGTH]

    def value(self, name: str):
        default = {"sort": DEFAULT_SORT, "per_page": PAGE_SIZES[0]}.get(name, "")
        return self.cleaned_data.get(name) or default

    @property
    def state(self) -> dict:
        return {name: self.value(name) for name in self.fields}

    @property
    def is_filtered(self) -> bool:
        return any(self.value(name) for name in ("q", "vip", "verification", "online"))

    def customers(self) -> CustomerQuerySet:
        customers = Customer.objects.search(self.value("q"))
        if self.value("vip") == "yes":
            customers = customers.filter(vip=True)
        elif self.value("vip") == "no":
            customers = customers.filter(vip=False)
        if self.value("verification"):
            customers = customers.filter(email_verification=self.value("verification"))
        if self.value("online"):
            customers = customers.online()
        return customers.sorted_by(self.value("sort"))


class CustomerSelection:
    """The customers a bulk action of the list is for: the ticked rows (`ids`), or, with
    `all_matching`, every customer the list's filters match (carried along as hidden
    fields). `error` says, in words, why there is no selection. Up to BULK_SYNC_LIMIT
    customers are done in the request; more (`as_job`), up to BULK_JOB_LIMIT, by a job."""

    def __init__(self, data) -> None:
        self.all_matching = data.get("all_matching") == "on"
        self.filters = CustomerListFilters(data)
        self.ids: list[int] = []
        self.error = self._select(data)

    @property
    def limit(self) -> int:
        return settings.BULK_JOB_LIMIT

    @property
    def as_job(self) -> bool:
        return len(self.ids) > settings.BULK_SYNC_LIMIT

    @property
    def digest(self) -> str:
        """Names exactly these customers: a confirmation page that carries the filters
        instead of thousands of ids carries this too, and the deletion goes ahead only if
        the filters still match the same customers."""
        return hashlib.sha256(",".join(map(str, self.ids)).encode()).hexdigest()

    def _select(self, data) -> str:
        limit = self.limit
        if self.all_matching:
            if self.filters.errors:
                return gettext("The list's filters were not understood. Nothing changed.")
            customers = self.filters.customers()
        else:
            try:
                wanted = sorted({int(value) for value in data.getlist("ids")})
            except ValueError:
                return gettext("The selection was not understood. Nothing changed.")
            if not wanted:
                return gettext("Select at least one customer first. Nothing changed.")
            if len(wanted) > limit:
                return self._too_many(limit)
            customers = Customer.objects.filter(pk__in=wanted)
        self.ids = list(customers.order_by("pk").values_list("pk", flat=True)[: limit + 1])
        if len(self.ids) > limit:
            self.ids = []
            return self._too_many(limit)
        if not self.ids:
            return gettext("None of the selected customers exist any more. Nothing changed.")
        return ""

    @staticmethod
    def _too_many(limit: int) -> str:
        return ngettext(
            "That is more than %(limit)s customer: a bulk action takes at most %(limit)s at "
            "a time. Narrow the filters (Export CSV takes the whole filtered list). Nothing "
            "changed.",
            "That is more than %(limit)s customers: a bulk action takes at most %(limit)s at "
            "a time. Narrow the filters (Export CSV takes the whole filtered list). Nothing "
            "changed.",
            limit,
        ) % {"limit": number_format(limit, force_grouping=True)}

    @property
    def list_params(self) -> dict[str, str]:
        """The list's filters as given, to carry them along (hidden fields) or go back."""
        data = self.filters.data
        return {name: data.get(name) for name in self.filters.fields if data.get(name)}

    @property
    def list_query(self) -> str:
        """The list's query string, to go back to the same filtered list."""
        return urlencode(self.list_params)


def _note_too_long() -> str:
    return gettext("A note holds at most %(limit)s characters. Nothing was saved.") % {
        "limit": number_format(NOTE_MAX_LENGTH, force_grouping=True)
    }


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"),
        max_length=NOTE_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Write something first: an empty note was not saved."),
            # In the language of the request that shows it, with its number formatted so.
            "max_length": lazy(_note_too_long, str)(),
        },
    )


class PlainLabels:
    """Labels without Django's trailing colon."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class LockoutMessageMixin:
    """A login form that says so when django-axes has locked the attempt out, instead of
    "wrong username or password" (customers.throttle)."""

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            if getattr(self.request, "axes_locked_out", False):
                raise forms.ValidationError(lockout_message(), code="locked_out") from None
            raise


class LoginForm(LockoutMessageMixin, AuthenticationForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username or email")


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's "Forgot password?", with two changes. The email is a job on the queue,
    and its link is on the network's configured host, or on the subsite's primary domain,
    never on the request's Host header. Only accounts that may log in on this host are
    sent one: on a subsite, its owner alone.

    An account whose password was never chosen (created without one, and invited) may
    ask too: its invitation link may have expired."""

    def get_users(self, email: str):
        users = User.objects.with_email(email).filter(is_active=True)
        return [user for user in users if may_log_in_on_this_host(user)]

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        email_enqueue(kind=Kind.PASSWORD_RESET, user=context["user"], host=_link_host())


def _link_host() -> str:
    """The host of links for this request's site, as configured: the network's host, or
    the site's primary domain (whatever domain of the site the request came to)."""
    if connection.schema_name == get_public_schema_name():
        return settings.NETWORK_HOST
    return connection.tenant.get_primary_domain().domain


class AdminLoginForm(LockoutMessageMixin, AdminAuthenticationForm):
    """Django admin's login, throttled like ours."""


class AccountFieldsMixin:
    """Username and email stay unique across the network, whatever their case, and
    neither may be another account's other login name: one handle, one account."""

    editing_user: User | None = None

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        problem = username_problem(username, user=self.editing_user)
        if problem:
            raise forms.ValidationError(problem)
        return username

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        problem = email_problem(email, user=self.editing_user)
        if problem:
            raise forms.ValidationError(problem)
        return email


class AdminAccountFieldsMixin(AccountFieldsMixin):
    """Django admin's account forms keep the same rules as ours."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.editing_user = self.instance if self.instance.pk else None

    def clean_email(self) -> str:
        if not self.cleaned_data.get("email"):
            return ""  # accounts made in Django admin may have no email
        return super().clean_email()


class AdminUserCreationForm(AdminAccountFieldsMixin, auth_forms.AdminUserCreationForm):
    pass


class AdminUserChangeForm(AdminAccountFieldsMixin, auth_forms.UserChangeForm):
    pass


class CustomerAddForm(PlainLabels, AccountFieldsMixin, forms.Form):
    NEW, EXISTING = "new", "existing"

    mode = forms.ChoiceField(
        choices=[(NEW, _("A new account")), (EXISTING, _("An existing account"))],
        initial=NEW,
        widget=forms.RadioSelect,
        label=_("Create the customer for"),
    )
    first_name = forms.CharField(label=_("First name"), required=False, max_length=150)
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=150)
    username = forms.CharField(
        label=_("Username"),
        required=False,
        max_length=150,
        validators=[User.username_validator],
    )
    email = forms.EmailField(label=_("Email"), required=False, max_length=EMAIL_MAX_LENGTH)
    password = forms.CharField(
        label=_("Password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to create the account without a usable password."),
    )
    account = forms.CharField(
        required=False,
        label=_("Existing account"),
        help_text=_("Username or email of an account that is not a customer yet."),
    )

    def clean(self):
        data = super().clean()
        if data.get("mode") == self.EXISTING:
            self._clean_existing(data)
        elif data.get("mode") == self.NEW:
            self._clean_new(data)
        return data

    def clean_username(self) -> str:
        if not self.cleaned_data.get("username"):
            return ""
        return super().clean_username()

    def clean_email(self) -> str:
        if not self.cleaned_data.get("email"):
            return ""
        return super().clean_email()

    def _clean_new(self, data: dict) -> None:
        for name in ("username", "email"):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, gettext("This field is required for a new account."))
        if data.get("password"):
            try:
                validate_password(
                    data["password"],
                    User(username=data.get("username", ""), email=data.get("email", "")),
                )
            except forms.ValidationError as error:
                self.add_error("password", error)

    def _clean_existing(self, data: dict) -> None:
        handle = (data.get("account") or "").strip()
        if not handle:
            self.add_error("account", gettext("Type the username or email of the account."))
            return
        user = User.objects.with_username_or_email(handle).select_related("customer").first()
        if user is None:
            self.add_error("account", gettext("No account has that username or email."))
        elif hasattr(user, "customer"):
            self.add_error("account", gettext("That account is already a customer."))
        elif user.is_staff or user.is_superuser:
            self.add_error("account", gettext("Staff accounts cannot be customers."))
        else:
            data["existing_user"] = user


class CustomerOptionsForm(forms.Form):
    vip = forms.BooleanField(
        required=False,
        label=_("VIP"),
        help_text=_("Just a tag, to find this customer quickly. Changes nothing for them."),
    )


class CustomerBillingForm(PlainLabels, forms.ModelForm):
    """Billing Info. The model allows blanks (a new customer has none); this form
    requires what an invoice needs."""

    REQUIRED = BILLING_REQUIRED

    class Meta:
        model = Customer
        fields = list(BILLING_FIELDS)
        labels = {
            "company_name": _("Company name"),
            "billing_email": _("Billing email"),
            "address_line_1": _("Address line 1"),
            "address_line_2": _("Address line 2"),
            "city": _("City"),
            "state": _("State / province"),
            "postal_code": _("Postal code"),
            "country": _("Country"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.REQUIRED:
            self.fields[name].required = True
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.strip = True


class CustomerFieldsForm(PlainLabels, AccountFieldsMixin, forms.Form):
    username = forms.CharField(
        label=_("Username"), max_length=150, validators=[User.username_validator]
    )
    email = forms.EmailField(label=_("Email"), max_length=EMAIL_MAX_LENGTH)
    first_name = forms.CharField(label=_("First name"), required=False, max_length=150)
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=150)
    email_verification = forms.ChoiceField(
        label=_("Email Verification"), choices=Customer.EmailVerification.choices
    )
    activate_pending_memberships = forms.BooleanField(
        required=False,
        label=_("Also activate pending memberships"),
        help_text=_("Only when the status changes to verified."),
    )

    def __init__(self, *args, customer: Customer, **kwargs):
        self.editing_user = customer.user
        kwargs.setdefault(
            "initial",
            {
                "username": customer.user.username,
                "email": customer.user.email,
                "first_name": customer.user.first_name,
                "last_name": customer.user.last_name,
                "email_verification": customer.email_verification,
            },
        )
        super().__init__(*args, **kwargs)


class LanguageSelect(forms.Select):
    """Each language's option says it is in that language (`lang`), for screen readers."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value:
            option["attrs"]["lang"] = value
        return option


class LanguageForm(PlainLabels, forms.Form):
    """A person's own language: each named in itself, so anyone finds theirs whatever
    the page is in; empty follows the browser."""

    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Browser's language")), *Language.choices],
        widget=LanguageSelect,
        help_text=_("Browser's language: pages follow the language your browser asks for."),
    )

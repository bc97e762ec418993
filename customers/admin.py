from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from customers.forms import AdminLoginForm, AdminUserChangeForm, AdminUserCreationForm
from customers.models import Customer, LoginRecord, Note, Run, RunOutcome, User
from customers.services import customer_create_for_user
from network.admin import CheckedLookupsMixin, ViewOnlyMixin
from network.http import client_ip


def _customer_delete_link(customer: Customer | None) -> str:
    """Deleting a customer (and with it their login account) is the product's Delete:
    one transaction, sites' schemas dropped, a tombstone event. Admin links to it by URL
    name, since the deletion app builds on this one."""
    if customer is None:
        return gettext("This account is no customer; Django admin's Delete deletes it.")
    return format_html(
        '<a href="{}">{}</a>',
        reverse("deletion:confirm", args=[customer.pk]),
        gettext("Delete this customer on the network admin's Delete page"),
    )


# A run's admin page lists this many of the lines of Add many sites.
RUN_LINES_SHOWN = 100


def _no_bulk_delete(actions: dict) -> dict:
    actions.pop("delete_selected", None)
    return actions


@admin.register(User)
class NetworkUserAdmin(CheckedLookupsMixin, UserAdmin):
    """A customer's account is deleted with the customer, on the product's Delete page."""

    form = AdminUserChangeForm
    add_form = AdminUserCreationForm
    list_display = ["username", "email", "first_name", "last_name", "is_staff", "is_active"]
    show_full_result_count = False
    readonly_fields = ["delete_customer"]

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return [*fieldsets, (pgettext_lazy("block", "Delete"), {"fields": ["delete_customer"]})]

    @admin.display(description=pgettext_lazy("block", "Delete"))
    def delete_customer(self, user: User) -> str:
        return _customer_delete_link(Customer.objects.filter(user=user).first())

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        if obj is not None and Customer.objects.filter(user=obj).exists():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict:
        return _no_bulk_delete(super().get_actions(request))


class CustomerAddForm(forms.ModelForm):
    class Meta:
        model = Customer
        fields = ["user"]

    def clean_user(self) -> User:
        user = self.cleaned_data["user"]
        if user.is_staff or user.is_superuser:
            raise forms.ValidationError(gettext("Staff accounts cannot be customers."))
        return user


@admin.register(Customer)
class CustomerAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    """Added through customers.services (with its event); deleted only on the product's
    Delete page, which the change page links to."""

    list_display = ["id", "user", "vip", "email_verification", "last_login_at", "created_at"]
    list_filter = ["vip", "email_verification"]
    search_fields = ["user__username", "user__email", "user__first_name", "user__last_name"]
    raw_id_fields = ["user"]
    list_select_related = ["user"]
    show_full_result_count = False

    def get_form(self, request: HttpRequest, obj: Customer | None = None, **kwargs):
        if obj is None:
            kwargs["form"] = CustomerAddForm
            kwargs["fields"] = ["user"]
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Customer | None = None):
        if obj is None:
            return []
        return ["user", "last_login_at", "last_seen_at", "delete_customer"]

    @admin.display(description=pgettext_lazy("block", "Delete"))
    def delete_customer(self, customer: Customer) -> str:
        return _customer_delete_link(customer)

    def save_model(self, request: HttpRequest, obj: Customer, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created = customer_create_for_user(
            user=form.cleaned_data["user"], actor=request.user, ip=client_ip(request)
        )
        obj.pk = created.pk
        obj._state.adding = False

    def has_delete_permission(self, request: HttpRequest, obj: Customer | None = None) -> bool:
        return False


@admin.register(LoginRecord)
class LoginRecordAdmin(ViewOnlyMixin, CheckedLookupsMixin, admin.ModelAdmin):
    """Read-only: a record of logins that happened (the customer's last login is copied
    from them); they go with their customer."""

    list_display = ["customer", "ip", "country_code", "host", "created_at"]
    list_filter = ["country_code"]
    search_fields = ["=ip", "customer__user__email"]
    raw_id_fields = ["customer"]
    list_select_related = ["customer__user"]
    show_full_result_count = False


@admin.register(Note)
class NoteAdmin(ViewOnlyMixin, CheckedLookupsMixin, admin.ModelAdmin):
    """Read-only: notes are written, changed and deleted by their authors on the customer
    page, where each change is an event (customers.services.note_*)."""

    list_display = ["customer", "author_label", "created_at", "edited_at"]
    search_fields = ["customer__user__email", "text"]
    raw_id_fields = ["customer", "author"]
    list_select_related = ["customer__user"]
    show_full_result_count = False


@admin.register(Run)
class RunAdmin(ViewOnlyMixin, CheckedLookupsMixin, admin.ModelAdmin):
    """Read-only: a run is started by a bulk action or a big delete and written by its job
    (customers.tasks.run_work); its page (View on site) shows its progress."""

    list_display = [
        "id",
        "kind",
        "status",
        "total",
        "done",
        "skipped",
        "failed",
        "actor_label",
        "created_at",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["=id", "actor_label", "label"]
    exclude = ["customer_ids", "items", "options"]
    readonly_fields = ["sites_to_create"]
    raw_id_fields = ["actor"]
    show_full_result_count = False

    def get_fields(self, request: HttpRequest, obj: Run | None = None):
        fields = super().get_fields(request, obj)
        if obj is None or obj.kind != Run.Kind.SITES_CREATE:
            return [field for field in fields if field != "sites_to_create"]
        return fields

    @admin.display(description=gettext_lazy("Add many sites"))
    def sites_to_create(self, run: Run) -> str:
        """Add many sites: the membership, the type and the lines the job works through,
        as a list rather than JSON (the first RUN_LINES_SHOWN of up to SITES_BULK_LIMIT)."""
        lines = format_html_join(
            "",
            "<li>{}: {} · {}</li>",
            ((item["line"], item["domain"], item["title"]) for item in run.items[:RUN_LINES_SHOWN]),
        )
        more = len(run.items) - RUN_LINES_SHOWN
        return format_html(
            "<p>{}</p><ul>{}</ul>{}",
            gettext("Membership #%(membership)s, site type “%(type)s”")
            % {"membership": run.options.get("membership"), "type": run.options.get("type")},
            lines,
            format_html("<p>{}</p>", gettext("and %(count)s more") % {"count": more})
            if more > 0
            else "",
        )


@admin.register(RunOutcome)
class RunOutcomeAdmin(ViewOnlyMixin, CheckedLookupsMixin, admin.ModelAdmin):
    """Read-only: one customer's outcome in a bulk delete run, written with its deletion."""

    list_display = ["run", "customer_ref", "label", "result", "created_at"]
    list_filter = ["result"]
    search_fields = ["=run__id", "=customer_ref", "label"]
    raw_id_fields = ["run"]
    show_full_result_count = False


# Throttled like every login form (customers.throttle).
admin.site.login_form = AdminLoginForm

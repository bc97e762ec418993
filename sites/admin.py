from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from network.admin import CheckedLookupsMixin, ViewOnlyMixin
from network.http import client_ip
from sites.models import Domain, Site
from sites.services import (
    domain_normalize,
    schema_name_for,
    site_active_set,
    site_create,
    site_delete,
    site_update,
)

# The main site is the network itself (the public schema), never made or chosen here.
SITE_TYPES = [(value, label) for value, label in Site.Type.choices if value != Site.Type.MAIN]


class DomainInline(ViewOnlyMixin, admin.TabularInline):
    """Domains change on the site page, through sites.services (one primary, events)."""

    model = Domain
    extra = 0


class SiteForm(forms.ModelForm):
    """The checks of sites.services.site_create and site_update, as form errors."""

    type = forms.ChoiceField(label=_("Type"), choices=SITE_TYPES)

    class Meta:
        model = Site
        fields = ["title", "customer", "membership", "type", "active"]

    def clean(self) -> dict:
        cleaned = super().clean()
        customer = cleaned.get("customer", self.instance.customer)
        membership = cleaned.get("membership")
        if membership is not None and membership.customer_id != getattr(customer, "pk", None):
            message = gettext("%(membership)s belongs to another customer.")
            self.add_error("membership", message % {"membership": membership})
        return cleaned


class SiteAddForm(SiteForm):
    domain = forms.CharField(
        label=_("Domain"), help_text=_("The primary domain, e.g. shop.example.com.")
    )

    class Meta(SiteForm.Meta):
        fields = ["title", "domain", "customer", "membership", "type"]

    def clean_domain(self) -> str:
        try:
            domain = domain_normalize(self.cleaned_data["domain"])
        except ValidationError as error:
            raise ValidationError(error.message_dict["domain"]) from error
        if Domain.objects.filter(domain=domain).exists():
            raise ValidationError(
                _("“%(domain)s” already belongs to a site."), params={"domain": domain}
            )
        schema_name = schema_name_for(domain.split(".")[0])
        if Site.objects.filter(schema_name=schema_name).exists():
            raise ValidationError(
                _("A site with schema “%(schema)s” exists; pick another name."),
                params={"schema": schema_name},
            )
        return domain


@admin.register(Site)
class SiteAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    """Added by site_create (with its schema), changed by the site page's services and
    deleted by site_delete (schema dropped), so each records its event. The main site is
    only shown."""

    list_display = ["title", "schema_name", "type", "active", "customer", "created_at"]
    list_filter = ["type", "active"]
    search_fields = ["title", "schema_name", "domains__domain"]
    raw_id_fields = ["customer", "membership"]
    list_select_related = ["customer__user"]
    inlines = [DomainInline]
    show_full_result_count = False
    form = SiteForm

    def get_form(self, request: HttpRequest, obj: Site | None = None, **kwargs):
        if obj is None:
            kwargs["form"] = SiteAddForm
            kwargs["fields"] = SiteAddForm.Meta.fields
        return super().get_form(request, obj, **kwargs)

    def get_inlines(self, request: HttpRequest, obj: Site | None = None):
        return [] if obj is None else self.inlines  # the add form asks for the domain

    def get_fields(self, request: HttpRequest, obj: Site | None = None):
        if obj is None:
            return SiteAddForm.Meta.fields
        return ["title", "schema_name", "customer", "membership", "type", "active", "site_page"]

    def get_readonly_fields(self, request: HttpRequest, obj: Site | None = None):
        return [] if obj is None else ["schema_name", "customer", "site_page"]

    @admin.display(description=_("Site page"))
    def site_page(self, site: Site) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("sites:detail", args=[site.pk]),
            gettext("Domains, options and Switch to on the site page"),
        )

    def save_model(self, request: HttpRequest, obj: Site, form, change: bool) -> None:
        who = {"actor": request.user, "ip": client_ip(request)}
        data = form.cleaned_data
        if not change:
            created = site_create(
                title=data["title"],
                domain=data["domain"],
                customer=data["customer"],
                membership=data["membership"],
                type=data["type"],
                actor=request.user,
            )
            obj.pk = created.pk
            obj.schema_name = created.schema_name
            obj._state.adding = False
            return
        site = Site.objects.get(pk=obj.pk)
        if "title" in form.changed_data:
            Site.objects.filter(pk=obj.pk).update(title=data["title"])
            site.title = data["title"]
        site = site_update(site=site, membership=data["membership"], type=data["type"], **who)
        site_active_set(site=site, active=data["active"], **who)

    def delete_model(self, request: HttpRequest, obj: Site) -> None:
        site_delete(site=obj, actor=request.user, ip=client_ip(request))

    def get_deleted_objects(self, objs, request: HttpRequest):
        # site_delete removes the domains and grants itself: deleting a site needs no
        # permission on them (they are view-only here).
        deleted, counts, _perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set(), protected

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_change_permission(self, request: HttpRequest, obj: Site | None = None) -> bool:
        if obj is not None and obj.is_main:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Site | None = None) -> bool:
        if obj is not None and obj.is_main:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Domain)
class DomainAdmin(ViewOnlyMixin, CheckedLookupsMixin, admin.ModelAdmin):
    """Domains change on the site page, through sites.services (one primary, events)."""

    list_display = ["domain", "tenant", "is_primary"]
    list_filter = ["is_primary"]
    search_fields = ["domain"]
    raw_id_fields = ["tenant"]
    list_select_related = ["tenant"]

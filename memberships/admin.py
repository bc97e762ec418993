from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext as _

from memberships.models import Membership, MembershipAddon, Product
from memberships.services import (
    membership_addon_add,
    membership_addon_remove,
    membership_addon_update,
)
from network.admin import CheckedLookupsMixin
from network.http import client_ip


@admin.register(Product)
class ProductAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "price", "currency", "billing_period", "active"]
    list_filter = ["kind", "active", "currency"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class MembershipAddonInline(admin.TabularInline):
    """Shown only: add-ons change on their own admin page, through the services."""

    model = MembershipAddon
    raw_id_fields = ["product"]
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Membership)
class MembershipAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    """Its customer changes only by reassignment on the membership page (its sites and
    payments move along), its plan only through a plan change there (same currency), and it
    is deleted only with its customer: deleting it alone would silently unlink its payments
    and sites."""

    list_display = [
        "id",
        "customer",
        "plan",
        "status",
        "amount",
        "currency",
        "gateway",
        "date_expiration",
    ]
    list_filter = ["status", "gateway", "currency"]
    search_fields = ["=id", "customer__user__email", "gateway_subscription_id"]
    raw_id_fields = ["customer", "plan"]
    list_select_related = ["customer__user", "plan"]
    inlines = [MembershipAddonInline]
    show_full_result_count = False

    def get_readonly_fields(self, request: HttpRequest, obj: Membership | None = None):
        return [] if obj is None else ["customer", "plan", "currency"]

    def has_delete_permission(self, request: HttpRequest, obj: Membership | None = None) -> bool:
        return False


class MembershipAddonAddForm(forms.ModelForm):
    """The checks of memberships.services.membership_addon_add, as form errors."""

    class Meta:
        model = MembershipAddon
        fields = ["membership", "product", "quantity"]

    def clean(self) -> dict:
        cleaned = super().clean()
        membership, product = cleaned.get("membership"), cleaned.get("product")
        if product is not None and product.kind == Product.Kind.PLAN:
            self.add_error("product", _("A plan cannot be an add-on; change the plan instead."))
        elif (
            product is not None
            and membership is not None
            and (product.currency != membership.currency)
        ):
            self.add_error(
                "product",
                _("%(product)s is priced in %(currency)s; this membership is in %(ours)s.")
                % {"product": product, "currency": product.currency, "ours": membership.currency},
            )
        return cleaned


@admin.register(MembershipAddon)
class MembershipAddonAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    """Added, changed and removed through memberships.services, which record the events."""

    list_display = ["membership", "product", "quantity"]
    raw_id_fields = ["membership", "product"]

    def get_form(self, request: HttpRequest, obj: MembershipAddon | None = None, **kwargs):
        if obj is None:
            kwargs["form"] = MembershipAddonAddForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: MembershipAddon | None = None):
        return [] if obj is None else ["membership", "product"]

    def save_model(self, request: HttpRequest, obj: MembershipAddon, form, change: bool) -> None:
        who = {"actor": request.user, "ip": client_ip(request)}
        if change:
            membership_addon_update(addon=obj, quantity=obj.quantity, **who)
            return
        created = membership_addon_add(
            membership=obj.membership, product=obj.product, quantity=obj.quantity, **who
        )
        obj.pk = created.pk
        obj._state.adding = False

    def delete_model(self, request: HttpRequest, obj: MembershipAddon) -> None:
        membership_addon_remove(addon=obj, actor=request.user, ip=client_ip(request))

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

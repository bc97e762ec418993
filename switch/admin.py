from django.contrib import admin

from network.admin import CheckedLookupsMixin, ViewOnlyMixin
from switch.models import SwitchGrant


@admin.register(SwitchGrant)
class SwitchGrantAdmin(ViewOnlyMixin, CheckedLookupsMixin, admin.ModelAdmin):
    """View-only: a grant works once, before it expires, and once redeemed it is the record
    of the impersonated session it started; only switch.services writes it."""

    list_display = [
        "admin",
        "customer",
        "site",
        "read_only",
        "created_at",
        "expires_at",
        "redeemed_at",
    ]
    list_filter = ["read_only"]
    raw_id_fields = ["admin", "customer", "site"]
    list_select_related = ["admin", "customer__user", "site"]

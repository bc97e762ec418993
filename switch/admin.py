from django.contrib import admin

from switch.models import SwitchGrant


@admin.register(SwitchGrant)
class SwitchGrantAdmin(admin.ModelAdmin):
    list_display = ["admin", "customer", "site", "created_at", "expires_at", "redeemed_at"]
    raw_id_fields = ["admin", "customer", "site"]
    list_select_related = ["admin", "customer__user", "site"]
    readonly_fields = ["secret_hash"]

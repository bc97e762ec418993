from django.contrib import admin

from sites.models import Domain, Site, SwitchGrant


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["title", "schema_name", "type", "active", "customer", "created_at"]
    list_filter = ["type", "active"]
    search_fields = ["title", "schema_name", "domains__domain"]
    raw_id_fields = ["customer", "membership"]
    list_select_related = ["customer__user"]
    readonly_fields = ["schema_name"]
    inlines = [DomainInline]
    show_full_result_count = False


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "tenant", "is_primary"]
    list_filter = ["is_primary"]
    search_fields = ["domain"]
    raw_id_fields = ["tenant"]
    list_select_related = ["tenant"]


@admin.register(SwitchGrant)
class SwitchGrantAdmin(admin.ModelAdmin):
    list_display = ["admin", "customer", "site", "created_at", "expires_at", "redeemed_at"]
    raw_id_fields = ["admin", "customer", "site"]
    list_select_related = ["admin", "customer__user", "site"]
    readonly_fields = ["secret_hash"]

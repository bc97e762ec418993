from django.contrib import admin

from sites.models import Domain, Site


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

from django.contrib import admin

from memberships.models import Membership, MembershipAddon, Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "price", "currency", "billing_period", "active"]
    list_filter = ["kind", "active", "currency"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class MembershipAddonInline(admin.TabularInline):
    model = MembershipAddon
    raw_id_fields = ["product"]
    extra = 0


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
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


@admin.register(MembershipAddon)
class MembershipAddonAdmin(admin.ModelAdmin):
    list_display = ["membership", "product", "quantity"]
    raw_id_fields = ["membership", "product"]

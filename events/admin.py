from django.contrib import admin

from events.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "type", "message", "customer_label", "actor_label", "ip"]
    list_filter = ["type"]
    search_fields = ["=customer_ref", "customer_label", "message"]
    raw_id_fields = ["customer", "actor", "impersonator"]
    date_hierarchy = "created_at"
    show_full_result_count = False

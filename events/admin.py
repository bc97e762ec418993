from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from events.models import Event
from network.admin import CheckedLookupsMixin


@admin.register(Event)
class EventAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    """Read-only: the event log is append-only, and only the services that make a change
    append to it (events.services.event_record)."""

    list_display = ["created_at", "type", "message", "customer_label", "actor_label", "ip"]
    list_filter = ["type"]
    search_fields = ["=customer_ref", "customer_label", "message"]
    raw_id_fields = ["customer", "actor", "impersonator"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        return False

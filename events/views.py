from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from events.models import Event
from network.access import network_admin_required


@network_admin_required
def event_list(request: HttpRequest) -> HttpResponse:
    events = Event.objects.order_by("-created_at", "-id")[:50]
    return render(request, "events/list.html", {"events": events})

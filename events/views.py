from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from events.forms import EventFilters
from network.access import network_admin_required
from network.paging import page_fetch, page_number

PAGE_SIZE = 50


@network_admin_required
def event_list(request: HttpRequest) -> HttpResponse:
    filters = EventFilters(request.GET)
    page = page_fetch(
        filters.events(),
        number=page_number(request.GET),
        size=PAGE_SIZE,
    )
    return render(request, "events/list.html", {"filters": filters, "page": page})

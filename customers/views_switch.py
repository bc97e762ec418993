from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from network.access import network_admin_required


@require_POST
@network_admin_required
def switch_start(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse("Switch to is not built yet.", status=501)

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def network(request: HttpRequest) -> dict:
    return {"NETWORK_HOST": settings.NETWORK_HOST}

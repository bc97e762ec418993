"""Who is impersonating during the current request, so that events recorded while a
super admin acts as a customer carry that admin. Set by sites.switch_middleware."""

from __future__ import annotations

from contextvars import ContextVar

current_impersonator: ContextVar = ContextVar("current_impersonator", default=None)

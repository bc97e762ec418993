"""The embedded PostgreSQL server used when DATABASE_URL is unset.

`pgserver` runs a real PostgreSQL from a wheel. Its data folder lives under `.data/`
(git-ignored) and is reused on the next start; the server stops when the last process
using it exits.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit


def start(data_dir: Path) -> str:
    """Start (or attach to) the embedded server and return its connection URL."""
    warnings.filterwarnings("ignore", module="platformdirs")
    os.environ.setdefault("XDG_RUNTIME_DIR", str(data_dir.parent))
    # Imported here, after XDG_RUNTIME_DIR is set (platformdirs reads it on import), and
    # only when the embedded server is wanted: no app module, so no hidden dependency.
    import pgserver

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode="stop")
    return server.get_uri()


def database_settings(url: str) -> dict:
    """Django DATABASES entry for a postgres URL (host may be a socket folder in ?host=)."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    host = query.get("host", [parts.hostname or ""])[0]
    return {
        # django-tenants' backend, minus needless round trips (network/db/base.py).
        "ENGINE": "network.db",
        "NAME": unquote(parts.path.lstrip("/")) or "postgres",
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": host,
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"NAME": os.environ.get("TEST_DATABASE_NAME") or "test_network"},
    }

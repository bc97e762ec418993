from __future__ import annotations

import os
import subprocess
import sys

SHOW = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.SECURE_PROXY_SSL_HEADER)"
)


def run_settings(**env) -> subprocess.CompletedProcess:
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    environment = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "network.settings",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",  # never connected to
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", SHOW], env=environment, capture_output=True, text=True, timeout=60
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_settings(NETWORK_ENV="production")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required in production" in result.stderr


def test_production_runs_without_debug_and_with_secure_cookies():
    result = run_settings(NETWORK_ENV="production", DJANGO_SECRET_KEY="s" * 50, DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "('HTTP_X_FORWARDED_PROTO',", "'https')"]

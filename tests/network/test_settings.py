from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SHOW = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.SECURE_PROXY_SSL_HEADER)"
)

HTTPS = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS)"
)


def run_settings(*args: str, **env) -> subprocess.CompletedProcess:
    """Python with these arguments (by default: print some settings), in this environment."""
    # Not ours to pass on: the secret, and the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE.
    unset = {"DJANGO_SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    inherited = {k: v for k, v in os.environ.items() if k not in unset}
    environment = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "network.settings",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",  # never connected to
        **env,
    }
    return subprocess.run(
        [sys.executable, *(args or ("-c", SHOW))],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_settings(NETWORK_ENV="production")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required in production" in result.stderr


def test_production_runs_without_debug_and_with_secure_cookies():
    result = run_settings(NETWORK_ENV="production", DJANGO_SECRET_KEY="s" * 50, DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "('HTTP_X_FORWARDED_PROTO',", "'https')"]


MANAGE_PY = str(Path(__file__).resolve().parents[2] / "manage.py")
SECRET_KEY = "a-production-secret-key-of-fifty-characters-or-more-0123456789"


def test_production_passes_the_deploy_check():
    result = run_settings(
        MANAGE_PY,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        NETWORK_ENV="production",
        DJANGO_SECRET_KEY=SECRET_KEY,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_redirects_to_https_and_sends_hsts_by_default():
    result = run_settings("-c", HTTPS, NETWORK_ENV="production", DJANGO_SECRET_KEY=SECRET_KEY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "31536000"]


def test_a_tls_proxy_that_redirects_and_sends_hsts_itself_can_turn_both_off():
    result = run_settings(
        "-c",
        HTTPS,
        NETWORK_ENV="production",
        DJANGO_SECRET_KEY=SECRET_KEY,
        SECURE_SSL_REDIRECT="off",
        SECURE_HSTS_SECONDS="0",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "0"]

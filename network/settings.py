from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from network import embedded_db
from network.env import env_bool, env_int, env_list, env_required, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("NETWORK_DATA_DIR", str(BASE_DIR / ".data")))

PRODUCTION = env_str("NETWORK_ENV", "development") == "production"
DEBUG = False if PRODUCTION else env_bool("DJANGO_DEBUG", True)
if PRODUCTION:
    SECRET_KEY = env_required("DJANGO_SECRET_KEY")
else:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-only-not-secret-" + "x" * 40)

NETWORK_HOST = env_str("NETWORK_HOST", "network.localhost")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [".localhost", "127.0.0.1", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "network.errors.csrf_failure"  # a page in the product's look

# --- Tenancy: the network is the public schema; each Site is a schema of its own.
SHARED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.admin",
    # After admin: Django admin's own index and app list, not django-tenants' copies with
    # inline styles, which the Content-Security-Policy refuses. Its `migrate` still
    # replaces Django's: no app before it has one.
    "django_tenants",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django_countries",
    # Failed logins and lockouts: public schema only; subsites read it through their
    # search path, so one lock holds on every host.
    "axes",
    # The job queue (emails): its tables and functions live in the public schema only.
    "procrastinate.contrib.django",
    "network",
    "customers",
    "memberships",
    "payments",
    "sites",
    "events",
    "deletion",
    "demo",
    "switch",
]
# Sessions live in every schema: a tenant's search_path puts its own django_session
# first, so a session created on one host does not exist on another.
# siteadmin: each site's own settings and team (SiteSettings, TeamMember).
TENANT_APPS = ["django.contrib.sessions", "siteadmin"]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "sites.Site"
TENANT_DOMAIN_MODEL = "sites.Domain"
PUBLIC_SCHEMA_URLCONF = "network.urls_public"
ROOT_URLCONF = "network.urls_tenants"
DEFAULT_NOT_FOUND_TENANT_VIEW = "network.views.unknown_host"
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
# One `SET search_path` per request (or schema change) instead of one before every query;
# django-tenants forgets the cached path on rollback and savepoint rollback.
TENANT_LIMIT_SET_CALLS = True

# The security headers come first, so that the tenant middleware's own answers (an
# unknown or disallowed host) carry them too; static files are the same on every host.
MIDDLEWARE = [
    "network.middleware.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # django-tenants' TenantMainMiddleware, reading the host's site from a cache that
    # every committed change to a site or domain clears (sites/hosts.py).
    "sites.middleware.SiteByHostMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's Accept-Language until a super admin picks a language; no URL prefixes.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "customers.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "network.errors.MethodNotAllowedPageMiddleware",
    "sites.middleware.InactiveSiteMiddleware",
    "switch.middleware.ImpersonationMiddleware",
    "axes.middleware.AxesMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "network.context_processors.network",
            ],
        },
    },
]

WSGI_APPLICATION = "network.wsgi.application"

# --- Database: DATABASE_URL, or the embedded PostgreSQL under .data/pg.
DATABASE_URL = env_str("DATABASE_URL") or embedded_db.start(DATA_DIR / "pg")
DATABASES = {"default": embedded_db.database_settings(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "customers.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
# Django admin's own "Log out" lands on our login page too (subsites name their own).
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Cookies are host-only (no SESSION_COOKIE_DOMAIN): network.localhost and acme.localhost
# never see each other's session or CSRF cookies.
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
# Behind a TLS-terminating proxy, request.scheme must say https: Switch to builds the
# subsite's address from it and posts a secret there.
if env_bool("BEHIND_TLS_PROXY", PRODUCTION):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_COOKIE_SECURE = PRODUCTION
# https only, in production: redirect plain http and send HSTS. Turn both off
# (SECURE_SSL_REDIRECT=off, SECURE_HSTS_SECONDS=0) when the TLS proxy does them itself.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_REDIRECT_EXEMPT = env_list("SECURE_REDIRECT_EXEMPT", [])
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60 if PRODUCTION else 0)
# HSTS reaches our customers' own domains too: whether it covers their other subdomains,
# or puts their domain on the browsers' preload list, is theirs to decide, not ours.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline script, style or event handler anywhere: the JavaScript is static/js/app.js.
# No form-action: Switch to posts its hand-off form to the subsite's host.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
    },
}
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)

LANGUAGE_CODE = "en"
# The product's documentation languages; each has a catalogue in locale/ (bar English).
LANGUAGES = [
    ("en", "English"),
    ("fr", "Français"),
    ("nl", "Nederlands"),
    ("nb", "Norsk bokmål"),
    ("ro", "Română"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# What an invoice is issued in when its customer has chosen no language (payments.invoices).
NETWORK_DEFAULT_LANGUAGE = env_str("NETWORK_DEFAULT_LANGUAGE", "en")
if NETWORK_DEFAULT_LANGUAGE not in dict(LANGUAGES):
    raise ImproperlyConfigured(
        f"NETWORK_DEFAULT_LANGUAGE is {NETWORK_DEFAULT_LANGUAGE!r}; "
        f"it must be one of {', '.join(dict(LANGUAGES))}."
    )
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
# Serve from the finders too, so gunicorn works without a collectstatic step.
WHITENOISE_USE_FINDERS = True

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Client IPs (django-ipware). List the addresses of the proxies in front of us;
# an X-Forwarded-For header from anyone else is ignored.
IPWARE_TRUSTED_PROXIES = env_list("IPWARE_TRUSTED_PROXIES", [])
IPWARE_PROXY_COUNT = env_int("IPWARE_PROXY_COUNT", 0)

# --- GeoIP: a MaxMind country (or city) database; without one, countries stay unknown.
GEOIP_PATH = env_str("GEOIP_PATH", str(DATA_DIR / "GeoLite2-Country.mmdb"))

# --- Payments.
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = env_str("STRIPE_API_BASE", "")  # e.g. a localstripe on loopback in tests
INVOICE_SELLER = {
    "name": env_str("INVOICE_SELLER_NAME", "Network Hosting Ltd."),
    "address": env_str("INVOICE_SELLER_ADDRESS", "1 Server Street, 10115 Berlin, Germany"),
    "email": env_str("INVOICE_SELLER_EMAIL", "billing@network.localhost"),
}

# --- Switch to (impersonation).
SWITCH_TO_ENABLED = env_bool("SWITCH_TO_ENABLED", True)
SWITCH_TO_GRANT_SECONDS = env_int("SWITCH_TO_GRANT_SECONDS", 60)
SWITCH_TO_SESSION_SECONDS = env_int("SWITCH_TO_SESSION_SECONDS", 30 * 60)

# --- Email: Django's backend from the environment; SMTP in production, the console in
# development (`make run` prints each email in the worker's output). Every email is a job
# on the queue (customers.tasks), deferred in the transaction of the change that causes it.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"no-reply@{NETWORK_HOST}")
# Links in emails are built from configuration, never from a request's Host header: the
# network's host (or a site's primary domain), with this scheme and port.
EMAIL_LINK_SCHEME = env_str("EMAIL_LINK_SCHEME", "https" if PRODUCTION else "http")
EMAIL_LINK_PORT = env_str("EMAIL_LINK_PORT", "" if PRODUCTION else "8000")
EMAIL_VERIFICATION_DAYS = env_int("EMAIL_VERIFICATION_DAYS", 3)
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_HOURS", 72) * 60 * 60

# --- Long work as jobs on the queue (customers.models.Run, its page shows the progress).
# A bulk action on more customers than BULK_SYNC_LIMIT runs as a job instead of in the
# request; more than BULK_JOB_LIMIT is refused (narrow the filters). Deleting a customer
# who owns more than DELETE_JOB_SITES sites ("Delete everything") runs as a job too.
BULK_SYNC_LIMIT = env_int("BULK_SYNC_LIMIT", 1000)
BULK_JOB_LIMIT = env_int("BULK_JOB_LIMIT", 100_000)
DELETE_JOB_SITES = env_int("DELETE_JOB_SITES", 20)
# Add many sites takes at most this many lines (each a site made by the job).
SITES_BULK_LIMIT = env_int("SITES_BULK_LIMIT", 1000)
# Finished runs (and their per-item outcomes) are deleted this many days after they
# finished, by a daily job (customers.tasks.runs_prune); unfinished ones are never deleted.
RUNS_KEPT_DAYS = env_int("RUNS_KEPT_DAYS", 90)

# "Online" on the customer list: seen within this many seconds.
ONLINE_WINDOW_SECONDS = env_int("ONLINE_WINDOW_SECONDS", 5 * 60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# The throttle comes first: a locked-out attempt is refused before any password is hashed.
AUTHENTICATION_BACKENDS = [
    "customers.backends.LoginThrottleBackend",
    "customers.backends.EmailOrUsernameBackend",
    # On a subsite, the people the owner invited to its team (and no one else's team).
    "siteadmin.backends.TeamMemberBackend",
]

# --- Login throttling (django-axes), on every login form: the network's, each subsite's
# and Django admin's. Failures count per account and, separately, per client IP (our
# trusted-proxy reading of it); either reaching the limit locks for the cool-off.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "network.http.client_ip"
# One account whatever handle was typed (username or email, any case).
AXES_USERNAME_CALLABLE = "customers.throttle.login_key"
# The login form shows the lockout itself (customers.forms.LockoutMessageMixin); the
# middleware only turns its status into 429.
AXES_LOCKOUT_CALLABLE = "customers.throttle.lockout_response"
# Logging in must not wipe the failures counted against this IP: an attacker with an
# account of their own could reset their IP's count between guesses at others'.
AXES_RESET_ON_SUCCESS = False
# We keep our own record of logins (LoginRecord); Django admin does not offer axes'
# tables, whose deletes would clear a lockout without an event (the customer page does).
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False

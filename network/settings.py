from __future__ import annotations

from pathlib import Path

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

# --- Tenancy: the network is the public schema; each Site is a schema of its own.
SHARED_APPS = [
    "django_tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.admin",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django_countries",
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
TENANT_APPS = ["django.contrib.sessions"]
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

MIDDLEWARE = [
    "django_tenants.middleware.main.TenantMainMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "sites.middleware.InactiveSiteMiddleware",
    "switch.middleware.ImpersonationMiddleware",
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
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en-us"
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

# "Online" on the customer list: seen within this many seconds.
ONLINE_WINDOW_SECONDS = env_int("ONLINE_WINDOW_SECONDS", 5 * 60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

AUTHENTICATION_BACKENDS = ["customers.backends.EmailOrUsernameBackend"]

"""Shared fixtures. Every test talks to real PostgreSQL (the embedded server unless
DATABASE_URL says otherwise); hosts decide the tenant, as in production."""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from sites.hosts import hosts
from sites.models import Site
from sites.services import network_ensure, site_create
from tests.factories import PASSWORD, CustomerFactory, UserFactory, make_super_admin

NETWORK_HOST = "network.localhost"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.NETWORK_HOST = NETWORK_HOST


@pytest.fixture(autouse=True)
def _public_schema():
    """Each test starts (and ends) on the public schema, like each request does."""
    connection.set_schema_to_public()
    yield
    connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _host_cache():
    """A test that served requests outside a transaction (transactional, live server)
    started the host cache's listener: it stops, and its connection to the test database
    closes, before the next test (and before the database is dropped)."""
    yield
    hosts.stop()


@pytest.fixture
def network(db) -> Site:
    return network_ensure(host=NETWORK_HOST)


@pytest.fixture
def super_admin(network):
    return make_super_admin(username="root", email="root@network.localhost")


@pytest.fixture
def customer(network):
    return CustomerFactory(
        user__username="ada",
        user__email="ada@example.com",
        user__first_name="Ada",
        user__last_name="Lovelace",
    )


@pytest.fixture
def make_site(network):
    def make(slug: str = "acme", customer=None, **kwargs) -> Site:
        return site_create(
            title=kwargs.pop("title", slug.title()),
            domain=f"{slug}.localhost",
            customer=customer,
            **kwargs,
        )

    return make


def host_client(host: str = NETWORK_HOST) -> Client:
    return Client(HTTP_HOST=host)


@pytest.fixture
def admin_client(super_admin) -> Client:
    """A browser on the network host, signed in as a super admin."""
    client = host_client()
    client.force_login(super_admin)
    return client


@pytest.fixture
def superuser_client(super_admin) -> Client:
    """Django admin as a superuser, who may do whatever Django admin offers."""
    super_admin.is_superuser = True
    super_admin.save(update_fields=["is_superuser"])
    client = host_client()
    client.force_login(super_admin)
    return client


@pytest.fixture
def outsider_client(network) -> Client:
    """Signed in on the network host, but neither staff nor network admin."""
    client = host_client()
    client.force_login(UserFactory(username="mallory", email="mallory@example.com"))
    return client


@pytest.fixture
def staff_client(network) -> Client:
    """Staff, but without the network-admin permission: still an outsider."""
    client = host_client()
    client.force_login(UserFactory(username="intern", email="intern@example.com", is_staff=True))
    return client


@pytest.fixture
def anonymous_client(network) -> Client:
    return host_client()


# --- Browser: Debian's Chromium through Playwright, never a downloaded browser.

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is required under CI=true and is missing at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    # Playwright's sync API runs an event loop in this thread; the ORM calls our tests
    # make between browser steps are still plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Build the site template schema once, outside any test's transaction."""
    from sites.provisioning import template_ensure

    with django_db_blocker.unblock():
        template_ensure()


def drop_site_schemas() -> None:
    """Transactional tests commit; their site schemas must not leak into the next test."""
    from sites.provisioning import TEMPLATE_SCHEMA

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname <> ALL(%s) "
            "AND nspname NOT LIKE 'pg\\_%%' "
            # An extension's own schemas (Citus has four) go only with the extension.
            "AND NOT EXISTS (SELECT 1 FROM pg_depend WHERE objid = pg_namespace.oid "
            "AND classid = 'pg_namespace'::regclass AND deptype = 'e')",
            [["public", "information_schema", TEMPLATE_SCHEMA]],
        )
        for (schema,) in cursor.fetchall():
            cursor.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def committed(transactional_db):
    """For tests whose transactions really commit (a job's worker sees only what is
    committed): their site schemas go afterwards (the flush after a transactional test
    only empties the public tables)."""
    yield
    connection.set_schema_to_public()
    drop_site_schemas()


@pytest.fixture
def db_refuses():
    """PostgreSQL itself refuses some rows, by a trigger: `db_refuses(table, event=...,
    when=..., message=...)` raises `message` (a RAISE argument list, e.g. "'no', OLD.id")
    with `errcode` BEFORE `event` on the rows of `table` matching `when`, and returns a
    function that lifts it. Every refusal is lifted afterwards."""
    lifts = []

    def refuse(table: str, *, event: str, when: str, message: str, errcode: str = "P0001"):
        name = f"test_refuse_{len(lifts)}"
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS "
                f"$$ BEGIN RAISE EXCEPTION {message} USING ERRCODE = '{errcode}'; END $$"
            )
            cursor.execute(
                f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW "
                f"WHEN ({when}) EXECUTE FUNCTION {name}()"
            )

        def lift() -> None:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")

        lifts.append(lift)
        return lift

    yield refuse
    for lift in lifts:
        lift()


@pytest.fixture
def live_network(transactional_db, live_server):
    """The live server, with the public tenant; returns a URL builder for any host."""
    network_ensure(host=NETWORK_HOST)
    port = live_server.url.rsplit(":", 1)[1]

    def url(path: str = "/", host: str = NETWORK_HOST) -> str:
        return f"http://{host}:{port}{path}"

    yield url
    connection.set_schema_to_public()
    drop_site_schemas()


def login_in_browser(page, url, user_email: str, password: str = PASSWORD) -> None:
    page.goto(url("/login/"))
    page.fill("input[name=username]", user_email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


assert settings.TENANT_MODEL == "sites.Site"


def network_url(name: str, *args) -> str:
    """reverse() on the network host's URL conf (ROOT_URLCONF is the subsites' one)."""
    from django.urls import reverse

    return reverse(name, args=args, urlconf=settings.PUBLIC_SCHEMA_URLCONF)


def subsite_client(site: Site, user=None) -> Client:
    """A browser on a subsite's host; signed in there (a session in the site's schema)."""
    from django_tenants.utils import schema_context

    client = host_client(site.domains.get(is_primary=True).domain)
    if user is not None:
        with schema_context(site.schema_name):
            client.force_login(user)
    return client


@pytest.fixture
def email_queue(transactional_db):
    """The job queue, empty at the start and the end of the test (tests/mail.py)."""
    from tests.mail import queue_empty

    queue_empty()
    yield
    queue_empty()


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback that Django's SMTP backend sends to; its `inbox`
    holds what arrived (tests/mail.py)."""
    from tests.mail import SmtpServer

    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()

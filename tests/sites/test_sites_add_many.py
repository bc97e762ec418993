"""Add many sites: every line checked up front, then a run whose job makes each site with
site_create in its own transaction. The worker runs for real against the committed
database (tests/mail.py)."""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from django_tenants.utils import schema_exists

from customers.models import Run, RunOutcome
from events.models import Event
from sites.models import Domain, Site
from sites.services import SiteLine, sites_create_start
from tests.conftest import network_url
from tests.factories import CustomerFactory, MembershipFactory
from tests.mail import jobs, make_retry_due, run_jobs

ADD_MANY = network_url("sites:add_many")
TASK = "sites.sites_create_run"


@pytest.fixture
def membership(network):
    return MembershipFactory(
        customer=CustomerFactory(
            user__username="ada",
            user__email="ada@example.com",
            user__first_name="Ada",
            user__last_name="Lovelace",
        )
    )


def add_many_url(customer) -> str:
    return f"{ADD_MANY}?customer={customer.pk}"


def post(client, membership, lines: str, **fields):
    data = {
        "membership": membership.pk,
        "type": Site.Type.REGULAR,
        "lines": lines,
        **fields,
    }
    return client.post(add_many_url(membership.customer), data)


def site_jobs() -> list[dict]:
    return [job for job in jobs() if job["task"] == TASK]


def test_it_rejects_outsiders(outsider_client, staff_client, anonymous_client, membership):
    for client in (outsider_client, staff_client):
        assert client.get(add_many_url(membership.customer)).status_code == 403
        assert post(client, membership, "one.example.com").status_code == 403
    assert anonymous_client.get(add_many_url(membership.customer))["Location"].startswith("/login/")
    assert post(anonymous_client, membership, "one.example.com")["Location"].startswith("/login/")
    assert not Run.objects.exists()
    assert not site_jobs()


def test_it_is_offered_on_add_site_and_on_the_customer_page(admin_client, membership):
    link = f'href="{add_many_url(membership.customer)}"'
    add_site = network_url("sites:add") + f"?customer={membership.customer_id}"
    assert link in admin_client.get(add_site).content.decode()
    customer_page = network_url("customers:detail", membership.customer_id)
    assert link in admin_client.get(customer_page).content.decode()


def test_without_a_customer_it_sends_to_add_site_to_pick_one(admin_client, membership):
    response = admin_client.get(ADD_MANY)
    assert response.status_code == 302
    assert response["Location"] == network_url("sites:add")
    assert admin_client.get(ADD_MANY, {"customer": "999999"}).status_code == 404
    assert admin_client.get(ADD_MANY, {"customer": "nope"}).status_code == 404


def test_the_page_offers_the_customers_memberships_and_counts_nothing_yet(admin_client, membership):
    other = MembershipFactory()
    html = admin_client.get(add_many_url(membership.customer)).content.decode()
    assert "<h1>Add many sites for Ada Lovelace</h1>" in html
    assert membership.reference in html
    assert other.reference not in html
    assert 'aria-live="polite">0</output>' in html


@pytest.fixture
def taken(make_site):
    """A site at taken.localhost whose schema is "acme": the domain and the name are
    taken, each on its own."""
    make_site("acme")
    Domain.objects.filter(domain="acme.localhost").update(domain="taken.localhost")


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("", "Enter at least one site: a domain on each line."),
        (" \n\n  \n", "Enter at least one site: a domain on each line."),
        (
            "one.example.com\nhttp://two.example.com/\n",
            "Line 2: Enter a host name like “shop.example.com” (no http://, port or path).",
        ),
        (
            "one.example.com\n\ntaken.localhost",
            "Line 3: “taken.localhost” already belongs to a site.",
        ),
        (
            "one.example.com\ntwo.example.com\n One.Example.com. , Again",
            "Line 3: “one.example.com” is on line 1 already.",
        ),
        (
            "shop.example.com\nshop.example.org",
            "Line 2: “shop.example.org” would get the same name as line 1 (“shop”); pick another.",
        ),
        ("acme.example.org", "Line 1: The name “acme” is taken by another site; pick another."),
        (
            "one.example.com\ntwo.example.com\n\nthree.example.com\nfour.example.com",
            "Line 5: Only 3 sites fit in one list; add the rest afterwards.",
        ),
        (f"one.example.com, {'T' * 201}", "Line 1: The title is longer than 200 characters."),
        (
            "information-schema.example.com",
            "Line 1: The name “information-schema” is taken by another site; pick another.",
        ),
    ],
    ids=[
        "empty",
        "blank lines only",
        "malformed domain",
        "domain taken",
        "same domain twice",
        "same schema name twice",
        "schema name taken",
        "too many lines",
        "title too long",
        "a schema the database has",
    ],
)
@pytest.mark.usefixtures("taken")
def test_a_bad_line_is_refused_by_its_number_and_nothing_typed_is_lost(
    admin_client, membership, settings, lines, message
):
    settings.SITES_BULK_LIMIT = 3
    sites_before = Site.objects.count()
    response = post(admin_client, membership, lines)
    assert response.status_code == 400
    assert response.context["form"].errors["lines"] == [message]
    html = response.content.decode()
    typed = lines.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert f"\n{typed}</textarea>" in html
    assert f'<option value="{membership.pk}" selected>' in html
    assert Site.objects.count() == sites_before
    assert not Run.objects.exists()
    assert not site_jobs()


@pytest.mark.usefixtures("taken")
def test_every_bad_line_is_named_at_once_and_the_page_counts_the_sites(admin_client, membership):
    lines = "good.example.com\nbad\n\ntaken.localhost, Mine\nfine.example.com, Fine\nbad"
    response = post(admin_client, membership, lines)
    assert response.status_code == 400
    assert response.context["form"].errors["lines"] == [
        "Line 2: Enter a host name like “shop.example.com” (no http://, port or path).",
        "Line 4: “taken.localhost” already belongs to a site.",
        "Line 6: Enter a host name like “shop.example.com” (no http://, port or path).",
    ]
    html = response.content.decode()
    assert 'aria-live="polite">5</output>' in html
    # The summary at the top of the page names the field and the line.
    assert "Sites: Line 4: “taken.localhost” already belongs to a site." in html


def test_the_page_and_the_run_speak_the_admins_language(admin_client, membership, super_admin):
    html = admin_client.get(
        add_many_url(membership.customer), headers={"accept-language": "fr"}
    ).content.decode()
    assert "<h1>Ajouter plusieurs sites pour Ada Lovelace</h1>" in html
    response = admin_client.post(
        add_many_url(membership.customer),
        {"membership": membership.pk, "type": Site.Type.REGULAR, "lines": "one.example.com\nbad"},
        headers={"accept-language": "fr"},
    )
    assert response.context["form"].errors["lines"][0].startswith("Ligne 2 : ")
    run = Run.objects.create(
        kind=Run.Kind.SITES_CREATE, customer_ids=[1], total=25, label="Ada", actor=super_admin
    )
    html = admin_client.get(
        network_url("customers:run", run.pk), headers={"accept-language": "ro"}
    ).content.decode()
    assert "<h1>Creează 25 de site-uri pentru Ada</h1>" in html


def test_another_customers_membership_is_refused(admin_client, membership):
    other = MembershipFactory()
    response = admin_client.post(
        add_many_url(membership.customer),
        {"membership": other.pk, "type": Site.Type.REGULAR, "lines": "one.example.com"},
    )
    assert response.status_code == 400
    assert "membership" in response.context["form"].errors
    assert not Run.objects.exists()


def test_a_valid_list_starts_a_run_and_its_job_and_creates_nothing_yet(
    admin_client, membership, super_admin
):
    lines = "One.Example.com\n\n  two.example.com , Two Shop \nbücher.example"
    response = post(admin_client, membership, lines, type=Site.Type.CUSTOMER_OWNED)
    run = Run.objects.get()
    assert response.status_code == 302
    assert response["Location"] == network_url("customers:run", run.pk)
    assert (run.kind, run.status, run.total) == (Run.Kind.SITES_CREATE, Run.Status.QUEUED, 3)
    assert run.customer_ids == [membership.customer_id]
    assert run.label == "Ada Lovelace <ada@example.com>"
    assert (run.actor, run.ip) == (super_admin, "127.0.0.1")
    assert run.items == [
        {"line": 1, "domain": "one.example.com", "title": "one.example.com"},
        {"line": 3, "domain": "two.example.com", "title": "Two Shop"},
        {"line": 4, "domain": "xn--bcher-kva.example", "title": "bücher.example"},
    ]
    assert run.options == {"membership": membership.pk, "type": Site.Type.CUSTOMER_OWNED}
    assert [(job["task"], json.loads(job["args"])) for job in site_jobs()] == [
        (TASK, {"run_id": run.pk})
    ]
    assert run.job_id == site_jobs()[0]["id"]
    assert not Site.objects.filter(customer=membership.customer).exists()


def test_the_run_and_its_job_exist_only_if_the_transaction_commits(membership, super_admin):
    with pytest.raises(RuntimeError), transaction.atomic():
        sites_create_start(
            customer=membership.customer,
            membership=membership,
            type=Site.Type.REGULAR,
            lines=[SiteLine(1, "one.example.com", "One")],
            actor=super_admin,
        )
        assert Run.objects.count() == 1 and len(site_jobs()) == 1
        raise RuntimeError("the caller's transaction fails after the start")
    assert not Run.objects.exists()
    assert not site_jobs()


def test_the_page_makes_the_same_queries_for_3_or_300_lines(
    admin_client, membership, django_assert_num_queries
):
    """The lines are checked against the sites in two queries (domains, schema names),
    never one per line."""

    def lines(n: int) -> str:
        return "\n".join(f"site{i}.example.com, Site {i}" for i in range(n)) + "\nbad"

    # Domain lookup, session, user, permissions (user and group), the customer, the
    # memberships offered (the select, and whether there is any).
    with django_assert_num_queries(8):
        assert admin_client.get(add_many_url(membership.customer)).status_code == 200
    # The same, the chosen membership, and the domains and the schema names taken.
    for n in (3, 300):
        with django_assert_num_queries(11):
            assert post(admin_client, membership, lines(n)).status_code == 400


# --- The job, for real: the worker sees only what is committed.


@pytest.fixture
def refuse_recording_line(db_refuses):
    """The run's own bookkeeping fails for one line: the job fails as a whole."""

    def refuse(line: int):
        return db_refuses(
            "customers_runoutcome",
            event="INSERT",
            when=f"NEW.customer_ref = {int(line)}",
            message="'forced failure recording a line'",
        )

    return refuse


@pytest.mark.usefixtures("email_queue", "committed")
def test_the_job_creates_each_site_and_a_domain_taken_meanwhile_fails_alone(
    admin_client, membership, make_site
):
    lines = "rock.localhost, Rock\nroll.localhost\n\nlate.localhost, Late\njazz.localhost"
    response = post(admin_client, membership, lines)
    run = Run.objects.get()
    assert response["Location"] == network_url("customers:run", run.pk)
    # Between the page and the job, another site takes line 4's domain.
    other = make_site("other")
    Domain.objects.create(domain="late.localhost", tenant=other)

    run_jobs()

    run.refresh_from_db()
    assert (run.status, run.done, run.skipped, run.failed) == (Run.Status.DONE, 3, 0, 1)
    assert run.started_at and run.finished_at
    sites = Site.objects.filter(customer=membership.customer).order_by("title")
    assert [(s.title, s.schema_name, s.type, s.membership_id) for s in sites] == [
        ("Rock", "rock", Site.Type.REGULAR, membership.pk),
        ("jazz.localhost", "jazz", Site.Type.REGULAR, membership.pk),
        ("roll.localhost", "roll", Site.Type.REGULAR, membership.pk),
    ]
    for site in sites:
        assert schema_exists(site.schema_name)
        assert site.domains.get().is_primary
    assert not schema_exists("late")
    created = Event.objects.filter(type=Event.Type.SITE_CREATED, customer=membership.customer)
    assert created.count() == 3
    assert {(event.actor_id, event.ip) for event in created} == {(run.actor_id, "127.0.0.1")}
    outcomes = {o.customer_ref: o for o in RunOutcome.objects.filter(run=run)}
    assert {line: (o.label, o.result) for line, o in outcomes.items()} == {
        1: ("rock.localhost", "done"),
        2: ("roll.localhost", "done"),
        4: ("late.localhost", "failed"),
        5: ("jazz.localhost", "done"),
    }
    assert outcomes[4].detail == (
        "Not created: The domain “late.localhost” belongs to another site."
    )

    page = admin_client.get(network_url("customers:run", run.pk)).content.decode()
    assert "<h1>Create 4 sites for Ada Lovelace &lt;ada@example.com&gt;</h1>" in page
    assert "What happened to each site" in page
    assert "<dt>Created</dt><dd>3</dd>" in page
    assert "<dt>Not created</dt><dd><strong>1</strong></dd>" in page
    assert ">Created</span>" in page and ">Not created</span>" in page
    assert "Deleted" not in page
    back = network_url("customers:detail", membership.customer_id)
    assert f'<a class="button" href="{back}#sites">Back to customer</a>' in page
    failed = admin_client.get(network_url("customers:run", run.pk) + "?show=failed")
    html = failed.content.decode()
    assert 'aria-current="page">Not created (1)</a>' in html
    assert "late.localhost" in html
    assert "rock.localhost" not in html and "jazz.localhost" not in html


@pytest.mark.usefixtures("email_queue", "committed")
def test_a_job_that_fails_is_retried_and_resumes_without_making_a_site_twice(
    admin_client, membership, refuse_recording_line
):
    post(admin_client, membership, "a1.localhost\na2.localhost\na3.localhost\na4.localhost")
    run = Run.objects.get()
    allow = refuse_recording_line(3)

    run_jobs()  # the job fails at line 3: the worker records it, the queue will retry

    run.refresh_from_db()
    assert (run.status, run.done, run.failed) == (Run.Status.RETRYING, 2, 0)
    assert "forced failure recording a line" in run.error
    # Line 3's site went back with its outcome: its schema too.
    assert sorted(Site.objects.values_list("schema_name", flat=True)) == ["a1", "a2", "public"]
    assert not schema_exists("a3")
    assert [job["status"] for job in site_jobs()] == ["todo"]
    html = admin_client.get(network_url("customers:run", run.pk)).content.decode()
    assert "it will try again and go on where it stopped" in html

    allow()
    make_retry_due()
    run_jobs()

    run.refresh_from_db()
    assert (run.status, run.done, run.failed) == (Run.Status.DONE, 4, 0)
    assert Site.objects.filter(customer=membership.customer).count() == 4
    assert all(schema_exists(f"a{i}") for i in range(1, 5))
    assert RunOutcome.objects.filter(run=run).count() == 4
    assert Event.objects.filter(type=Event.Type.SITE_CREATED).count() == 4


@pytest.mark.usefixtures("email_queue", "committed")
def test_the_lines_fail_when_the_membership_went_before_the_job(admin_client, membership):
    post(admin_client, membership, "m1.localhost\nm2.localhost")
    membership.delete()

    run_jobs()

    run = Run.objects.get()
    assert (run.status, run.done, run.failed) == (Run.Status.DONE, 0, 2)
    assert set(RunOutcome.objects.values_list("detail", flat=True)) == {
        "Not created: the membership was deleted meanwhile."
    }
    assert not Site.objects.filter(schema_name__in=["m1", "m2"]).exists()


def test_django_admin_lists_the_lines_of_a_run_not_its_json(superuser_client, membership):
    run = Run.objects.create(
        kind=Run.Kind.SITES_CREATE,
        customer_ids=[membership.customer_id],
        total=2,
        items=[
            {"line": 1, "domain": "one.example.com", "title": "One"},
            {"line": 3, "domain": "two.example.com", "title": "two.example.com"},
        ],
        options={"membership": membership.pk, "type": "regular"},
    )
    html = superuser_client.get(f"/admin/customers/run/{run.pk}/change/").content.decode()
    assert "Add many sites" in html
    assert f"Membership #{membership.pk}, site type “regular”" in html
    assert "<li>1: one.example.com · One</li>" in html
    assert "<li>3: two.example.com · two.example.com</li>" in html
    assert '"domain"' not in html
    other = Run.objects.create(kind=Run.Kind.DELETE, customer_ids=[1], total=1)
    html = superuser_client.get(f"/admin/customers/run/{other.pk}/change/").content.decode()
    assert "Add many sites" not in html


@pytest.fixture
def refuse_domain(db_refuses):
    """Saving `domain` fails in the database, after the site's schema is made."""

    def refuse(domain: str, errcode: str):
        return db_refuses(
            "sites_domain",
            event="INSERT",
            when=f"NEW.domain = '{domain}'",
            message="'forced failure'",
            errcode=errcode,
        )

    return refuse


@pytest.mark.usefixtures("email_queue", "committed")
def test_a_line_that_fails_after_its_schema_is_made_goes_back_alone(
    admin_client, membership, refuse_domain
):
    """The line's schema is made (on a Citus worker too) before its domain fails: its
    savepoint takes the schema back, and the next lines are made."""
    post(admin_client, membership, "b1.localhost\nboom.localhost\nb3.localhost")
    refuse_domain("boom.localhost", "P0001")

    run_jobs()

    run = Run.objects.get()
    assert (run.status, run.done, run.failed) == (Run.Status.DONE, 2, 1)
    assert not schema_exists("boom")
    assert schema_exists("b1") and schema_exists("b3")
    outcome = RunOutcome.objects.get(run=run, customer_ref=2)
    assert outcome.detail == "Not created: an unexpected error (logged)."


@pytest.mark.usefixtures("email_queue", "committed")
def test_a_database_short_of_something_is_the_jobs_try_not_the_lines_failure(
    admin_client, membership, refuse_domain
):
    """A lock not available (an OperationalError, like a deadlock or a lost connection)
    is no fault of the line: the job's try fails, and the next try makes the site."""
    post(admin_client, membership, "c1.localhost\nc2.localhost")
    allow = refuse_domain("c2.localhost", "55P03")

    run_jobs()

    run = Run.objects.get()
    assert (run.status, run.done, run.failed) == (Run.Status.RETRYING, 1, 0)
    assert not RunOutcome.objects.filter(run=run, customer_ref=2).exists()
    assert not schema_exists("c2")

    allow()
    make_retry_due()
    run_jobs()

    run.refresh_from_db()
    assert (run.status, run.done, run.failed) == (Run.Status.DONE, 2, 0)
    assert schema_exists("c2")

from __future__ import annotations

import contextlib
import logging
import re
from dataclasses import dataclass

import idna
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name

from customers.models import Customer, Run, RunOutcome
from customers.services import run_create
from events.models import Event
from events.services import event_record
from memberships.models import Membership
from network.formatting import unicode_host
from sites.models import Domain, Site
from sites.provisioning import schema_provision
from sites.signals import site_withdrawn
from sites.tasks import sites_create_run

logger = logging.getLogger(__name__)

SCHEMA_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def network_ensure(*, host: str) -> Site:
    """The public tenant (the network itself) and its host; idempotent."""
    with transaction.atomic():
        site, _ = Site.objects.get_or_create(
            schema_name=get_public_schema_name(),
            defaults={"title": "Network", "type": Site.Type.MAIN},
        )
        Domain.objects.get_or_create(domain=host, defaults={"tenant": site, "is_primary": True})
    return site


def schema_name_for(slug: str) -> str:
    name = re.sub(r"[^a-z0-9_]", "_", slug.lower())
    # PostgreSQL keeps names that begin with pg_ for its own schemas.
    if not name or not name[0].isalpha() or name.startswith("pg_"):
        name = f"s_{name}"
    return name[:63]


def schemas_taken(names: list[str]) -> set[str]:
    """Which of `names` a site has, or the database has as a schema already (PostgreSQL's
    own, such as information_schema, Citus's, or one left without its site)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT schema_name FROM {Site._meta.db_table} WHERE schema_name = ANY (%s)"
            " UNION SELECT nspname FROM pg_namespace WHERE nspname = ANY (%s)",
            [names, names],
        )
        return {name for (name,) in cursor.fetchall()}


@transaction.atomic
def site_create(
    *,
    title: str,
    domain: str,
    customer=None,
    membership=None,
    type: Site.Type = Site.Type.CUSTOMER_OWNED,
    schema_name: str | None = None,
    actor=None,
    ip: str | None = None,
) -> Site:
    """Provision a subsite: its row, its own schema (migrated) and its primary domain.

    PostgreSQL DDL is transactional, so a failure anywhere leaves no schema behind."""
    domain = domain_normalize(domain)
    if membership is not None and (customer is None or membership.customer_id != customer.pk):
        raise ValidationError({"membership": _other_customers(membership)})
    schema_name = schema_name or schema_name_for(domain.split(".")[0])
    if not SCHEMA_NAME.match(schema_name) or schema_name == get_public_schema_name():
        unusable = _("“%(schema)s” is not a usable schema name.") % {"schema": schema_name}
        raise ValidationError({"schema_name": unusable})
    if schemas_taken([schema_name]):
        raise ValidationError(
            {"schema_name": _("A site with schema “%(schema)s” exists.") % {"schema": schema_name}}
        )
    if Domain.objects.filter(domain=domain).exists():
        raise ValidationError(
            {"domain": _("The domain “%(domain)s” belongs to another site.") % {"domain": domain}}
        )

    try:
        site = Site.objects.create(
            schema_name=schema_name,
            title=title,
            customer=customer,
            membership=membership,
            type=type,
        )
    except IntegrityError as error:  # taken by a concurrent request since the check above
        taken = _("A site with schema “%(schema)s” exists.") % {"schema": schema_name}
        raise ValidationError({"schema_name": taken}) from error
    schema_provision(site)
    try:
        Domain.objects.create(domain=domain, tenant=site, is_primary=True)
    except IntegrityError as error:
        raise ValidationError({"domain": _taken(domain)}) from error
    event_record(
        type=Event.Type.SITE_CREATED,
        message=f"Site “{title}” created at {unicode_host(domain)}",
        customer=customer,
        subject=site,
        actor=actor,
        new={"domain": domain, "schema": schema_name, "type": type},
        ip=ip,
    )
    return site


@transaction.atomic
def site_delete(*, site: Site, actor=None, ip: str | None = None) -> None:
    """Delete a site for good: its row, its domains and its schema with all the site's
    data. DROP SCHEMA is transactional in PostgreSQL, so a failure later in the caller's
    transaction brings the schema back with the rows. The main site is never deleted."""
    site = _locked_site(site)
    if site.schema_name == get_public_schema_name():
        raise ValidationError(_("The main site cannot be changed."))
    domains = list(site.domains.order_by("pk").values_list("domain", flat=True))
    site_withdrawn.send(sender=Site, site=site, why="deleted", actor=actor, ip=ip)
    # Recorded before the row goes, while the site still has the id the event points at.
    event_record(
        type=Event.Type.SITE_DELETED,
        message=f"Site “{site.title}” deleted ({', '.join(map(unicode_host, domains))})",
        customer=site.customer,
        subject=site,
        actor=actor,
        ip=ip,
        old={"domains": domains, "schema": site.schema_name, "type": site.type},
    )
    schema_name = site.schema_name
    site.delete()  # with its domains; Site.auto_drop_schema is off, so the schema is ours
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {connection.ops.quote_name(schema_name)} CASCADE")


@transaction.atomic
def sites_reassign(*, from_customer, to_customer, actor=None, ip: str | None = None) -> list[Site]:
    """Give `from_customer`'s sites that are not under one of their memberships to
    `to_customer`; one event on each side per site. Sites under a membership move with it
    (memberships.services.membership_reassign), so a site's customer and its membership's
    customer never disagree. The caller locks both customers first, in id order."""
    sites = list(
        Site.objects.select_for_update(of=("self",))
        .filter(customer=from_customer)
        .exclude(membership__customer=from_customer)
        .order_by("pk")
    )
    Site.objects.filter(pk__in=[site.pk for site in sites]).update(
        customer=to_customer, updated_at=timezone.now()
    )
    old = {"customer": from_customer.pk, "customer_label": str(from_customer)}
    new = {"customer": to_customer.pk, "customer_label": str(to_customer)}
    sides = ((from_customer, f"to {to_customer}"), (to_customer, f"from {from_customer}"))
    for site in sites:
        site_withdrawn.send(sender=Site, site=site, why="reassigned", actor=actor, ip=ip)
        for side, who in sides:
            event_record(
                type=Event.Type.SITE_UPDATED,
                message=f"Site “{site.title}” reassigned {who}",
                customer=side,
                subject=site,
                actor=actor,
                old=old,
                new=new,
                ip=ip,
            )
    return sites


# --- The site page: options, active status and domains. The main site is locked.

DOMAIN_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def domain_normalize(value: str) -> str:
    """A bare host name, lower case: no scheme, port, path or trailing dot. An
    internationalised name ("bücher.example") is stored as browsers send it in the Host
    header, in punycode ("xn--bcher-kva.example"); pages show it in Unicode again."""
    domain = value.strip().lower().rstrip(".")
    # A name IDNA cannot write stays as typed: the check below says what is wrong.
    with contextlib.suppress(idna.IDNAError, UnicodeError):
        domain = idna.encode(domain, uts46=True).decode("ascii")
    labels = domain.split(".")
    if len(domain) > 253 or len(labels) < 2 or not all(DOMAIN_LABEL.match(x) for x in labels):
        raise ValidationError(
            {"domain": _("Enter a host name like “shop.example.com” (no http://, port or path).")}
        )
    return domain


def _taken(domain: str) -> str:
    return _("“%(domain)s” already belongs to a site.") % {"domain": domain}


def _other_customers(membership) -> str:
    return _("%(membership)s belongs to another customer.") % {"membership": membership}


def _locked_site(site: Site) -> Site:
    site = (
        Site.objects.select_for_update(of=("self",))
        .select_related("customer__user")
        .get(pk=site.pk)
    )
    if site.is_main:
        raise ValidationError(_("The main site cannot be changed."))
    return site


@transaction.atomic
def site_update(*, site: Site, membership, type: str, actor=None, ip: str | None = None) -> Site:
    """The membership it belongs to (one of its customer's) and its type."""
    site = _locked_site(site)
    if type == Site.Type.MAIN:
        raise ValidationError({"type": _("Only the network itself is the main site.")})
    if membership is not None and membership.customer_id != site.customer_id:
        raise ValidationError({"membership": _other_customers(membership)})
    values = {"membership_id": membership.pk if membership else None, "type": type}
    old = {field: getattr(site, field) for field in values}
    new = {field: value for field, value in values.items() if old[field] != value}
    if not new:
        return site
    for field, value in new.items():
        setattr(site, field, value)
    site.save(update_fields=[*new, "updated_at"])
    event_record(
        type=Event.Type.SITE_UPDATED,
        message=f"Site “{site.title}” updated: "
        + ", ".join("membership" if field == "membership_id" else "type" for field in new),
        customer=site.customer,
        subject=site,
        actor=actor,
        old={field: old[field] for field in new},
        new=new,
        ip=ip,
    )
    return site


@transaction.atomic
def site_active_set(*, site: Site, active: bool, actor=None, ip: str | None = None) -> Site:
    """An inactive site's host answers with the "site unavailable" page
    (sites.middleware.InactiveSiteMiddleware). Deactivating ends the impersonated sessions
    running on it (sites.signals.site_withdrawn): activating it again resumes none."""
    site = _locked_site(site)
    if site.active == active:
        return site
    site.active = active
    site.save(update_fields=["active", "updated_at"])
    if not active:
        site_withdrawn.send(sender=Site, site=site, why="deactivated", actor=actor, ip=ip)
    event_record(
        type=Event.Type.SITE_UPDATED,
        message=f"Site “{site.title}” {'activated' if active else 'deactivated'}",
        customer=site.customer,
        subject=site,
        actor=actor,
        old={"active": not active},
        new={"active": active},
        ip=ip,
    )
    return site


@transaction.atomic
def domain_add(
    *, site: Site, domain: str, primary: bool = False, actor=None, ip: str | None = None
) -> Domain:
    site = _locked_site(site)
    domain = domain_normalize(domain)
    if Domain.objects.filter(domain=domain).exists():
        raise ValidationError({"domain": _taken(domain)})
    primary = primary or not site.domains.exists()
    if primary:
        site.domains.update(is_primary=False)
    try:
        created = Domain.objects.create(domain=domain, tenant=site, is_primary=primary)
    except IntegrityError as error:  # taken by a concurrent request since the check above
        raise ValidationError({"domain": _taken(domain)}) from error
    event_record(
        type=Event.Type.SITE_DOMAINS,
        message=f"Domain {unicode_host(domain)} added to “{site.title}”"
        + (" as primary" if primary else ""),
        customer=site.customer,
        subject=site,
        actor=actor,
        new={"domain": domain, "primary": primary},
        ip=ip,
    )
    return created


@transaction.atomic
def domain_make_primary(*, domain: Domain, actor=None, ip: str | None = None) -> Domain:
    site = _locked_site(domain.tenant)
    domain = Domain.objects.select_for_update().get(pk=domain.pk)
    if domain.is_primary:
        return domain
    previous = site.domains.filter(is_primary=True).values_list("domain", flat=True).first()
    site.domains.exclude(pk=domain.pk).update(is_primary=False)
    domain.is_primary = True
    domain.save(update_fields=["is_primary"])
    event_record(
        type=Event.Type.SITE_DOMAINS,
        message=f"{unicode_host(domain.domain)} is now the primary domain of “{site.title}”",
        customer=site.customer,
        subject=site,
        actor=actor,
        old={"primary": previous},
        new={"primary": domain.domain},
        ip=ip,
    )
    return domain


@transaction.atomic
def domain_remove(*, domain: Domain, actor=None, ip: str | None = None) -> None:
    site = _locked_site(domain.tenant)
    domain = Domain.objects.select_for_update().get(pk=domain.pk)
    if domain.is_primary:
        raise ValidationError(
            _("%(domain)s is the primary domain; make another domain primary first.")
            % {"domain": domain.domain}
        )
    domain.delete()
    event_record(
        type=Event.Type.SITE_DOMAINS,
        message=f"Domain {unicode_host(domain.domain)} removed from “{site.title}”",
        customer=site.customer,
        subject=site,
        actor=actor,
        old={"domain": domain.domain},
        ip=ip,
    )


# --- Add many sites: every line checked up front, then a job (sites.tasks) makes each
# site with site_create, one line at a time.


@dataclass(frozen=True)
class SiteLine:
    """One line of Add many sites: its number as typed (blank lines count), its domain
    (normalised) and the site's title."""

    number: int
    domain: str
    title: str


def site_lines_read(text: str) -> list[SiteLine]:
    """The sites of `text`, one per line: `domain` or `domain, title` (without a title the
    site is named after its host); blank lines are ignored. Every line is checked as
    site_create will check it, against the sites there are and the other lines, and every
    problem is raised at once, each naming its line. Two queries, however many lines."""
    numbered = site_lines_split(text)
    if not numbered:
        raise ValidationError(_("Enter at least one site: a domain on each line."))
    limit = settings.SITES_BULK_LIMIT
    if len(numbered) > limit:
        raise ValidationError(
            _line_error(
                numbered[limit][0],
                _("Only %(limit)s sites fit in one list; add the rest afterwards.")
                % {"limit": number_format(limit, force_grouping=True)},
            )
        )
    problems: dict[int, str] = {}
    lines: list[SiteLine] = []
    first_of_domain: dict[str, int] = {}
    first_of_schema: dict[str, SiteLine] = {}
    title_limit = Site._meta.get_field("title").max_length
    for number, line in numbered:
        domain, _comma, title = line.partition(",")
        try:
            domain = domain_normalize(domain)
        except ValidationError as error:
            problems[number] = " ".join(error.message_dict["domain"])
            continue
        title = title.strip() or unicode_host(domain)[:title_limit]
        schema_name = schema_name_for(domain.split(".")[0])
        if domain in first_of_domain:
            problems[number] = _("“%(domain)s” is on line %(line)s already.") % {
                "domain": unicode_host(domain),
                "line": first_of_domain[domain],
            }
        elif schema_name in first_of_schema:
            problems[number] = _(
                "“%(domain)s” would get the same name as line %(line)s (“%(name)s”); pick another."
            ) % {
                "domain": unicode_host(domain),
                "line": first_of_schema[schema_name].number,
                "name": schema_name,
            }
        elif len(title) > title_limit:
            problems[number] = _("The title is longer than %(limit)s characters.") % {
                "limit": title_limit
            }
        else:
            site_line = SiteLine(number, domain, title)
            lines.append(site_line)
            first_of_domain[domain] = number
            first_of_schema[schema_name] = site_line
    taken_domains = set(
        Domain.objects.filter(domain__in=first_of_domain).values_list("domain", flat=True)
    )
    taken_schemas = schemas_taken(list(first_of_schema))
    for site_line in lines:
        first_label = site_line.domain.split(".")[0]
        if site_line.domain in taken_domains:
            problems[site_line.number] = _taken(unicode_host(site_line.domain))
        elif schema_name_for(first_label) in taken_schemas:
            problems[site_line.number] = _(
                "The name “%(name)s” is taken by another site; pick another."
            ) % {"name": first_label}
    if problems:
        raise ValidationError(
            [_line_error(number, problem) for number, problem in sorted(problems.items())]
        )
    return lines


def site_lines_split(text: str) -> list[tuple[int, str]]:
    """The lines that are not blank, each with its number as a text area counts lines
    (a browser sends CR LF; no other character ends a line)."""
    lines = re.split(r"\r\n|\r|\n", text)
    return [(number, line.strip()) for number, line in enumerate(lines, start=1) if line.strip()]


def _line_error(number: int, problem: str) -> str:
    return _("Line %(number)s: %(problem)s") % {"number": number, "problem": problem}


@transaction.atomic
def sites_create_start(
    *,
    customer: Customer,
    membership: Membership,
    type: Site.Type,
    lines: list[SiteLine],
    actor=None,
    ip: str | None = None,
) -> Run:
    """Create many sites for one customer as a job: a run that carries the lines, with its
    job (sites.tasks.sites_create_run) deferred in the same transaction."""
    if membership.customer_id != customer.pk:
        raise ValidationError({"membership": _other_customers(membership)})
    if type == Site.Type.MAIN:
        raise ValidationError({"type": _("Only the network itself is the main site.")})
    if not lines:
        raise ValidationError(_("Enter at least one site: a domain on each line."))
    run = run_create(
        kind=Run.Kind.SITES_CREATE,
        customer_ids=[customer.pk],
        actor=actor,
        ip=ip,
        label=str(customer),
        items=[{"line": line.number, "domain": line.domain, "title": line.title} for line in lines],
        options={"membership": membership.pk, "type": str(type)},
    )
    run.job_id = sites_create_run.defer(run_id=run.pk)
    run.save(update_fields=["job_id"])
    return run


def sites_create_work(run: Run) -> None:
    """The job's work: each line of the run made by site_create, its outcome recorded and
    counted in the same transaction, so a later try of the job skips exactly the lines
    done and never makes a site twice. A line that fails is rolled back alone."""
    seen = set(RunOutcome.objects.filter(run=run).values_list("customer_ref", flat=True))
    customer = Customer.objects.filter(pk__in=run.customer_ids).first()
    membership = Membership.objects.filter(pk=run.options["membership"]).first()
    for item in run.items:
        if item["line"] in seen:
            continue
        with transaction.atomic():
            result, detail = _site_create_outcome(
                item, customer=customer, membership=membership, run=run
            )
            RunOutcome.objects.create(
                run=run,
                customer_ref=item["line"],
                label=unicode_host(item["domain"])[:300],
                result=result,
                detail=detail,
            )
            # The results are named after the run's counters: done, skipped, failed.
            counter = str(result)
            Run.objects.filter(pk=run.pk).update(**{counter: F(counter) + 1})


def _site_create_outcome(
    item: dict, *, customer: Customer | None, membership: Membership | None, run: Run
) -> tuple[RunOutcome.Result, str]:
    """One line's site_create, saying what happened instead of raising."""
    if customer is None:
        return RunOutcome.Result.FAILED, _("Not created: the customer was deleted meanwhile.")
    if membership is None:
        return RunOutcome.Result.FAILED, _("Not created: the membership was deleted meanwhile.")
    try:
        site = site_create(
            title=item["title"],
            domain=item["domain"],
            customer=customer,
            membership=membership,
            type=run.options["type"],
            actor=run.actor,
            ip=run.ip,
        )
    except ValidationError as error:
        why = " ".join(error.messages)
        return RunOutcome.Result.FAILED, _("Not created: %(why)s") % {"why": why}
    except (OperationalError, InterfaceError):
        # The database went away or is short of something (a lock, memory, a worker):
        # not this line's fault. The job's try fails, and the next try resumes here.
        raise
    except Exception:
        logger.exception("Creating the site of line %s of run %s failed", item["line"], run.pk)
        return RunOutcome.Result.FAILED, _("Not created: an unexpected error (logged).")
    return RunOutcome.Result.DONE, _("“%(title)s”, with the schema “%(schema)s”.") % {
        "title": site.title,
        "schema": site.schema_name,
    }

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django_tenants.utils import get_public_schema_name

from events.models import Event
from events.services import event_record
from sites.models import Domain, Site
from sites.provisioning import schema_provision

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
    if not name or not name[0].isalpha():
        name = f"s_{name}"
    return name[:63]


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
) -> Site:
    """Provision a subsite: its row, its own schema (migrated) and its primary domain.

    PostgreSQL DDL is transactional, so a failure anywhere leaves no schema behind."""
    domain = domain.strip().lower()
    schema_name = schema_name or schema_name_for(domain.split(".")[0])
    if not SCHEMA_NAME.match(schema_name) or schema_name == get_public_schema_name():
        raise ValidationError({"schema_name": f"“{schema_name}” is not a usable schema name."})
    if Site.objects.filter(schema_name=schema_name).exists():
        raise ValidationError({"schema_name": f"A site with schema “{schema_name}” exists."})
    if Domain.objects.filter(domain=domain).exists():
        raise ValidationError({"domain": f"The domain “{domain}” belongs to another site."})

    site = Site.objects.create(
        schema_name=schema_name,
        title=title,
        customer=customer,
        membership=membership,
        type=type,
    )
    schema_provision(site)
    Domain.objects.create(domain=domain, tenant=site, is_primary=True)
    event_record(
        type=Event.Type.SITE_CREATED,
        message=f"Site “{title}” created at {domain}",
        customer=customer,
        subject=site,
        actor=actor,
        new={"domain": domain, "schema": schema_name, "type": type},
    )
    return site

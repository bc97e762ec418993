"""`manage.py migrate_network`: a deploy's migrations, visiting only the sites that are behind.

`migrate_schemas` runs `migrate` in every site's schema, and with nothing to do that still
costs a fresh connection and Django's migration graph per schema: 14 to 33 minutes over
10,000 sites on 2 cores (README, "Scaling out"). This command takes the same arguments and
migrates the public schema as it does, then asks every site's `django_migrations` which
migrations it misses, up to 1,000 schemas a query (seconds for 10,000), and:

- runs `migrate` (with the chosen executor) only in the schemas that miss a migration of
  an app with tables in a site's schema (TENANT_APPS);
- records, without running, the migrations a schema misses of the apps without tables
  there, which is all `migrate` would do in it (the router refuses their operations);
- first rebuilds the site template if it is behind, so a site made during the deploy is
  current (or, made before, is in the list).

With `--schema`, an app label and migration name, `--plan`, `--check` or `--prune` it is
`migrate_schemas` itself.
"""

from __future__ import annotations

import time

from django.apps import apps
from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction
from django_tenants.management.commands import SyncCommon
from django_tenants.management.commands.migrate_schemas import (
    GET_EXECUTOR_FUNCTION,
    MigrateSchemasCommand,
)
from django_tenants.utils import get_public_schema_name, schema_exists

from sites.models import Site
from sites.provisioning import (
    TEMPLATE_SCHEMA,
    migrations_record,
    schemas_behind,
    template_ensure,
)

RECORD_BATCH = 100


class Command(MigrateSchemasCommand):
    help = (
        "Migrate the public schema, then only the sites' schemas that are behind (one query "
        "per 1,000 schemas finds them), and the site template. Takes migrate_schemas' "
        "arguments; with --schema or a migration target it is migrate_schemas."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--list-behind",
            action="store_true",
            help="Only list the schemas that are behind (public, the site template, the "
            "sites), and fail if there are any.",
        )

    def handle(self, *args, **options) -> None:
        SyncCommon.handle(self, *args, **options)
        if options["list_behind"]:
            if self.schema_name or options["app_label"]:
                raise CommandError("--list-behind looks at every schema: no --schema or target.")
            self._list_behind()
            return
        # A schema, a target, or what only looks (--plan, --check) or prunes: migrate_schemas.
        if (
            self.schema_name
            or options["app_label"]
            or options["plan"]
            or options["check_unapplied"]
            or options["prune"]
        ):
            super().handle(*args, **options)
            return
        executor = GET_EXECUTOR_FUNCTION(codename=self.executor)(self.args, self.options)
        if self.sync_public:
            executor.run_migrations(tenants=[get_public_schema_name()])
        if not self.sync_tenant:
            return
        started = time.perf_counter()
        # The template first: a site made from here on (its rebuild waits for any being
        # made) is current, and one made before is in the list below.
        template_ensure()
        schemas = self._schemas()
        behind = schemas_behind(schemas)
        with_tables = {
            config.label for config in apps.get_app_configs() if config.name in settings.TENANT_APPS
        }
        to_migrate = sorted(
            schema
            for schema, missing in behind.items()
            if any(app in with_tables for app, _ in missing)
        )
        to_record = {schema: behind[schema] for schema in sorted(set(behind) - set(to_migrate))}
        # RECORD_BATCH schemas a transaction: fewer commits (two-phase on Citus), and a
        # few locks each.
        recording = list(to_record.items())
        for first in range(0, len(recording), RECORD_BATCH):
            with transaction.atomic():
                for schema, missing in recording[first : first + RECORD_BATCH]:
                    migrations_record(schema, missing)
        if to_migrate:
            executor.run_migrations(tenants=to_migrate)
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"{len(schemas):,} sites: {len(schemas) - len(behind):,} up to date, "
                f"{len(to_migrate):,} migrated, {len(to_record):,} recorded (migrations of "
                f"apps without tables in a site's schema); "
                f"{time.perf_counter() - started:,.1f} s."
            )

    def _schemas(self) -> list[str]:
        return list(
            Site.objects.exclude(schema_name=get_public_schema_name())
            .order_by("schema_name")
            .values_list("schema_name", flat=True)
        )

    def _list_behind(self) -> None:
        """The public schema, the site template (once made) and every site."""
        template = [TEMPLATE_SCHEMA] if schema_exists(TEMPLATE_SCHEMA) else []
        behind = schemas_behind([get_public_schema_name(), *template, *self._schemas()])
        for schema, missing in sorted(behind.items()):
            names = ", ".join(f"{app}.{name}" for app, name in sorted(missing))
            self.stdout.write(f"{schema}: {names}")
        if behind:
            raise CommandError(f"{len(behind):,} site(s) behind.")

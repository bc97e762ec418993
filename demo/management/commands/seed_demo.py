from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandParser

from demo.seeding import DEMO_PORT, print_report, seed_demo


class Command(BaseCommand):
    help = (
        "Seed a believable demo network (super admin, customers with memberships, payments, "
        "login records, events, real subsites). Prints the logins at the end."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=int, default=1000, help="How many to add.")
        parser.add_argument("--sites", type=int, default=3, help="Real subsites (up to 10).")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Only ensure the super admin (and print its login) when customers exist.",
        )
        parser.add_argument("--seed", type=int, default=2024, help="Random seed.")
        parser.add_argument(
            "--port", type=int, default=DEMO_PORT, help="The port the printed links use."
        )

    def handle(self, *args, customers: int, sites: int, if_empty: bool, seed: int, **options):
        report = seed_demo(
            customers=customers,
            sites=sites,
            if_empty=if_empty,
            seed=seed,
            progress=sys.stderr if options["verbosity"] > 0 else None,
        )
        print_report(report, self.stdout, port=options["port"])

"""Benchmarks at scale: `python -m bench.run [--customers 1000000] [--quick]`.

Seeds (or reuses) a big network in the database the settings point at (the embedded
one under NETWORK_DATA_DIR, or DATABASE_URL), measures the pages in-process with DEBUG
off, next to Django admin's changelist, then provisioning, Switch to, Delete and the
list over HTTP. Prints one table and writes it to bench/results/latest.md. Figures, not
tests: nothing here fails because something is slow.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
import traceback
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
SECTIONS = ("pages", "provisioning", "migrate", "switch", "delete", "http")
# Only when asked for: it grows the network to --sites sites and keeps them (bench/scale.py).
EXTRA_SECTIONS = ("scale",)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="fewer iterations, smaller runs")
    parser.add_argument("--iterations", type=int, help="timed requests per page (30; quick 5)")
    parser.add_argument("--provision", type=int, help="sites per provisioning variant (50; 5)")
    parser.add_argument("--tenants", type=int, help="extra tenants for migrate_schemas (500; 50)")
    parser.add_argument("--http-seconds", type=int, help="load duration, 0 skips (30; 10)")
    parser.add_argument("--deletes", type=int, help="customers deleted (3; 1)")
    parser.add_argument("--sites", type=int, default=10_000, help="scale: sites to grow to")
    parser.add_argument("--sessions", type=int, default=10_000, help="scale: in the moved site")
    parser.add_argument(
        "--migrate-seconds", type=int, default=0, help="scale: migrate time budget (0: none)"
    )
    parser.add_argument(
        "--only",
        type=lambda text: set(text.split(",")),
        default=set(SECTIONS),
        help=f"comma-separated sections to run: {','.join(SECTIONS + EXTRA_SECTIONS)} "
        f"(default: all but {','.join(EXTRA_SECTIONS)})",
    )
    parser.add_argument("--output", type=Path, default=RESULTS / "latest.md")
    parser.add_argument("--profile", type=Path, default=RESULTS / "profile.txt")
    args = parser.parse_args(argv)
    quick = args.quick
    defaults = {
        "iterations": (30, 5),
        "provision": (50, 5),
        "tenants": (500, 50),
        "http_seconds": (30, 10),
        "deletes": (3, 1),
    }
    for name, (full, small) in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, small if quick else full)
    return args


def setup_django() -> None:
    from django.apps import apps

    # WhiteNoise warns once per handler when STATIC_ROOT was never collected.
    warnings.filterwarnings("ignore", message="No directory at")

    if not apps.ready:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "network.settings")
        os.environ["DJANGO_DEBUG"] = "0"
        import django

        django.setup()
    from django.conf import settings

    settings.DEBUG = False


def main(argv: list[str] | None = None) -> str:
    args = parse(argv)
    setup_django()
    from django.db import connection

    from bench import data as bench_data
    from bench import http_load, sections
    from bench.measure import Report, Row, machine, table

    started = time.perf_counter()
    connection.set_schema_to_public()
    report = Report()
    host_facts = machine()
    say("Preparing the data…")
    quick = args.quick
    dataset = bench_data.dataset_ensure(
        customers=args.customers,
        heavy_payments=100 if quick else 1000,
        heavy_sites=10 if quick else 100,
        heavy_events=1000 if quick else 10_000,
        quick=quick,
    )
    ctx = sections.Context(
        data=dataset, report=report, iterations=args.iterations, results_dir=RESULTS
    )

    def section(name: str, run: Callable[[], object]) -> None:
        say(f"{name}…")
        section_started = time.perf_counter()
        try:
            run()
        except Exception as error:  # a broken section is reported, the rest still runs
            traceback.print_exc()
            report.add(Row(name, value=f"error: {type(error).__name__}", note=str(error)[:160]))
        finally:
            connection.set_schema_to_public()
        say(f"{name}: {time.perf_counter() - section_started:,.1f} s")

    only = args.only
    if "pages" in only:
        section("Pages in-process", lambda: sections.pages(ctx))
    if args.provision and "provisioning" in only:
        section("Site provisioning", lambda: sections.provisioning(ctx, args.provision))
    if args.tenants and "migrate" in only:
        section("No-op migrate_schemas", lambda: sections.migrate_noop(ctx, args.tenants))
    if "switch" in only:
        section("Switch to", lambda: sections.switch_to(ctx))
    if args.deletes and "delete" in only:
        section("Delete", lambda: sections.delete(ctx, args.deletes))
    if "scale" in only:
        from bench import scale

        section(
            "Scale",
            lambda: scale.scale(
                ctx,
                sites=args.sites,
                provision=args.provision,
                sessions=args.sessions,
                migrate_seconds=args.migrate_seconds,
            ),
        )
    if args.http_seconds and "http" in only:
        section(
            "HTTP load",
            lambda: http_load.http_load(report, admin=dataset.admin, seconds=args.http_seconds),
        )

    args.profile.parent.mkdir(parents=True, exist_ok=True)
    profile_summary = sections.profile_slowest(ctx, args.profile)
    explain_path = args.profile.with_name("explain.txt")
    explain_path.write_text("\n".join(ctx.explain) or "No search queries were run.\n")

    host_facts["Load average at end"] = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    command = "python -m bench.run " + shlex.join(argv if argv is not None else sys.argv[1:])
    text = render(
        table(report),
        host_facts=host_facts,
        dataset=dataset,
        command=command.strip(),
        minutes=(time.perf_counter() - started) / 60,
        profile_summary=profile_summary,
        profile_path=args.profile,
    )
    print(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    say(f"Written to {args.output}; profile in {args.profile}, EXPLAIN plans in {explain_path}")
    return text


def render(
    table_text: str,
    *,
    host_facts: dict,
    dataset,
    command: str,
    minutes: float,
    profile_summary: list[str],
    profile_path: Path,
) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        counts = {}
        for label, table_name in (
            ("customers", "customers_customer"),
            ("memberships", "memberships_membership"),
            ("payments", "payments_payment"),
            ("login records", "customers_loginrecord"),
            ("events", "events_event"),
            ("sites", "sites_site"),
        ):
            cursor.execute(f"SELECT count(*) FROM {table_name}")
            counts[label] = cursor.fetchone()[0]
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmark results",
        "",
        f"`{command}` on {when}, {minutes:,.1f} min. In-process figures use Django's test "
        "client with DEBUG off; Django admin's changelist is measured at the same 25 rows "
        "per page. Ratio = ours / admin (lower is better; 0.2 = 5× faster). Ours / floor = "
        "ours / base.html rendered for a signed-in super admin (bench/urls.py), in the same "
        "run: what a page costs on top of what every signed-in page costs.",
        "",
        "Data: " + ", ".join(f"{n:,} {label}" for label, n in counts.items()) + ".",
        "",
        "Machine: " + "; ".join(f"{key}: {value}" for key, value in host_facts.items()) + ".",
        "",
        table_text,
        "",
    ]
    if profile_summary:
        lines += [f"Profile ({profile_path.name}, cProfile over 5 requests):", ""]
        lines += [f"- {line}" for line in profile_summary]
        lines.append("")
    return "\n".join(lines)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()

"""The benchmark's scale section (`make bench-scale`) at a tiny scale, so that it can't rot:
every row is there and none is an error. How fast anything was is not asserted."""

from __future__ import annotations

from django.db import connection

from bench import run
from tests.conftest import drop_site_schemas

EXPECTED_ROWS = [
    "one node: site_create at",
    "one node: customer list (default) at",
    "one node: customer detail (heavy) at",
    "sites created by schema_provision, ms per site",
    "one node: no-op migrate_schemas (multiprocessing)",
    "one node: up-to-date check in one query",
    "one node: catalog on the server",
    "one node: \\dt *.*",
    "one node: Django's table_names()",
    "one node: new connection + first query in a site",
    "one node: pg_dump --schema-only",
]


def test_the_scale_section_runs_and_reports_every_figure(transactional_db, tmp_path):
    """Committed for real: the migrate processes, pg_dump and the new connections look from
    connections of their own."""
    try:
        text = run.main(
            [
                *("--customers", "50", "--quick", "--iterations", "1", "--only", "scale"),
                *("--sites", "20", "--provision", "1"),
                *("--output", str(tmp_path / "scale.md"), "--profile", str(tmp_path / "p.txt")),
            ]
        )
    finally:
        connection.set_schema_to_public()
        drop_site_schemas()
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    metrics = [row.split(" | ")[0].removeprefix("| ") for row in rows]
    for expected in EXPECTED_ROWS:
        assert any(expected in metric for metric in metrics), expected
    assert not [row for row in rows if "error:" in row or "failed" in row]

"""The benchmark's scale section (`make bench-scale`) at a tiny scale, so that it can't rot:
every row is there and none is an error. How fast anything was is not asserted."""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from tests.conftest import drop_site_schemas

EXPECTED_ROWS = [
    "one node: site_create at",
    "one node: customer list (default) at",
    "one node: customer detail (heavy) at",
    "sites created by schema_provision, ms per site",
    "one node: no-op migrate_schemas (multiprocessing)",
    "one node: migrate_network with nothing to do",
    "one node: catalog on the server",
    "one node: \\dt *.*",
    "one node: table_names() in one site's schema, Django's query",
    "one node: table_names() in one site's schema, ours",
    "one node: new connection + first query in a site",
    "one node: pg_dump --schema-only",
]


def test_the_scale_section_runs_and_reports_every_figure(transactional_db, tmp_path):
    """In a process of its own, on the test database (committed: transactional_db): the
    section forks migrate_schemas' worker processes, and a fork of the test process, with the
    threads other tests leave behind, can hang."""
    output = tmp_path / "scale.md"
    db = connection.settings_dict
    user = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    if db["HOST"].startswith("/"):  # the embedded server's socket folder
        url = f"postgres://{user}@/{db['NAME']}?host={quote(db['HOST'])}"
    else:
        url = f"postgres://{user}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    try:
        subprocess.run(
            [
                *(sys.executable, "-m", "bench.run", "--only", "scale", "--quick"),
                *("--customers", "50", "--iterations", "1", "--sites", "20", "--provision", "1"),
                *("--migrate-seconds", "120", "--output", str(output)),
                *("--profile", str(tmp_path / "profile.txt")),
            ],
            env={**os.environ, "DATABASE_URL": url},
            cwd=settings.BASE_DIR,
            capture_output=True,
            check=True,
            timeout=600,
        )
    finally:
        connection.set_schema_to_public()
        drop_site_schemas()
    rows = [line for line in output.read_text().splitlines() if line.startswith("| ")]
    metrics = [row.split(" | ")[0].removeprefix("| ") for row in rows]
    for expected in EXPECTED_ROWS:
        assert any(expected in metric for metric in metrics), expected
    assert not [row for row in rows if "error:" in row or "failed" in row]

"""The benchmark harness, end to end at a tiny scale, so that it can't rot. It asserts
that every section ran and produced its rows, never how fast anything was."""

from __future__ import annotations

from bench import run

EXPECTED_ROWS = [
    "Floor: empty view, anonymous",
    "Floor: empty view, super admin",
    "Floor: base.html, super admin",
    "Customer list (default)",
    "Sort: last login",
    "Sort: customer since",
    "Sort: name",
    "Sort: id",
    "Filter: VIP",
    "Search: email",
    "Search: name",
    "List queries, 25 vs 100 rows",
    "Customer detail (heavy)",
    "CSV export",
    "Memberships list (default)",
    "Memberships: status",
    "Memberships: expiring",
    "Payments list (default)",
    "Payments: has refunds",
    "Payments: status",
    "Sites list (default)",
    "Sites: type",
    "Payments: search email",
    "Memberships: search name",
    "Memberships list queries, 25 vs 100 rows",
    "Payments list queries, 25 vs 100 rows",
    "Sites list queries, 25 vs 100 rows",
    "Site creation: site_create (as shipped)",
    "Site schema by running migrations",
    "Site schema by TENANT_BASE_SCHEMA clone",
    "Switch to: grant",
    "Switch to: redemption",
    "Switch to: first subsite page",
    "Delete a customer with 20 sites",
]


def test_the_benchmark_runs_end_to_end_and_writes_its_table(db, tmp_path):
    output = tmp_path / "latest.md"
    profile = tmp_path / "profile.txt"
    text = run.main(
        [
            *("--customers", "200", "--quick", "--iterations", "3"),
            *("--provision", "2", "--tenants", "0", "--http-seconds", "0", "--deletes", "1"),
            *("--output", str(output), "--profile", str(profile)),
        ]
    )
    assert output.read_text() == text
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    metrics = [row.split(" | ")[0].removeprefix("| ") for row in rows]
    for expected in EXPECTED_ROWS:
        assert any(metric.startswith(expected) for metric in metrics), expected
    assert not [row for row in rows if "error:" in row or "failed:" in row]
    assert "Machine: CPU:" in text
    assert "Profile of:" in profile.read_text()
    assert "user_search_trgm" in text
    list_row = next(row for row in rows if row.startswith("| Customer list (default)"))
    assert list_row.split(" | ")[7].endswith("×"), "the list's ratio to the base.html floor"

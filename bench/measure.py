"""Timing, result rows and the one table the benchmark prints."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection
from django.test.utils import CaptureQueriesContext

NOT_BUILT = "n/a (not built)"


@dataclass
class Timing:
    samples: list[float]  # milliseconds
    queries: int | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(call: Callable[[], object], iterations: int, *, warmup: int = 1) -> Timing:
    """Median/p95 of `call` in ms. Queries are counted on a separate warm-up run, so the
    timed runs don't pay for recording SQL."""
    with CaptureQueriesContext(connection) as captured:
        call()
    queries = len(captured)  # now: the next request clears the connection's query log
    for _ in range(max(0, warmup - 1)):
        call()
    samples = []
    for _ in range(iterations):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return Timing(samples=samples, queries=queries)


@dataclass
class Row:
    metric: str
    ours: Timing | None = None
    admin: Timing | None = None
    value: str = ""  # for figures that are not a page timing (req/s, MB, ...)
    target: str = ""
    met: bool | None = None
    note: str = ""
    floor: Timing | None = None  # a page's floor: base.html for a signed-in super admin

    @property
    def ratio(self) -> float | None:
        if self.ours is None or self.admin is None or not self.admin.median:
            return None
        return self.ours.median / self.admin.median

    @property
    def floor_ratio(self) -> float | None:
        if self.ours is None or self.floor is None or not self.floor.median:
            return None
        return self.ours.median / self.floor.median


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        return row

    def not_built(self, metric: str, target: str = "", why: str = NOT_BUILT) -> Row:
        return self.add(Row(metric, value=why, target=target))


def _ms(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def _met(row: Row) -> str:
    if row.met is None:
        return "–" if row.target else ""
    return "yes" if row.met else "**no**"


def table(report: Report) -> str:
    header = (
        "| Metric | Ours median ms | Ours p95 ms | Queries | Admin median ms | Admin p95 ms "
        "| Ours / admin | Ours / floor | Target | Met? | Note |"
    )
    lines = [header, "|" + "---|" * 11]
    for row in report.rows:
        ours_median = _ms(row.ours.median) if row.ours else row.value
        ratio = f"{row.ratio:.3f}" if row.ratio is not None else ""
        floor_ratio = f"{row.floor_ratio:.1f}×" if row.floor_ratio is not None else ""
        queries = str(row.ours.queries) if row.ours and row.ours.queries is not None else ""
        cells = [
            row.metric,
            ours_median,
            _ms(row.ours.p95) if row.ours else "",
            queries,
            _ms(row.admin.median) if row.admin else "",
            _ms(row.admin.p95) if row.admin else "",
            ratio,
            floor_ratio,
            row.target,
            _met(row),
            row.note,
        ]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    ram = ""
    try:
        with open("/proc/meminfo") as meminfo:
            kb = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
            ram = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return {
        "CPU": f"{cpu} × {os.cpu_count()} (nproc)",
        "RAM": ram,
        "PostgreSQL": postgres,
        "Python": platform.python_version(),
        "Load average at start (1/5/15 min)": load,
    }

"""Over HTTP: gunicorn with DEBUG off on loopback, and a load generator against the
customer list (wrk when installed, else a small threaded Python client)."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from bench.measure import Report, Row
from bench.sections import NotBuilt, network_client, network_path

HTTP_TARGET_RPS = 200
HTTP_TARGET_P99_MS = 100
# The list's throughput as a share of the signed-in base.html floor's (issue 14).
FLOOR_SHARE_TARGET = 0.5
FLOOR_SECONDS = 10
PORTS = range(8170, 8180)
BASE_DIR = Path(__file__).resolve().parent.parent


@dataclass
class LoadResult:
    tool: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def _get(port: int, path: str, cookie: str = "") -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Host": settings.NETWORK_HOST}
    if cookie:
        headers["Cookie"] = cookie
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _peak_rss(pid: int) -> int:
    """VmHWM: the most resident memory the process ever had, in bytes."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def http_load(report: Report, *, admin, seconds: int, workers: int = 2) -> None:
    try:
        path = network_path("customers:list")
    except NotBuilt:
        report.not_built("HTTP: customer list", f"≥ {HTTP_TARGET_RPS} req/s")
        return
    import psutil

    from bench.urls import FLOORS

    client = network_client(admin)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    port = free_port()
    # The product's settings with the floor pages' URLconf (bench/urls.py) added.
    env = dict(os.environ, DJANGO_DEBUG="0", DJANGO_SETTINGS_MODULE="bench.settings")
    floor_seconds = min(seconds, FLOOR_SECONDS)
    floors: list[tuple[str, LoadResult]] = []
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "network.wsgi:application",
            f"--workers={workers}",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
            f"--chdir={BASE_DIR}",
        ],
        env=env,
        cwd=BASE_DIR,
    )
    try:
        _wait_ready(port, server)
        status = _get(port, path, cookie)
        if status != 200:
            raise RuntimeError(f"the list answered {status} to the benchmark's session")
        for _ in range(workers * 5):  # every worker loads its code and connects
            _get(port, path, cookie)
        for metric, name, who in FLOORS:
            floor_path = reverse(name, urlconf="bench.urls")
            floor_cookie = "" if who == "anonymous" else cookie
            if _get(port, floor_path, floor_cookie) != 200:
                raise RuntimeError(f"{floor_path} did not answer 200")
            floors.append((metric, _load(port, floor_path, floor_cookie, floor_seconds)))
        result = _load(port, path, cookie, seconds)
        worker_rss = [_peak_rss(child.pid) for child in psutil.Process(server.pid).children()]
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
    for metric, floor in floors:
        report.add(
            Row(
                f"HTTP: {metric[0].lower()}{metric[1:]}",
                value=f"{floor.rps:,.0f} req/s",
                note=f"p50 / p99 {floor.p50_ms:,.1f} / {floor.p99_ms:,.1f} ms, "
                f"{floor.errors} errors, {floor_seconds} s",
            )
        )
    note = f"{result.tool}, {workers} gunicorn workers, {seconds} s, {result.requests:,} requests"
    report.add(
        Row(
            "HTTP: customer list throughput",
            value=f"{result.rps:,.0f} req/s",
            target=f"≥ {HTTP_TARGET_RPS} req/s",
            met=result.rps >= HTTP_TARGET_RPS,
            note=note,
        )
    )
    if floors:
        base_rps = floors[-1][1].rps
        share = result.rps / base_rps if base_rps else 0.0
        report.add(
            Row(
                "HTTP: customer list / base.html floor",
                value=f"{share:.0%}",
                target=f"≥ {FLOOR_SHARE_TARGET:.0%}",
                met=share >= FLOOR_SHARE_TARGET,
                note=f"{result.rps:,.0f} of {base_rps:,.0f} req/s",
            )
        )
    report.add(
        Row(
            "HTTP: latency p50 / p99",
            value=f"{result.p50_ms:,.1f} / {result.p99_ms:,.1f}",
            target=f"p99 ≤ {HTTP_TARGET_P99_MS} ms",
            met=result.p99_ms <= HTTP_TARGET_P99_MS,
        )
    )
    report.add(Row("HTTP: errors", value=str(result.errors), target="0", met=result.errors == 0))
    rss = ", ".join(f"{value / 2**20:,.0f}" for value in worker_rss)
    report.add(Row("HTTP: peak RSS per worker (MiB)", value=rss))


def _wait_ready(port: int, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            _get(port, "/login/")
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer in time")


def _load(port: int, path: str, cookie: str, seconds: int) -> LoadResult:
    return _wrk(port, path, cookie, seconds) or _python_load(port, path, cookie, seconds)


WRK_LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk(port: int, path: str, cookie: str, seconds: int) -> LoadResult | None:
    wrk = shutil.which("wrk")
    if wrk is None:
        return None
    completed = subprocess.run(
        [
            wrk,
            "--threads=2",
            "--connections=8",
            f"--duration={seconds}s",
            "--latency",
            f"--header=Host: {settings.NETWORK_HOST}",
            *([f"--header=Cookie: {cookie}"] if cookie else []),
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    out = completed.stdout
    latency = {pct: float(value) * UNITS_MS[unit] for pct, value, unit in WRK_LATENCY.findall(out)}
    summary = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)\b", out)
    requests = int(summary.group(1))
    elapsed = float(summary.group(2)) * {"ms": 0.001, "s": 1, "m": 60}[summary.group(3)]
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors += int(non_2xx.group(1)) if non_2xx else 0
    return LoadResult(
        tool="wrk -t2 -c8",
        requests=requests,
        seconds=elapsed,
        p50_ms=latency.get("50", 0.0),
        p99_ms=latency.get("99", 0.0),
        errors=errors,
    )


def _python_load(
    port: int, path: str, cookie: str, seconds: int, connections: int = 8
) -> LoadResult:
    """A closed-loop load generator: `connections` threads, one request at a time each."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def run() -> None:
        nonlocal errors
        mine, failed = [], 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                ok = _get(port, path, cookie) == 200
            except OSError:
                ok = False
            mine.append((time.perf_counter() - started) * 1000)
            failed += not ok
        with lock:
            latencies.extend(mine)
            errors += failed

    threads = [threading.Thread(target=run) for _ in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ordered = sorted(latencies)
    return LoadResult(
        tool=f"Python threads ×{connections} (no wrk)",
        requests=len(ordered),
        seconds=time.monotonic() - started,
        p50_ms=statistics.median(ordered) if ordered else 0.0,
        p99_ms=ordered[int(0.99 * (len(ordered) - 1))] if ordered else 0.0,
        errors=errors,
    )

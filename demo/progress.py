"""What a long load prints while it runs."""

from __future__ import annotations

import time
from typing import TextIO


class Progress:
    """A one-line progress bar: done/total, rows written and rows per second."""

    def __init__(self, total: int, stream: TextIO | None, label: str = "customers"):
        self.total = max(total, 1)
        self.stream = stream
        self.label = label
        self.started = time.perf_counter()
        self.last_draw = 0.0

    def update(self, done: int, rows: int, force: bool = False) -> None:
        now = time.perf_counter()
        if self.stream is None or (not force and now - self.last_draw < 0.25):
            return
        self.last_draw = now
        elapsed = max(now - self.started, 1e-6)
        share = done / self.total
        self.stream.write(
            f"\r[{'#' * int(share * 30):<30}] {share:6.1%} {done:,}/{self.total:,} {self.label}"
            f" · {rows:,} rows · {rows / elapsed:,.0f} rows/s · {elapsed:,.0f} s "
        )
        self.stream.flush()

    def finish(self, done: int, rows: int) -> None:
        self.update(done, rows, force=True)
        say(self.stream, "")


def say(stream: TextIO | None, text: str) -> None:
    if stream is not None:
        stream.write(text + "\n")
        stream.flush()

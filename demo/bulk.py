"""PostgreSQL COPY bulk loading: rows stream into each table in batches, with ids reserved
from the sequences first so that foreign keys line up without a round trip per row."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from queue import Full, Queue
from typing import Any, TextIO

from django.db import connection, models, transaction
from django.utils import timezone

from demo.generators import Batch, CustomerGenerator
from demo.progress import Progress, say

BATCH_CUSTOMERS = 5_000
BULK_MODE_FROM = 20_000


def sequence_name(model: type[models.Model]) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
        return cursor.fetchone()[0]


def reserve_ids(cursor, sequence: str, count: int) -> int:
    """Take `count` consecutive ids from a sequence and return the first. Seeding is not
    meant to run alongside live inserts into the same tables."""
    if count <= 0:
        return 0
    cursor.execute("SELECT setval(%s, nextval(%s) + %s - 1)", [sequence, sequence, count])
    return cursor.fetchone()[0] - count + 1


class CopyTable:
    """COPY rows into one model's table. The caller names the columns it fills (by
    attname, in row order); every other concrete column gets its field default, so the
    loader keeps working when a model grows a field."""

    def __init__(self, model: type[models.Model], columns: str):
        meta = model._meta
        names = columns.split()
        by_attname = {f.attname: f for f in meta.concrete_fields}
        unknown = set(names) - set(by_attname)
        if unknown:
            raise ValueError(f"{meta.label} has no columns {sorted(unknown)}")
        extra = [
            f
            for f in meta.concrete_fields
            if f.attname not in names and not isinstance(f, models.AutoField)
        ]
        self.model = model
        self.extra_fields = extra
        self.extra_values = tuple(_column_default(f) for f in extra)
        # A callable default (a uuid, say) must differ per row; constants are computed once.
        self.per_row = [i for i, f in enumerate(extra) if callable(f.default)]
        quoted = ", ".join(f'"{f.column}"' for f in [by_attname[n] for n in names] + extra)
        self.sql = f'COPY "{meta.db_table}" ({quoted}) FROM STDIN'

    def write(self, cursor, rows: Iterable[Sequence[Any]]) -> int:
        count = 0
        extra = self.extra_values
        with cursor.copy(self.sql) as copy:
            for row in rows:
                if self.per_row:
                    extra = tuple(self._extra_for_row())
                copy.write_row((*row, *extra) if extra else row)
                count += 1
        return count

    def _extra_for_row(self):
        for index, value in enumerate(self.extra_values):
            yield _column_default(self.extra_fields[index]) if index in self.per_row else value


def _column_default(field: models.Field) -> Any:
    if field.has_default():
        value = field.get_default()
        return json.dumps(value) if isinstance(field, models.JSONField) else value
    if field.null:
        return None
    if isinstance(field, models.DateTimeField):
        return timezone.now()
    if isinstance(field, models.CharField | models.TextField):
        return ""
    return False if isinstance(field, models.BooleanField) else 0


@contextmanager
def bulk_mode(models_: Sequence[type[models.Model]], progress: TextIO | None = None):
    """Inside the caller's transaction: drop the secondary indexes and foreign keys of
    these tables, let the caller load, then rebuild them (as pg_restore does). Building
    an index once beats updating it millions of times; a rollback restores everything."""
    if not models_:
        yield
        return
    tables = [model._meta.db_table for model in models_]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary"
            " AND NOT i.indisunique"
            " AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [tables],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
            " FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])",
            [tables],
        )
        foreign_keys = cursor.fetchall()
        for table, name, _ in foreign_keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for index, _ in indexes:
            cursor.execute(f"DROP INDEX {index}")
    yield
    started = time.perf_counter()
    say(progress, f"Rebuilding {len(indexes)} indexes and {len(foreign_keys)} foreign keys…")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SET LOCAL max_parallel_maintenance_workers = 2")
        for _, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in foreign_keys:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    say(progress, f"Rebuilt in {time.perf_counter() - started:,.1f} s.")


def in_thread(batches: Iterator[Batch]) -> Iterator[Batch]:
    """Generate batches in a thread while the caller COPYs the previous one: Python
    makes rows on one core while PostgreSQL ingests them on another. The thread reserves
    ids on its own connection (sequences are outside transactions)."""
    queue: Queue = Queue(maxsize=2)
    stop = threading.Event()
    done = object()

    def produce() -> None:
        try:
            for batch in batches:
                while not stop.is_set():
                    try:
                        queue.put(batch, timeout=0.5)
                        break
                    except Full:
                        continue
                if stop.is_set():
                    return
            queue.put(done)
        except BaseException as error:  # handed to the consumer, raised there
            queue.put(error)
        finally:
            connection.close()

    thread = threading.Thread(target=produce, name="seed-producer", daemon=True)
    thread.start()
    try:
        while (item := queue.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


class BulkLoader:
    """COPYs what a generator makes, batch by batch, into the tables it names."""

    def __init__(self, generator: CustomerGenerator):
        self.generator = generator
        self.tables = {
            name: CopyTable(model, columns) for name, (model, columns) in generator.TABLES.items()
        }
        self.sequences: dict[type[models.Model], str] = {}

    @property
    def models(self) -> list[type[models.Model]]:
        return [table.model for table in self.tables.values()]

    def run(self, total: int, *, progress: TextIO | None = None) -> int:
        """Load `total` customers; returns the number of rows written. Large loads run in
        one transaction under `bulk_mode`, with generation in a thread of its own."""
        bar = Progress(total, progress)
        done = rows = 0
        large = total >= BULK_MODE_FROM
        with transaction.atomic(), bulk_mode(self.models if large else [], progress):
            batches = self.batches(total)
            for batch in in_thread(batches) if large else batches:
                rows += self.write(batch)
                done += batch.size
                bar.update(done, rows)
            bar.finish(done, rows)
        return rows

    def batches(self, total: int) -> Iterator[Batch]:
        made = 0
        while made < total:
            size = min(BATCH_CUSTOMERS, total - made)
            yield self.batch(size)
            made += size

    def batch(self, size: int) -> Batch:
        with connection.cursor() as cursor:

            def reserve(model: type[models.Model], count: int) -> int:
                if model not in self.sequences:
                    self.sequences[model] = sequence_name(model)
                return reserve_ids(cursor, self.sequences[model], count)

            return self.generator.batch(size, reserve)

    def write(self, batch: Batch) -> int:
        with connection.cursor() as cursor:
            return sum(
                self.tables[name].write(cursor, getattr(batch, name)) for name in batch.tables
            )

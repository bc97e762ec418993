"""What the network-wide lists (memberships, payments, sites) share: their state in the
query string, cached filter counts and a streamed CSV export."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping

from django import forms
from django.core.cache import cache
from django.db import connection
from django.db.models import Func, QuerySet, TextField
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone

from network.paging import COUNT_CAP, capped_counts, page_fetch, page_number

PAGE_SIZES = (25, 50, 100)
SEARCH_MAX_LENGTH = 200
EXPORT_CHUNK = 2000
EXPORT_WORK_MEM = "64MB"
# The filter menus' counts are the same for every view of a list: counted at most this
# often per process (like the customer list's).
FACET_COUNTS_SECONDS = 30


def reference_number(term: str, prefix: str) -> int | None:
    """The pk in a reference as people type it: "MEM-000042", "mem-42" or "42"."""
    match = re.fullmatch(rf"(?:{prefix}-?)?0*(\d{{1,18}})", term.strip(), flags=re.IGNORECASE)
    return int(match.group(1)) if match and int(match.group(1)) > 0 else None


class ListFilters(forms.Form):
    """A list's state, all of it from the query string. A bad value falls back to its
    default; the rest still applies."""

    SORTS: Mapping[str, tuple[str, tuple]] = {}
    DEFAULT_SORT = ""
    # The fields that narrow the list (not sort or page size).
    FILTERS: tuple[str, ...] = ()

    q = forms.CharField(required=False)
    per_page = forms.TypedChoiceField(
        required=False, choices=[(n, n) for n in PAGE_SIZES], coerce=int, empty_value=PAGE_SIZES[0]
    )

    def __init__(self, data=None, **kwargs):
        super().__init__(data if data is not None else {}, **kwargs)
        self.fields["sort"] = forms.ChoiceField(
            required=False, choices=[(key, label) for key, (label, _) in self.SORTS.items()]
        )
        self.is_valid()

    def clean_q(self) -> str:
        # A pasted wall of text is cut, not dropped: the admin keeps what they typed.
        return self.cleaned_data["q"].replace("\x00", "").strip()[:SEARCH_MAX_LENGTH]

    def value(self, name: str):
        default = {"sort": self.DEFAULT_SORT, "per_page": PAGE_SIZES[0]}.get(name, "")
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value

    @property
    def state(self) -> dict:
        return {name: self.value(name) for name in self.fields}

    @property
    def is_filtered(self) -> bool:
        return any(self.value(name) not in ("", None, False) for name in ("q", *self.FILTERS))

    def ordering(self) -> tuple:
        return self.SORTS.get(self.value("sort"), self.SORTS[self.DEFAULT_SORT])[1]


def list_counts(
    results: QuerySet, *, key: str, facets: Callable[[], dict[str, QuerySet]], table: str
) -> dict:
    """The results count, live, and the filter menus' counts from the cache or, when older
    than FACET_COUNTS_SECONDS, counted with it: one query either way."""
    cached = cache.get(key)
    querysets = {"results": results, **(facets() if cached is None else {})}
    counts = capped_counts(querysets, estimate_table=table)
    if cached is None:
        cached = {name: counts[name] for name in querysets if name != "results"}
        cached["counted_at"] = timezone.now()
        cache.set(key, cached, FACET_COUNTS_SECONDS)
    return {**cached, **counts}


def facet_choices(counts: dict, facet: str, choices) -> list[tuple]:
    """(value, label, count) for each choice of one filter menu."""
    return [(value, label, counts.get(f"{facet}:{value}")) for value, label in choices]


def list_page_context(
    request: HttpRequest, *, filters: ListFilters, rows: QuerySet, counts: dict
) -> dict:
    """What every network-wide list page shows besides its own filter menus: one page of
    `rows` (its total known up to the count cap), the counts and the paging limits."""
    page = page_fetch(
        rows,
        number=page_number(request.GET),
        size=filters.value("per_page"),
        total=counts["results"] if counts["results"] <= COUNT_CAP else None,
    )
    return {
        "filters": filters,
        "page": page,
        "counts": counts,
        "counts_seconds": FACET_COUNTS_SECONDS,
        "count_cap": COUNT_CAP,
    }


class IsoMoment(Func):
    """A moment as the text Python's `isoformat()` gives it in UTC ("2025-11-03T14:05:09
    .250000+00:00", no fraction when it is zero), written by PostgreSQL: an export of
    100,000 rows then skips parsing 200,000 timestamps only to print them again."""

    template = (
        "(to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS')"
        " || CASE to_char(%(expressions)s, 'US') WHEN '000000' THEN ''"
        " ELSE to_char(%(expressions)s, '.US') END || '+00:00')"
    )
    output_field = TextField()

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = super().as_sql(compiler, connection, **extra_context)
        return sql, (*params, *params, *params)  # the moment is written three times


# What a spreadsheet runs as a formula when a cell starts with it.
FORMULA_STARTS = frozenset("=+-@\t\r")


def csv_cell(value) -> str:
    """Text a spreadsheet will not run as a formula; moments in ISO 8601."""
    if value is None:
        return ""
    if type(value) is not str:
        value = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return "'" + value if value and value[0] in FORMULA_STARTS else value


def csv_export(*, name: str, header: list[str], rows: Iterable[Iterable]) -> StreamingHttpResponse:
    """`rows` (an `.iterator(chunk_size=EXPORT_CHUNK)`, read from a server-side cursor) as a
    streamed CSV download: memory stays flat at millions of rows."""

    def lines() -> Iterator[str]:
        # EXPORT_CHUNK rows per piece sent, not one: each piece costs the response its own
        # encoding and bookkeeping, as much as writing the row (100,000 rows: a second).
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        # Every row will be read: plan for the whole result, not PostgreSQL's fast-start
        # default for cursors; and sort it in memory (100,000 rows: a few MB), not on disk.
        with connection.cursor() as cursor:
            cursor.execute(f"SET cursor_tuple_fraction = 1.0; SET work_mem = '{EXPORT_WORK_MEM}'")
        try:
            for number, row in enumerate(rows, start=1):
                writer.writerow([csv_cell(value) for value in row])
                if number % EXPORT_CHUNK == 0:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
            yield buffer.getvalue()
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET cursor_tuple_fraction; RESET work_mem")

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    filename = f"{name}-{timezone.now():%Y%m%d-%H%M}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

"""Pages without COUNT(*): fetch one row more than the page to know if another follows.

Page numbers are OFFSETs, so they stop at MAX_PAGE; past that, narrowing the search or
changing the sort is faster for a person than paging anyway.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Func, IntegerField, QuerySet, Subquery

MAX_PAGE = 400
COUNT_CAP = 10_000


@dataclass
class Page:
    items: list[Any]
    number: int
    size: int
    has_next: bool
    param: str = "page"
    total: int | None = None  # when known (a per-customer block counts its rows cheaply)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.items else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.size + len(self.items)

    @property
    def num_pages(self) -> int | None:
        if self.total is None:
            return None
        return max(1, -(-self.total // self.size))

    @property
    def at_page_limit(self) -> bool:
        """The last page paging reaches (MAX_PAGE) although more rows may follow."""
        return not self.has_next and self.number >= MAX_PAGE

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next


def page_number(params: Mapping[str, str], param: str = "page") -> int:
    try:
        number = int(params.get(param, 1))
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)


def page_fetch(
    queryset: QuerySet,
    *,
    number: int,
    size: int,
    param: str = "page",
    total: int | None = None,
    counted: bool = False,
) -> Page:
    """One page of `queryset`. With `counted`, the page's own query also counts every
    row (a scalar subquery, run once), so a block knows its total without a second
    query; a page past the end then costs a count and the last page."""
    if counted:
        return _page_fetch_counted(queryset, number=number, size=size, param=param)
    if total is not None:  # past the end (a stale or hand-typed link): the last page
        number = min(number, max(1, -(-total // size)))
    offset = (number - 1) * size
    rows = list(queryset[offset : offset + size + 1])
    return Page(
        items=rows[:size],
        number=number,
        size=size,
        has_next=len(rows) > size and number < MAX_PAGE,
        param=param,
        total=total,
    )


def _page_fetch_counted(queryset: QuerySet, *, number: int, size: int, param: str) -> Page:
    offset = (number - 1) * size
    # Not `COUNT(*) OVER ()`: a window reads every row, whole, to count them (10,000 of
    # a customer's events: 20 ms); the subquery counts them in the index alone (1 ms).
    total_rows = queryset.order_by().annotate(
        _rows=Func(template="COUNT(*)", output_field=IntegerField())
    )
    rows = list(
        queryset.annotate(_rows_total=Subquery(total_rows.values("_rows")))[offset : offset + size]
    )
    if rows:
        total = rows[0]._rows_total
    else:
        total = queryset.count() if number > 1 else 0
        if total:  # past the end (a stale or hand-typed link): the last page
            return page_fetch(queryset, number=number, size=size, param=param, total=total)
    return Page(
        items=rows,
        number=number,
        size=size,
        has_next=offset + len(rows) < total and number < MAX_PAGE,
        param=param,
        total=total,
    )


def capped_counts(
    querysets: Mapping[str, QuerySet], *, cap: int | None = None, estimate_table: str | None = None
) -> dict[str, int | None]:
    """Count each queryset, but never past `cap` + 1 rows, all in one round trip.

    A count above `cap` means "more than cap": each count stops early instead of
    scanning a million rows. With `estimate_table`, the result also holds
    PostgreSQL's own estimate of that table's rows (from its last ANALYZE) under
    "estimate", for an honest "about N" when the cap is reached.
    """
    cap = COUNT_CAP if cap is None else cap
    parts, params = [], []
    for position, queryset in enumerate(querysets.values()):
        try:
            sql, query_params = queryset.order_by().values("pk")[: cap + 1].query.sql_with_params()
        except EmptyResultSet:  # e.g. a search that matched no account
            parts.append("0")
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS capped_{position})")
        params.extend(query_params)
    if estimate_table is not None:
        parts.append("(SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass)")
        params.append(estimate_table)
    if not parts:
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = list(cursor.fetchone())
    counts: dict[str, int | None] = dict(zip(querysets.keys(), row, strict=False))
    if estimate_table is not None:
        estimate = row[-1]
        counts["estimate"] = estimate if estimate and estimate > 0 else None
    return counts

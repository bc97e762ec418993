"""The machinery of the form fuzz tests: what a form is sent, and what must hold after.

A Door is one form (or one page's query parameters): where it posts, the fields it reads,
and how to tell that it accepted the input. `fuzz_test(door)` makes a hypothesis test
that sends the door generated input and checks two properties:

- the server never fails: no 500, no exception escapes the view;
- input it refuses (the form shown again with its errors, or a redirect with an error
  message) changes nothing: every row of every app, and the set of schemas, is as it
  was. A GET never changes anything.

Valid input may change things; that is what the form is for.

The input is field-shaped (the form's own choices, numbers around its bounds, dates,
emails, the ids of rows that exist and of rows that belong to someone else) or hostile
(NUL bytes, lone surrogates, "²" and other non-ASCII digits, huge and negative numbers,
walls of text, whitespace, SQL). An example is clean (every field in shape, so valid
input gets through often), clean but for one hostile field, or chaos (any field hostile
or missing).

Each example runs inside a savepoint that is rolled back, so examples never see each
other's writes. tests/fuzz/conftest.py sets how many examples run.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import quote

from django import forms
from django.apps import apps
from django.contrib import messages
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from customers.models import Customer, User
from memberships.models import Membership, MembershipAddon
from payments.models import Payment, Refund
from sites.models import Site


@dataclass
class World:
    """The rows every form works on (built by the `world` fixture)."""

    network: Site
    ada: Customer  # the customer whose forms are posted
    grace: Customer  # someone else: a reassign target, and rows that are not ada's
    loner: User  # an account that is not a customer yet
    membership: Membership
    addon: MembershipAddon
    payment: Payment
    graces_refund: Refund
    site: Site
    graces_site: Site
    baseline: dict[str, str] = field(default_factory=dict)


# --- The input

# Known edge cases: each one is also sent in every field of every form (@example).
EDGES = {
    "nul": "\x00",
    "lone_surrogate": "\ud800",
    "superscript_two": "²",
    "wall_of_text": "x" * 20_000,
}

HOSTILE = st.one_of(
    st.sampled_from(
        [
            *EDGES.values(),
            "",
            " \t\r\n ",
            "ada\x00@example.com",
            "٣٤",  # Arabic-Indic digits
            "１２",  # fullwidth digits
            "9" * 40,
            "-1",
            "0",
            "-0",
            "1e999",
            "NaN",
            "-Infinity",
            "1_000",
            "0x10",
            "2.999",
            "%",
            "_",
            "\\",
            "' OR 1=1; DROP TABLE customers_customer; --",
            "<script>alert(1)</script>",
            "{{ 7|add:7 }}",
            "\u202e",
            "\ufeff1",
            "9" * 400,
            str(2**63),
            str(-(2**63) - 1),
        ]
    ),
    st.text(st.characters(categories=["Nd", "No", "Cs", "Cc", "Zs", "So"]), max_size=12),
    st.integers().map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.builds(operator.mul, st.text(min_size=1, max_size=3), st.integers(100, 30_000)),
)

PRINTABLE = st.characters(categories=["L", "M", "N", "P", "S", "Zs"])
DATETIMES = st.datetimes()  # naive, years 1 to 9999: as typed in a datetime-local input
DATETIME_TEXT = st.one_of(
    DATETIMES.map(lambda moment: moment.isoformat(timespec="minutes")),
    DATETIMES.map(lambda moment: moment.isoformat(sep=" ", timespec="seconds")),
    DATETIMES.map(lambda moment: moment.date().isoformat()),
)
MISSING = object()  # the field is left out of the request


@dataclass(frozen=True)
class Known:
    """One of the values the world offers for a field (the n-th, wrapping around): the
    ids of rows that exist, values that collide with other rows. A field the world
    offers nothing for gets `otherwise`."""

    index: int
    otherwise: str


def _shaped(form_field: forms.Field) -> st.SearchStrategy[str]:
    """A value in the field's own shape: mostly valid, sometimes just past its bounds."""
    if isinstance(form_field, forms.ModelChoiceField):
        return st.integers(-1, 10**6).map(str)
    if isinstance(form_field, forms.ChoiceField):
        return st.sampled_from([str(value) for value, _ in form_field.choices])
    if isinstance(form_field, forms.BooleanField):
        return st.sampled_from(["on", "1", "true", "True", "false", "False", "0", "off", ""])
    if isinstance(form_field, forms.DecimalField):
        places = form_field.decimal_places or 2
        return st.one_of(
            st.decimals(min_value=-5, max_value=100, places=places),
            st.decimals(min_value=-5, max_value=Decimal("1e11"), places=places),
            st.decimals(min_value=0, max_value=100, places=places + 1),
        ).map(str)
    if isinstance(form_field, forms.IntegerField):
        low = form_field.min_value if form_field.min_value is not None else -(10**6)
        high = form_field.max_value if form_field.max_value is not None else 10**6
        return st.integers(low - 2, high + 2).map(str)
    if isinstance(form_field, forms.DateTimeField):
        return DATETIME_TEXT
    if isinstance(form_field, forms.EmailField):
        return st.emails().map(str)
    if isinstance(form_field, forms.UUIDField):
        return st.uuids().map(str)
    max_length = getattr(form_field, "max_length", None) or 60
    return st.text(PRINTABLE, max_size=max_length + 2)


def _clean(form_field: forms.Field) -> st.SearchStrategy:
    shaped = _shaped(form_field)
    return st.one_of(st.builds(Known, st.integers(0, 50), shaped), shaped)


def _chaos(form_field: forms.Field) -> st.SearchStrategy:
    return st.one_of(_clean(form_field), HOSTILE, HOSTILE, st.just(MISSING))


# --- The doors


def redirected_without_error(response: HttpResponse) -> bool:
    errors = [m for m in messages.get_messages(response.wsgi_request) if m.level >= messages.ERROR]
    return response.status_code == 302 and not errors


@dataclass(frozen=True)
class Door:
    name: str
    url: Callable[[World], str]
    form_class: type[forms.Form] | None
    method: str = "POST"
    extra_fields: tuple[str, ...] = ()  # read from the request by the view, not by a form
    known: Callable[[World], dict[str, list[str]]] = lambda world: {}
    accepted: Callable[[HttpResponse], bool] = redirected_without_error
    statuses: frozenset[int] = frozenset({200, 302, 400})  # a POST's; a GET answers 200
    fields: dict[str, forms.Field] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        fields = dict(self.form_class.base_fields) if self.form_class else {}
        fields.update({name: forms.CharField(required=False) for name in self.extra_fields})
        object.__setattr__(self, "fields", fields)

    def input(self) -> st.SearchStrategy[dict]:
        clean = st.fixed_dictionaries({name: _clean(f) for name, f in self.fields.items()})
        chaos = st.fixed_dictionaries({name: _chaos(f) for name, f in self.fields.items()})
        if not self.fields:
            return clean
        one_bad = st.tuples(clean, st.sampled_from(sorted(self.fields)), HOSTILE).map(
            lambda drawn: {**drawn[0], drawn[1]: drawn[2]}
        )
        return st.one_of(clean, one_bad, chaos)

    def resolve(self, raw: dict, world: World) -> dict[str, str]:
        """The request's fields, with Known picks made from the world's values."""
        known = self.known(world)
        resolved = {}
        for name, value in raw.items():
            if value is MISSING:
                continue
            if isinstance(value, Known):
                choices = known.get(name) or _existing_ids(self.fields[name])
                value = choices[value.index % len(choices)] if choices else value.otherwise
            resolved[name] = value
        return resolved


def _existing_ids(form_field: forms.Field) -> list[str]:
    """Every row of the field's model, the ones the form may not offer too."""
    if not isinstance(form_field, forms.ModelChoiceField):
        return []
    model = form_field.queryset.model
    return [str(pk) for pk in model._base_manager.order_by("pk").values_list("pk", flat=True)]


def ids(*rows) -> list[str]:
    return [str(row.pk) for row in rows]


# --- The properties


def snapshot() -> dict[str, str]:
    """A digest of every table of every app, and of the schemas that exist: one query."""
    tables = sorted(
        model._meta.db_table
        for label in ("customers", "memberships", "payments", "sites", "events", "switch")
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    )
    digests = [
        f"SELECT '{table}', md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
        f'FROM public."{table}" t'
        for table in tables
    ]
    digests.append(
        "SELECT 'schemas', md5(string_agg(nspname::text, '|' ORDER BY nspname)) FROM pg_namespace"
    )
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(digests))
        return dict(cursor.fetchall())


def _urlencoded(fields: dict[str, str]) -> str:
    """As a form sends them; a lone surrogate goes out as the raw (invalid UTF-8) bytes
    that any HTTP client can send, though a browser never would."""
    return "&".join(
        f"{quote(name)}={quote(value.encode('utf-8', 'surrogatepass'), safe='')}"
        for name, value in fields.items()
    )


def _send(client: Client, door: Door, url: str, fields: dict[str, str]) -> HttpResponse:
    encoded = _urlencoded(fields)
    if door.method == "GET":
        response = client.get(url, QUERY_STRING=encoded)
    else:
        response = client.post(
            url, encoded.encode("ascii"), content_type="application/x-www-form-urlencoded"
        )
    if response.streaming:
        b"".join(response.streaming_content)  # the export fails, if at all, while streaming
    return response


class _RollBack(Exception):
    pass


def _try(door: Door, client: Client, world: World, raw: dict) -> None:
    fields = door.resolve(raw, world)
    try:
        with transaction.atomic():
            response = _send(client, door, door.url(world), fields)
            expected = {200} if door.method == "GET" else door.statuses
            assert response.status_code in expected, (
                f"{door.name} answered {response.status_code} to {fields!r}"
            )
            accepted = door.method == "POST" and door.accepted(response)
            event(f"{response.status_code} {'accepted' if accepted else 'refused'}")
            if not accepted:
                after = snapshot()
                changed = [name for name, digest in world.baseline.items() if after[name] != digest]
                assert not changed, (
                    f"{door.name} refused {fields!r} (status {response.status_code}) "
                    f"but changed {changed}"
                )
            raise _RollBack
    except _RollBack:
        pass
    finally:
        connection.set_schema_to_public()


def fuzz_test(door: Door) -> Callable:
    """A test that sends the door generated input, and every known edge in every field."""

    @settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(raw=door.input())
    def test(admin_client, world, raw):
        _try(door, admin_client, world, raw)

    for edge in EDGES.values():
        test = example(raw=dict.fromkeys(door.fields, edge))(test)
    test = example(raw={})(test)
    test.__name__ = test.__qualname__ = f"test_{door.name}"
    test.__doc__ = f"{door.name}: never a 500, and input it refuses changes nothing."
    return test

"""Delete (its confirmation and its customer search), Switch to, and the event list's
filters. See doors.py for the properties."""

from __future__ import annotations

from django.http import HttpResponse

from deletion.forms import CustomerDeleteForm
from events.forms import EventFilters
from tests.conftest import network_url
from tests.fuzz.doors import Door, fuzz_test, ids


def _handed_off(response: HttpResponse) -> bool:
    return "switch/handoff.html" in {template.name for template in response.templates}


test_delete_confirmation = fuzz_test(
    Door(
        "delete_confirmation",
        lambda w: network_url("deletion:confirm", w.ada.pk),
        CustomerDeleteForm,
        known=lambda w: {
            "confirm_email": ["ada@example.com", " ada@example.com ", "ADA@example.com"],
            "reassign_to": [*ids(w.grace, w.ada), "0"],
            "q": ["grace", "navy", "ada", ""],
        },
    )
)

test_delete_page_search = fuzz_test(
    Door(
        "delete_page_search",
        lambda w: network_url("deletion:confirm", w.ada.pk),
        None,
        method="GET",
        extra_fields=("q", "option"),
        known=lambda w: {"q": ["grace", "navy", "%"], "option": ["reassign", "delete"]},
    )
)

test_switch_start = fuzz_test(
    Door(
        "switch_start",
        lambda w: network_url("switch:start", w.ada.pk),
        None,
        extra_fields=("site",),
        # Ada's site, another customer's, the network's own.
        known=lambda w: {"site": [*ids(w.site, w.graces_site, w.network), "", "0"]},
        accepted=_handed_off,
    )
)

test_event_list_filters = fuzz_test(
    Door(
        "event_list_filters",
        lambda w: network_url("events:list"),
        EventFilters,
        method="GET",
        extra_fields=("page",),
        known=lambda w: {
            "customer": [*ids(w.ada, w.grace), f"#{w.ada.pk}", "ada@example.com", "#", "9" * 19]
        },
    )
)

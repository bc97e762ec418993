"""The membership page's forms: status, reassign (and its customer search), plan,
add-ons, billing and dates. See doors.py for the properties."""

from __future__ import annotations

from memberships.forms import (
    AddonQuantityForm,
    MembershipAddonForm,
    MembershipBillingForm,
    MembershipDatesForm,
    MembershipPlanForm,
    MembershipReassignForm,
    MembershipStatusForm,
)
from tests.conftest import network_url
from tests.fuzz.doors import Door, fuzz_test, ids

test_membership_status = fuzz_test(
    Door(
        "membership_status",
        lambda w: network_url("memberships:status", w.membership.pk),
        MembershipStatusForm,
    )
)

test_membership_reassign = fuzz_test(
    Door(
        "membership_reassign",
        lambda w: network_url("memberships:reassign", w.membership.pk),
        MembershipReassignForm,
        known=lambda w: {"customer": [*ids(w.grace, w.ada), "0", str(2**63)]},
    )
)

test_membership_reassign_search = fuzz_test(
    Door(
        "membership_reassign_search",
        lambda w: network_url("memberships:detail", w.membership.pk),
        None,
        method="GET",
        extra_fields=("customer_q",),
        known=lambda w: {"customer_q": ["grace", "NAVY", "ada", "%", "_"]},
    )
)

test_membership_plan = fuzz_test(
    Door(
        "membership_plan",
        lambda w: network_url("memberships:plan", w.membership.pk),
        MembershipPlanForm,
    )
)

test_membership_addon_add = fuzz_test(
    Door(
        "membership_addon_add",
        lambda w: network_url("memberships:addon_add", w.membership.pk),
        MembershipAddonForm,
    )
)

test_membership_addon_quantity = fuzz_test(
    Door(
        "membership_addon_quantity",
        lambda w: network_url("memberships:addon_quantity", w.membership.pk, w.addon.pk),
        AddonQuantityForm,
    )
)

test_membership_addon_remove = fuzz_test(
    Door(
        "membership_addon_remove",
        lambda w: network_url("memberships:addon_remove", w.membership.pk, w.addon.pk),
        None,
        extra_fields=("quantity",),
    )
)

test_membership_billing = fuzz_test(
    Door(
        "membership_billing",
        lambda w: network_url("memberships:billing", w.membership.pk),
        MembershipBillingForm,
    )
)

test_membership_dates = fuzz_test(
    Door(
        "membership_dates",
        lambda w: network_url("memberships:dates", w.membership.pk),
        MembershipDatesForm,
    )
)

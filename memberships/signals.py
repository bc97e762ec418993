"""What memberships tell the apps built on them, without importing those apps.

`membership_reassigned` is sent by `memberships.services.membership_reassign`, inside
its transaction, after the membership and its sites moved to another customer. Its
receiver is `switch.services.impersonations_end_on_membership` (connected in
switch/apps.py): an impersonated session of the previous owner on one of those sites
ends, and its end is recorded.
"""

from __future__ import annotations

from django.dispatch import Signal

# Arguments: membership, previous (the customer who had it), actor, ip.
membership_reassigned = Signal()

"""What customers tell the apps built on them, without importing those apps.

`email_verified` is sent by `customers.services.customer_update_fields`, inside its
transaction, when an admin sets a customer's email to verified and asks for the
customer's pending memberships to be activated too. Its receiver is
`memberships.services.memberships_activate_pending` (connected in memberships/apps.py),
which returns the memberships it activated and records their events.
"""

from __future__ import annotations

from django.dispatch import Signal

# Arguments: customer, actor, ip.
email_verified = Signal()

"""What sites tell the apps built on them, without importing those apps.

`site_withdrawn` is sent by `sites.services` inside their transaction when a site stops
being usable by the customer who had it: deactivated (`site_active_set`), deleted
(`site_delete`, before the row and schema go) or given to another customer
(`sites_reassign`). Its receiver is `switch.services.impersonations_end_on_site`
(connected in switch/apps.py), which ends the impersonated sessions running on the site
and records each end with the reason that `why` names: "deactivated", "deleted" or
"reassigned".
"""

from __future__ import annotations

from django.dispatch import Signal

# Arguments: site, why, actor, ip.
site_withdrawn = Signal()

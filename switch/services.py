"""Switch to: a super admin acts as a customer on the customer's own subsite.

The network host never hands its session to the subsite. It issues a grant (public
schema, single use, short-lived, only a hash of the secret stored); the subsite host
redeems the secret and starts a fresh session of its own, marked as impersonated.

Every impersonated session ends, and its end is recorded exactly once (a SWITCH_BACK
event with the reason). The redeemed grant, in the public schema, is the network's record
of the session: `ended_at` is claimed by one conditional UPDATE, and only the claimant
records the event. The session ends:
- when the admin switches back or logs out (`impersonation_end`);
- on its next request, when a rule fails (`impersonation_verify`), including a grant
  ended meanwhile by one of the ways below: the session cannot resume;
- when its site is deactivated, deleted or given to another customer, in the same
  transaction (`impersonations_end_on_site`, `impersonations_end_on_membership`,
  receivers of sites.signals.site_withdrawn and memberships.signals.membership_reassigned);
- when its time is up, or its site went by any other path, by `switch_prune` (the
  `switch_prune` command, from cron): Django drops an expired session without a request.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import login, logout
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext
from django_tenants.utils import schema_exists

from customers.models import Customer, User
from events.models import Event
from events.services import event_record
from memberships.models import Membership
from sites.models import Site
from switch.models import SwitchGrant

# The one session key that marks an impersonated subsite session.
SESSION_KEY = "_switch"
LOGIN_BACKEND = "customers.backends.EmailOrUsernameBackend"

# Why an impersonated session ended. Stored in English on the grant and its event
# (gettext_noop marks them for the catalogues), translated when shown: gettext(reason).
EXPIRED = gettext_noop("Your Switch to session has expired.")
TURNED_OFF = gettext_noop("Switch to has been turned off on this network.")
NOT_ON_RECORD = gettext_noop("Your Switch to session ended: it is no longer on record.")
WAS_ENDED = gettext_noop("Your Switch to session ended: it was ended.")
ADMIN_DEMOTED = gettext_noop(
    "Your Switch to session ended: the admin account is no longer a super admin."
)
ACCOUNT_UNUSABLE = gettext_noop(
    "Your Switch to session ended: the customer's account can no longer be used."
)
SITE_NOT_THEIRS = gettext_noop(
    "Your Switch to session ended: the site no longer belongs to the customer."
)
SITE_DELETED = gettext_noop("Your Switch to session ended: the site was deleted.")
SITE_DEACTIVATED = gettext_noop("Your Switch to session ended: the site was deactivated.")
SITE_GIVEN_AWAY = gettext_noop(
    "Your Switch to session ended: the site was given to another customer."
)
SWITCHED_BACK = gettext_noop("Switched back by the admin.")
# sites.signals.site_withdrawn's `why`, and the reason it gives.
WITHDRAWN = {
    "deleted": SITE_DELETED,
    "deactivated": SITE_DEACTIVATED,
    "reassigned": SITE_GIVEN_AWAY,
}


class SwitchRefused(Exception):
    """A rule said no; the message is meant for the admin's eyes."""


@dataclass(frozen=True)
class Impersonation:
    """What an impersonated subsite session carries, read back from the session."""

    admin_id: int
    customer_id: int
    grant_id: int
    started_at: datetime
    expires_at: datetime
    read_only: bool = False

    @classmethod
    def from_session(cls, session) -> Impersonation | None:
        data = session.get(SESSION_KEY)
        if not data:
            return None
        return cls(
            admin_id=data["admin"],
            customer_id=data["customer"],
            grant_id=data["grant"],
            started_at=datetime.fromisoformat(data["started"]),
            expires_at=datetime.fromisoformat(data["expires"]),
            read_only=data.get("read_only", False),
        )


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def switch_sites(customer: Customer) -> list[Site]:
    """The sites an admin can switch to for this customer, newest first."""
    return list(
        Site.objects.filter(customer=customer, active=True)
        .exclude(type=Site.Type.MAIN)
        .prefetch_related("domains")
        .order_by("-created_at", "-id")
    )


def grant_lifetime() -> str:
    """How long a Switch to link works, in words: "1 minute", "90 seconds"."""
    seconds = settings.SWITCH_TO_GRANT_SECONDS
    if seconds % 60 == 0:
        minutes = seconds // 60
        return ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": minutes}
    return ngettext("%(count)s second", "%(count)s seconds", seconds) % {"count": seconds}


def switch_session_seconds() -> int:
    """An impersonated session lasts the configured time, never longer than an admin's own
    session may last."""
    return min(settings.SWITCH_TO_SESSION_SECONDS, settings.SESSION_COOKIE_AGE)


def switch_check(*, admin: User, customer: Customer, site: Site) -> None:
    """Raise SwitchRefused, with a message, when any rule forbids this switch."""
    user = customer.user
    names = {"name": user.display_name, "title": site.title}
    if not settings.SWITCH_TO_ENABLED:
        raise SwitchRefused(_("Switch to is turned off on this network."))
    if not admin.is_network_admin:
        raise SwitchRefused(_("Only network super admins can switch to a customer."))
    if user.is_staff or user.is_superuser:
        raise SwitchRefused(
            _("%(name)s is a staff account: Switch to never acts as staff or super admins.") % names
        )
    if not user.is_active:
        raise SwitchRefused(_("%(name)s's account is inactive.") % names)
    if site.is_main:
        raise SwitchRefused(_("Switch to works on a customer's own site, never on the main site."))
    if site.customer_id != customer.pk:
        raise SwitchRefused(_("The site “%(title)s” does not belong to %(name)s.") % names)
    if not site.active:
        raise SwitchRefused(_("The site “%(title)s” is inactive.") % names)
    if not schema_exists(site.schema_name):
        # A site row without its schema (made around sites.services.site_create) has no
        # pages and no sessions to switch into.
        raise SwitchRefused(_("The site “%(title)s” has no schema: it was never set up.") % names)


@transaction.atomic
def switch_start(
    *, admin: User, customer: Customer, site: Site, ip: str | None, read_only: bool = False
) -> str:
    """Issue a single-use grant for (admin, customer, site) and return its secret. Only the
    secret's hash is stored, so the table alone never lets anyone in.

    A read-only grant ("View as") starts a session that is refused every unsafe request
    (switch.middleware); it is recorded as an event type of its own."""
    switch_check(admin=admin, customer=customer, site=site)
    secret = secrets.token_urlsafe(32)
    grant = SwitchGrant.objects.create(
        admin=admin,
        customer=customer,
        site=site,
        secret_hash=secret_hash(secret),
        expires_at=timezone.now() + timedelta(seconds=settings.SWITCH_TO_GRANT_SECONDS),
        created_ip=ip,
        read_only=read_only,
    )
    name = customer.user.display_name
    event_record(
        type=Event.Type.VIEW_AS if read_only else Event.Type.SWITCH_TO,
        message=(
            f"Viewed {site.title} as {name} (read-only)"
            if read_only
            else f"Switched to {name} on {site.title}"
        ),
        customer=customer,
        subject=site,
        actor=admin,
        new={"site": site.pk, "grant": grant.pk, "read_only": read_only},
        ip=ip,
    )
    return secret


def switch_redeem(*, secret: str, site: Site) -> SwitchGrant:
    """Claim the grant behind `secret` on `site`: once, before it expires, on its own site.

    The claim is one conditional UPDATE, so two concurrent redemptions cannot both win.
    A claimed grant stays spent even if a rule refuses it afterwards."""
    digest = secret_hash(secret)
    now = timezone.now()
    claimed = SwitchGrant.objects.filter(
        secret_hash=digest, site=site, redeemed_at__isnull=True, expires_at__gt=now
    ).update(redeemed_at=now)
    if not claimed:
        raise SwitchRefused(_unusable_reason(digest=digest, site=site))
    grant = SwitchGrant.objects.select_related("admin", "customer__user", "site").get(
        secret_hash=digest
    )
    switch_check(admin=grant.admin, customer=grant.customer, site=grant.site)
    return grant


def _unusable_reason(*, digest: str, site: Site) -> str:
    grant = SwitchGrant.objects.filter(secret_hash=digest).only("site", "redeemed_at").first()
    if grant is None:
        return _("This Switch to link is not valid.")
    if grant.site_id != site.pk:
        return _("This Switch to link was issued for another site.")
    if grant.redeemed_at is not None:
        return _("This Switch to link has already been used. Each link works once.")
    return _("This Switch to link has expired. Links work for %(lifetime)s.") % {
        "lifetime": grant_lifetime()
    }


def impersonation_login(*, request: HttpRequest, grant: SwitchGrant) -> None:
    """Start the impersonated session on this subsite through Django's login(): new session
    key, rotated CSRF token.

    login() fires user_logged_in, whose built-in receiver stamps user.last_login. We
    restore the old value in the same transaction, so no reader ever sees the change and
    an impersonation never counts as the customer's login. `request.impersonator` is set
    before login() so any other login receiver can tell and skip."""
    user = grant.customer.user
    previous_last_login = user.last_login
    now = timezone.now()
    expires_at = now + timedelta(seconds=switch_session_seconds())
    request.impersonator = grant.admin
    with transaction.atomic():
        login(request, user, backend=LOGIN_BACKEND)
        User.objects.filter(pk=user.pk).update(last_login=previous_last_login)
    user.last_login = previous_last_login
    SwitchGrant.objects.filter(pk=grant.pk).update(session_expires_at=expires_at)
    request.session[SESSION_KEY] = {
        "admin": grant.admin_id,
        "customer": grant.customer_id,
        "grant": grant.pk,
        "started": now.isoformat(),
        "expires": expires_at.isoformat(),
        "read_only": grant.read_only,
    }
    # An absolute expiry: saving the session later does not push it further out.
    request.session.set_expiry(expires_at)


def impersonation_verify(
    *, request: HttpRequest, impersonation: Impersonation
) -> tuple[User | None, str | None]:
    """The impersonating admin, or why this session must end now. Checked on every subsite
    request, since the admin may have been deactivated or lost the permission meanwhile,
    and the session may have been ended elsewhere (its grant's `ended_at`)."""
    if timezone.now() >= impersonation.expires_at:
        return None, EXPIRED
    if not settings.SWITCH_TO_ENABLED:
        return None, TURNED_OFF
    grant = SwitchGrant.objects.with_admin().filter(pk=impersonation.grant_id).first()
    if grant is None:
        return None, NOT_ON_RECORD
    if grant.ended_at is not None:
        return None, grant.end_reason or WAS_ENDED
    admin = grant.admin
    if not grant.admin_is_network_admin:
        return None, ADMIN_DEMOTED
    user = request.user
    if not user.is_authenticated or user.is_staff or user.is_superuser:
        return None, ACCOUNT_UNUSABLE
    site = request.tenant
    if site.customer_id != impersonation.customer_id or not site.active:
        return None, SITE_NOT_THEIRS
    return admin, None


def impersonation_end(
    *, request: HttpRequest, impersonation: Impersonation, reason: str, ip: str | None
) -> None:
    """Destroy the impersonated session server-side and record the end, unless it was
    recorded already (the session was ended elsewhere and this is its next request)."""
    grant = (
        SwitchGrant.objects.select_related("admin", "customer__user")
        .filter(pk=impersonation.grant_id)
        .first()
    )
    if grant is not None:
        grant.site = request.tenant
        _end_record(grant, reason=reason, ip=ip)
    else:  # its admin or customer was deleted, and the grant with them
        _end_event(
            admin=User.objects.filter(pk=impersonation.admin_id).first(),
            customer=Customer.objects.select_related("user")
            .filter(pk=impersonation.customer_id)
            .first(),
            site=request.tenant,
            grant_id=impersonation.grant_id,
            reason=reason,
            ip=ip,
            read_only=impersonation.read_only,
        )
    logout(request)
    request.impersonator = None


def impersonations_end_on_site(*, site: Site, why: str, ip: str | None = None, **_signal) -> int:
    """End every impersonated session running on `site`, which is being deactivated,
    deleted or given to another customer (sites.signals.site_withdrawn, `why`), in the
    caller's transaction."""
    return _impersonations_end(
        SwitchGrant.objects.running().filter(site=site), reason=WITHDRAWN[why], ip=ip
    )


def impersonations_end_on_membership(
    *, membership: Membership, previous: Customer, ip: str | None = None, **_signal
) -> int:
    """The membership and its sites went to another customer
    (memberships.signals.membership_reassigned): the previous owner's impersonated
    sessions on those sites end."""
    grants = SwitchGrant.objects.running().filter(site__membership=membership, customer=previous)
    return _impersonations_end(grants, reason=SITE_GIVEN_AWAY, ip=ip)


@dataclass(frozen=True)
class Pruned:
    ended: int
    deleted: int


def switch_prune() -> Pruned:
    """Record the end of every impersonated session that is over without anyone having
    said so: its time is up (Django drops the session silently), or its site was deleted,
    deactivated or given to someone else by a path that did not end it. Then delete the
    grants nobody needs any more: unused and expired, used without starting a session, or
    ended. Idempotent: a second run finds nothing; safe to run from cron at any time."""
    now = timezone.now()
    over = SwitchGrant.objects.running().filter(
        Q(session_expires_at__lte=now)
        | Q(site__isnull=True)
        | Q(site__active=False)
        | Q(site__customer__isnull=True)
        | ~Q(site__customer=F("customer"))
    )
    ended = _impersonations_end(over, reason=None)
    # An ended grant is kept until its session has expired too: until then the session may
    # still knock (a site deactivated, then activated again) and must find its end recorded.
    deleted, _ = SwitchGrant.objects.filter(
        Q(redeemed_at__isnull=True, expires_at__lte=now)
        | Q(redeemed_at__isnull=False, session_expires_at__isnull=True)
        | Q(ended_at__isnull=False, session_expires_at__lte=now)
    ).delete()
    return Pruned(ended=ended, deleted=deleted)


@transaction.atomic
def _impersonations_end(grants: QuerySet[SwitchGrant], *, reason: str | None, ip=None) -> int:
    """End each running grant with `reason`, or with the reason its state tells."""
    now = timezone.now()
    ended = 0
    for grant in grants.select_related("admin", "customer__user", "site").order_by("pk"):
        why = EXPIRED if grant.session_expires_at <= now else reason or _reason_of(grant)
        ended += _end_record(grant, reason=why, ip=ip)
    return ended


def _reason_of(grant: SwitchGrant) -> str:
    if grant.site is None:
        return SITE_DELETED
    if not grant.site.active:
        return SITE_DEACTIVATED
    return SITE_GIVEN_AWAY


@transaction.atomic
def _end_record(grant: SwitchGrant, *, reason: str, ip: str | None) -> bool:
    """Mark the grant's session ended and record the end; False when someone else did.
    The conditional UPDATE makes recording the end happen once, whoever races."""
    claimed = SwitchGrant.objects.filter(pk=grant.pk, ended_at__isnull=True).update(
        ended_at=timezone.now(), end_reason=reason[:200]
    )
    if claimed:
        _end_event(
            admin=grant.admin,
            customer=grant.customer,
            site=grant.site,
            grant_id=grant.pk,
            reason=reason,
            ip=ip,
            read_only=grant.read_only,
        )
    return bool(claimed)


def _end_event(
    *,
    admin: User | None,
    customer: Customer | None,
    site: Site | None,
    grant_id: int,
    reason,
    ip,
    read_only: bool = False,
) -> None:
    where = site.title if site is not None else "a deleted site"
    event_record(
        type=Event.Type.VIEW_AS_END if read_only else Event.Type.SWITCH_BACK,
        message=(
            f"Stopped viewing {where} as {_name(customer)}"
            if read_only
            else f"Switched back from {_name(customer)} on {where}"
        ),
        customer=customer,
        subject=site,
        actor=admin,
        new={"site": site.pk if site is not None else None, "grant": grant_id, "reason": reason},
        ip=ip,
    )


def _name(customer: Customer | None) -> str:
    return customer.user.display_name if customer is not None else "a deleted customer"

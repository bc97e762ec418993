"""Every change made in a site's own administration. Each is one transaction and records
an event on the site's customer: by the customer (or a team member), or, during Switch to,
by the admin as the customer (events.services adds the impersonator)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from customers.models import Customer, User
from customers.services import customer_update_fields, email_problem
from events.models import Event
from events.services import event_record
from siteadmin.models import SiteSettings, TeamMember, time_zones
from sites.models import Domain, Site
from sites.services import domain_normalize

SETTINGS_FIELDS = ("title", "tagline", "language", "time_zone")


@transaction.atomic
def site_settings_update(
    *,
    site: Site,
    actor: User,
    title: str,
    tagline: str = "",
    language: str,
    time_zone: str,
    ip: str | None = None,
) -> bool:
    """The site's own settings, in its schema. Returns whether anything changed."""
    title = title.strip()
    errors = {}
    if not title:
        errors["title"] = gettext("Give the site a title.")
    if language not in dict(settings.LANGUAGES):
        errors["language"] = gettext("Choose one of the languages offered.")
    if time_zone not in dict(time_zones()):
        errors["time_zone"] = gettext("Choose a time zone from the list.")
    if errors:
        raise ValidationError(errors)
    current = SiteSettings.objects.select_for_update().filter(pk=1).first()
    if current is None:
        current = SiteSettings(pk=1, title=site.title)
    new = {"title": title, "tagline": tagline.strip(), "language": language, "time_zone": time_zone}
    old = {name: getattr(current, name) for name in SETTINGS_FIELDS}
    created = current._state.adding
    changed = [name for name in SETTINGS_FIELDS if old[name] != new[name]]
    if not changed and not created:
        return False
    for name, value in new.items():
        setattr(current, name, value)
    current.full_clean()
    current.save()
    event_record(
        type=Event.Type.SITE_SETTINGS,
        message=f"Site settings of “{site.title}” changed: "
        + ", ".join(name.replace("_", " ") for name in changed or SETTINGS_FIELDS),
        customer=_owner(site),
        subject=site,
        actor=actor,
        old={name: old[name] for name in changed},
        new={name: new[name] for name in changed},
        ip=ip,
    )
    return True


@transaction.atomic
def domain_request(*, site: Site, actor: User, domain: str, ip: str | None = None) -> str:
    """Ask the network for another domain; a network admin adds it on the site's page.
    The request is the event."""
    domain = domain_normalize(domain)
    if Domain.objects.filter(domain=domain).exists():
        raise ValidationError(
            {"domain": gettext("“%(domain)s” already belongs to a site.") % {"domain": domain}}
        )
    event_record(
        type=Event.Type.DOMAIN_REQUESTED,
        message=f"Domain {domain} requested for “{site.title}”",
        customer=_owner(site),
        subject=site,
        actor=actor,
        new={"domain": domain},
        ip=ip,
    )
    return domain


@transaction.atomic
def account_update(
    *,
    owner: Customer,
    actor: User,
    first_name: str,
    last_name: str,
    email: str,
    ip: str | None = None,
) -> list[str]:
    """The owner's name and email, through the network's own service (same uniqueness
    rules, same events). A new email is pending verification until confirmed."""
    user = owner.user
    email_changed = email.casefold() != user.email.casefold()
    verification = Customer.EmailVerification.PENDING if email_changed else owner.email_verification
    return customer_update_fields(
        customer=owner,
        actor=actor,
        username=user.username,
        email=email,
        email_verification=verification,
        first_name=first_name,
        last_name=last_name,
        ip=ip,
    )


@transaction.atomic
def account_password_change(
    *, owner: Customer, actor: User, old_password: str, new_password: str, ip: str | None = None
) -> None:
    user = User.objects.select_for_update().get(pk=owner.user_id)
    if not user.check_password(old_password):
        raise ValidationError({"old_password": gettext("That is not your current password.")})
    validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    owner.user.password = user.password
    event_record(
        type=Event.Type.PASSWORD_CHANGED,
        message="Password changed on the site's administration",
        customer=owner,
        subject=owner,
        actor=actor,
        ip=ip,
    )


@transaction.atomic
def team_invite(
    *, site: Site, actor: User, email: str, role: str, ip: str | None = None
) -> tuple[TeamMember, User, bool]:
    """Add a person to this site's team, by email. An email with no account gets a new
    account without a password; its owner sets one through the join link
    (siteadmin.views.team_join). Returns (member, account, whether the account is new)."""
    if role not in TeamMember.Role.values:
        raise ValidationError({"role": gettext("Choose administrator or editor.")})
    email = email.strip()
    owner = _owner(site)
    user = User.objects.with_email(email).first()
    created = user is None
    if user is None:
        problem = email_problem(email)
        if problem:
            raise ValidationError({"email": problem})
        user = User(username=email, email=email)
        user.set_unusable_password()
        user.full_clean(exclude=["password"], validate_constraints=False)
        user.save()
    elif user.is_staff or user.is_superuser:
        raise ValidationError({"email": gettext("Staff accounts cannot join a site's team.")})
    elif owner is not None and owner.user_id == user.pk:
        raise ValidationError(
            {"email": gettext("That is the site's owner, who is always on the team.")}
        )
    if TeamMember.objects.of_user(user.pk).exists():
        raise ValidationError(
            {"email": gettext("%(email)s is on the team already.") % {"email": email}}
        )
    member = TeamMember.objects.create(user_id=user.pk, role=role, invited_by_id=actor.pk)
    event_record(
        type=Event.Type.TEAM_CHANGED,
        message=f"{email} invited to “{site.title}” as {member.role}",
        customer=owner,
        subject=site,
        actor=actor,
        new={"email": email, "role": role, "user": user.pk, "new_account": created},
        ip=ip,
    )
    return member, user, created


@transaction.atomic
def team_remove(*, site: Site, actor: User, member: TeamMember, ip: str | None = None) -> None:
    label = User.objects.filter(pk=member.user_id).values_list("email", flat=True).first()
    deleted, _ = TeamMember.objects.filter(pk=member.pk).delete()
    if not deleted:
        return
    event_record(
        type=Event.Type.TEAM_CHANGED,
        message=f"{label or 'A deleted account'} removed from the team of “{site.title}”",
        customer=_owner(site),
        subject=site,
        actor=actor,
        old={"email": label, "role": member.role, "user": member.user_id},
        ip=ip,
    )


@transaction.atomic
def team_join(*, site: Site, user: User, password: str, ip: str | None = None) -> None:
    """An invited person sets their password from the join link."""
    if not TeamMember.objects.of_user(user.pk).exists():
        raise ValidationError(gettext("This invitation is no longer valid."))
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    event_record(
        type=Event.Type.TEAM_CHANGED,
        message=f"{user.email} joined the team of “{site.title}”",
        customer=_owner(site),
        subject=site,
        actor=user,
        new={"user": user.pk, "joined": True},
        ip=ip,
    )


def _owner(site: Site) -> Customer | None:
    if site.customer_id is None:
        return None
    return Customer.objects.select_related("user").filter(pk=site.customer_id).first()

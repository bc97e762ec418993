"""Every change to a customer goes through here, inside one transaction, and leaves an
Event with what changed (old and new) and who did it."""

from __future__ import annotations

from datetime import datetime, timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext

from customers.emails import Kind, verification_token_read
from customers.models import Customer, Language, LoginRecord, Note, Run, User
from customers.selectors import login_failures
from customers.signals import email_verified
from customers.tasks import customers_set_vip_run, email_send
from events.models import Event
from events.services import event_record, event_record_many

BILLING_FIELDS = (
    "company_name",
    "billing_email",
    "address_line_1",
    "address_line_2",
    "city",
    "state",
    "postal_code",
    "country",
)
BILLING_REQUIRED = ("billing_email", "address_line_1", "postal_code", "country")


def _account_unique_or_raise(*, username: str, email: str, user: User | None = None) -> None:
    """One login name, one account: a username or an email is refused when another
    account logs in with it, as its username or as its email."""
    errors = {}
    username_error = username_problem(username, user=user)
    if username_error:
        errors["username"] = username_error
    email_error = email_problem(email, user=user) if email else None
    if email_error:
        errors["email"] = email_error
    if errors:
        raise ValidationError(errors)


def username_problem(username: str, *, user: User | None = None) -> str | None:
    if User.objects.username_taken(username, exclude=user):
        return gettext("That username is already taken.")
    if User.objects.email_taken(username, exclude=user):
        return gettext("That username is another account's email address.")
    return None


def email_problem(email: str, *, user: User | None = None) -> str | None:
    if User.objects.email_taken(email, exclude=user):
        return gettext("That email address already belongs to an account.")
    if User.objects.username_taken(email, exclude=user):
        return gettext("That email address is another account's username.")
    return None


def _save_account(user: User, **update_fields_kw) -> None:
    """Save, turning a lost race on the case-insensitive unique constraints into the
    same field error a form shows."""
    try:
        with transaction.atomic():
            user.save(**update_fields_kw)
    except IntegrityError as error:
        message = str(error)
        if "user_email_ci_unique" in message:
            raise ValidationError(
                {"email": gettext("That email address already belongs to an account.")}
            ) from error
        if "user_username_ci_unique" in message or "username" in message:
            raise ValidationError(
                {"username": gettext("That username is already taken.")}
            ) from error
        raise


@transaction.atomic
def customer_create(
    *,
    username: str,
    email: str,
    actor: User | None,
    first_name: str = "",
    last_name: str = "",
    password: str = "",
    invite: bool = False,
    ip: str | None = None,
) -> Customer:
    """A new login account and its customer profile. With `invite`, the person gets an
    email with a link to choose their password."""
    _account_unique_or_raise(username=username, email=email)
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    _save_account(user)
    customer = _customer_create_for(user=user, actor=actor, ip=ip, new_account=True)
    if invite:
        email_enqueue(kind=Kind.INVITATION, user=user, host=settings.NETWORK_HOST)
    return customer


@transaction.atomic
def customer_create_for_user(*, user: User, actor: User | None, ip: str | None = None) -> Customer:
    """A customer profile for an account that exists already (and has none)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if Customer.objects.filter(user=user).exists():
        raise ValidationError({"account": gettext("That account is already a customer.")})
    if user.is_staff or user.is_superuser:
        raise ValidationError({"account": gettext("Staff accounts cannot be customers.")})
    return _customer_create_for(user=user, actor=actor, ip=ip, new_account=False)


def _customer_create_for(
    *, user: User, actor: User | None, ip: str | None, new_account: bool
) -> Customer:
    customer = Customer.objects.create(user=user)
    event_record(
        type=Event.Type.CUSTOMER_CREATED,
        message=(
            f"Customer {user.display_name} created"
            + ("" if new_account else f" for the existing account {user.username}")
        ),
        customer=customer,
        subject=customer,
        actor=actor,
        new={"username": user.username, "email": user.email, "new_account": new_account},
        ip=ip,
    )
    return customer


def _locked(customer: Customer) -> Customer:
    """The customer's current row, locked until the transaction ends: old values in
    events are what was really there, and two admins' edits queue up."""
    return (
        Customer.objects.select_for_update(of=("self",)).select_related("user").get(pk=customer.pk)
    )


@transaction.atomic
def customer_update_options(
    *, customer: Customer, vip: bool, actor: User | None, ip: str | None = None
) -> bool:
    """Returns whether anything changed."""
    current = _locked(customer)
    if current.vip == vip:
        return False
    current.vip = vip
    current.save(update_fields=["vip", "updated_at"])
    event_record(
        type=Event.Type.VIP_CHANGED,
        message=f"{'Marked' if vip else 'Unmarked'} {current.user.display_name} as VIP",
        customer=current,
        subject=current,
        actor=actor,
        old={"vip": not vip},
        new={"vip": vip},
        ip=ip,
    )
    customer.vip, customer.updated_at = current.vip, current.updated_at
    return True


@transaction.atomic
def customer_update_billing(
    *,
    customer: Customer,
    actor: User | None,
    company_name: str = "",
    billing_email: str,
    address_line_1: str,
    address_line_2: str = "",
    city: str = "",
    state: str = "",
    postal_code: str,
    country: str,
    ip: str | None = None,
) -> bool:
    """Billing Info; all or nothing. Returns whether anything changed."""
    new = {
        "company_name": company_name,
        "billing_email": billing_email,
        "address_line_1": address_line_1,
        "address_line_2": address_line_2,
        "city": city,
        "state": state,
        "postal_code": postal_code,
        "country": str(country or ""),
    }
    required = gettext("This field is required.")
    missing = {name: required for name in BILLING_REQUIRED if not new[name]}
    if missing:
        raise ValidationError(missing)
    current = _locked(customer)
    old = {name: str(getattr(current, name) or "") for name in BILLING_FIELDS}
    changed = [name for name in BILLING_FIELDS if old[name] != new[name]]
    if not changed:
        return False
    for name in changed:
        setattr(current, name, new[name])
    current.full_clean(exclude=["user"], validate_unique=False, validate_constraints=False)
    current.save(update_fields=[*changed, "updated_at"])
    event_record(
        type=Event.Type.BILLING_CHANGED,
        message="Billing info changed: " + ", ".join(_label(name) for name in changed),
        customer=current,
        subject=current,
        actor=actor,
        old={name: old[name] for name in changed},
        new={name: new[name] for name in changed},
        ip=ip,
    )
    for name in (*changed, "updated_at"):
        setattr(customer, name, getattr(current, name))
    return True


@transaction.atomic
def customer_update_fields(
    *,
    customer: Customer,
    actor: User | None,
    username: str,
    email: str,
    email_verification: str,
    first_name: str | None = None,
    last_name: str | None = None,
    activate_pending_memberships: bool = False,
    ip: str | None = None,
) -> list[str]:
    """The account (username, email, name) and the Email Verification status.

    Going to pending (or changing the address while pending) queues a verification email
    to the address, in this transaction.

    Going to verified can also activate the customer's pending memberships: the
    `email_verified` signal asks memberships to (customers/signals.py). Returns the
    names of what changed."""
    if email_verification not in Customer.EmailVerification.values:
        raise ValidationError({"email_verification": gettext("Choose none, pending or verified.")})
    required = {"username": username, "email": email}
    missing = {
        name: gettext("This field is required.") for name, value in required.items() if not value
    }
    if missing:
        raise ValidationError(missing)
    current = _locked(customer)
    user = current.user
    _account_unique_or_raise(username=username, email=email, user=user)

    account_new = {"username": username, "email": email}
    if first_name is not None:
        account_new["first_name"] = first_name
    if last_name is not None:
        account_new["last_name"] = last_name
    account_old = {name: getattr(user, name) for name in account_new}
    account_changed = [name for name in account_new if account_old[name] != account_new[name]]
    if account_changed:
        for name in account_changed:
            setattr(user, name, account_new[name])
        _save_account(user, update_fields=account_changed)
        event_record(
            type=Event.Type.CUSTOMER_UPDATED,
            message="Account changed: " + ", ".join(_label(name) for name in account_changed),
            customer=current,
            subject=current,
            actor=actor,
            old={name: account_old[name] for name in account_changed},
            new={name: account_new[name] for name in account_changed},
            ip=ip,
        )

    changed = list(account_changed)
    old_verification = current.email_verification
    if old_verification != email_verification:
        current.email_verification = email_verification
        current.save(update_fields=["email_verification", "updated_at"])
        event_record(
            type=Event.Type.EMAIL_VERIFICATION,
            message=(
                f"Email verification changed from {_choice(old_verification)} "
                f"to {_choice(email_verification)}"
            ),
            customer=current,
            subject=current,
            actor=actor,
            old={"email_verification": old_verification},
            new={"email_verification": email_verification},
            ip=ip,
        )
        changed.append("email_verification")
        if email_verification == Customer.EmailVerification.PENDING:
            email_enqueue(kind=Kind.VERIFICATION, user=user, host=settings.NETWORK_HOST)
        if (
            email_verification == Customer.EmailVerification.VERIFIED
            and activate_pending_memberships
        ):
            responses = email_verified.send(sender=Customer, customer=current, actor=actor, ip=ip)
            if any(activated for _receiver, activated in responses):
                changed.append("memberships")
    elif account_changed:
        current.save(update_fields=["updated_at"])
        if "email" in account_changed and email_verification == Customer.EmailVerification.PENDING:
            # The link sent to the old address no longer verifies anything: ask the new one.
            email_enqueue(kind=Kind.VERIFICATION, user=user, host=settings.NETWORK_HOST)

    customer.user = user
    customer.email_verification = current.email_verification
    customer.updated_at = current.updated_at
    return changed


@transaction.atomic
def user_language_set(
    *, user: User, language: str, actor: User | None, ip: str | None = None
) -> bool:
    """The language a person reads the admin in, on every host; "" follows the browser.
    Returns whether it changed.

    A customer's (a site owner's) change is in their history like their name and email;
    a super admin who is no customer has no history to write it in, and their
    language is a preference of their own, not something done to anyone."""
    if language not in ("", *Language.values):
        raise ValidationError({"language": gettext("Choose one of the languages offered.")})
    current = User.objects.select_for_update().get(pk=user.pk)
    old = current.language
    if old == language:
        return False
    current.language = language
    current.save(update_fields=["language"])
    user.language = language
    customer = Customer.objects.filter(user=current).first()
    if customer is not None:
        event_record(
            type=Event.Type.CUSTOMER_UPDATED,
            message="Account changed: language",
            customer=customer,
            subject=customer,
            actor=actor,
            old={"language": old},
            new={"language": language},
            ip=ip,
        )
    return True


@transaction.atomic
def customer_login_record(
    *,
    customer: Customer,
    ip: str | None,
    country_code: str = "",
    user_agent: str = "",
    host: str = "",
    at: datetime | None = None,
) -> LoginRecord:
    """One real login of the customer (never an impersonated session)."""
    at = at or timezone.now()
    record = LoginRecord.objects.create(
        customer=customer,
        ip=ip,
        country_code=country_code,
        user_agent=user_agent[:300],
        host=host[:253],
    )
    # A login is activity, not an edit: "last modified" stays as it was.
    Customer.objects.filter(pk=customer.pk).update(last_login_at=at, last_seen_at=at)
    customer.last_login_at = customer.last_seen_at = at
    event_record(
        type=Event.Type.LOGIN,
        message=f"Logged in on {host}" + (f" from {ip}" if ip else ""),
        customer=customer,
        subject=customer,
        actor=customer.user,
        new={"ip": ip, "country": country_code, "host": host},
        ip=ip,
    )
    return record


@transaction.atomic
def login_lockout_record(*, key: str | None, ip: str | None, host: str) -> Event:
    """The failed login that locked an account or an IP out (customers.throttle). An
    account's lockout is recorded on its customer, when it has one."""
    account = login_failures(key=key) if key is not None else None
    if account is not None and account.locked:
        user = User.objects.with_username(key).select_related("customer").first()
        customer = getattr(user, "customer", None) if user is not None else None
        message = f"Login to {key} locked after {account.count} failed attempts on {host}"
        failures = account.count
    else:
        customer = None
        failures = login_failures(ip=ip).count
        source = ip or "an unknown address"
        message = f"Logins from {source} locked after {failures} failed attempts"
    return event_record(
        type=Event.Type.LOGIN_LOCKED,
        message=message + (f" from {ip}" if ip and customer is not None else ""),
        customer=customer,
        subject=customer,
        new={"username": key, "ip": ip, "host": host, "failures": failures},
        ip=ip,
    )


@transaction.atomic
def customer_login_unlock(*, customer: Customer, actor: User | None, ip: str | None = None) -> int:
    """Forget the failed logins counted against the customer's account, which lifts its
    lockout. Returns how many failures were forgotten."""
    current = _locked(customer)
    failures = login_failures(key=current.user.username).count
    deleted, _ = AccessAttempt.objects.filter(username=current.user.username).delete()
    if not deleted:
        return 0
    event_record(
        type=Event.Type.LOGIN_UNLOCKED,
        message=f"Login lockout cleared ({failures} failed attempts forgotten)",
        customer=current,
        subject=current,
        actor=actor,
        old={"failures": failures},
        ip=ip,
    )
    return failures


def _label(name: str) -> str:
    return {
        "address_line_1": "address line 1",
        "address_line_2": "address line 2",
        "state": "state / province",
        "company_name": "company",
    }.get(name, name.replace("_", " "))


def _choice(value: str) -> str:
    """A status in an event's message, which stays in English whatever the language of the
    page that caused it: each value is its English label in lower case."""
    return Customer.EmailVerification(value).value


NOTE_MAX_LENGTH = 5000


def _note_text(text: str) -> str:
    text = text.replace("\x00", "").strip()  # PostgreSQL text can't hold NUL
    if not text:
        raise ValidationError(
            {"text": gettext("Write something first: an empty note was not saved.")}
        )
    if len(text) > NOTE_MAX_LENGTH:
        too_long = ngettext(
            "A note holds at most %(limit)s characters; this one has %(length)s. Nothing was "
            "saved.",
            "A note holds at most %(limit)s characters; this one has %(length)s. Nothing was "
            "saved.",
            len(text),
        )
        raise ValidationError(
            {
                "text": too_long
                % {
                    "limit": number_format(NOTE_MAX_LENGTH, force_grouping=True),
                    "length": number_format(len(text), force_grouping=True),
                }
            }
        )
    return text


def _own_note_locked(note: Note, actor: User) -> Note | None:
    """The note's current row, locked; None when it was deleted meanwhile. Only its
    author may change or delete it."""
    current = Note.objects.select_for_update().select_related("customer__user").filter(pk=note.pk)
    current = current.first()
    if current is not None and current.author_id != actor.pk:
        raise PermissionDenied(gettext("Only the note's author can change or delete it."))
    return current


def _note_excerpt(text: str) -> str:
    return text if len(text) <= 80 else text[:79] + "…"


@transaction.atomic
def note_add(*, customer: Customer, author: User, text: str, ip: str | None = None) -> Note:
    text = _note_text(text)
    note = Note.objects.create(
        customer=customer, author=author, author_label=author.display_name, text=text
    )
    event_record(
        type=Event.Type.NOTE_ADDED,
        message=f"Note added: {_note_excerpt(text)}",
        customer=customer,
        subject=note,
        actor=author,
        new={"text": text},
        ip=ip,
    )
    return note


@transaction.atomic
def note_update(*, note: Note, actor: User, text: str, ip: str | None = None) -> bool:
    """Returns whether anything changed."""
    text = _note_text(text)
    current = _own_note_locked(note, actor)
    if current is None:
        raise ValidationError(gettext("This note was deleted meanwhile. Nothing was saved."))
    if current.text == text:
        return False
    old = current.text
    current.text, current.edited_at = text, timezone.now()
    current.save(update_fields=["text", "edited_at"])
    event_record(
        type=Event.Type.NOTE_CHANGED,
        message=f"Note changed: {_note_excerpt(text)}",
        customer=current.customer,
        subject=current,
        actor=actor,
        old={"text": old},
        new={"text": text},
        ip=ip,
    )
    note.text, note.edited_at = current.text, current.edited_at
    return True


@transaction.atomic
def note_delete(*, note: Note, actor: User, ip: str | None = None) -> bool:
    """Returns False when the note was already gone (a second click)."""
    current = _own_note_locked(note, actor)
    if current is None:
        return False
    event_record(
        type=Event.Type.NOTE_DELETED,
        message=f"Note deleted: {_note_excerpt(current.text)}",
        customer=current.customer,
        subject=current,
        actor=actor,
        old={"text": current.text},
        ip=ip,
    )
    current.delete()
    return True


def notes_reassign(*, from_customer: Customer, to_customer: Customer) -> int:
    """Hand a customer's notes to another (deleting a customer with "reassign"): they are
    kept, with their authors and times. Returns how many moved."""
    return Note.objects.filter(customer=from_customer).update(customer=to_customer)


@transaction.atomic
def customers_set_vip(
    *, customer_ids: list[int], vip: bool, actor: User | None, ip: str | None = None
) -> int:
    """Tag or untag VIP on many customers; one event for each customer that changed.
    Returns how many changed."""
    changing = list(
        Customer.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(pk__in=customer_ids)
        .exclude(vip=vip)
        .order_by("pk")
    )
    Customer.objects.filter(pk__in=[c.pk for c in changing]).update(
        vip=vip, updated_at=timezone.now()
    )
    event_record_many(
        [
            {
                "type": Event.Type.VIP_CHANGED,
                "message": f"{'Marked' if vip else 'Unmarked'} {customer.user.display_name} "
                "as VIP (bulk action)",
                "customer": customer,
                "subject": customer,
                "actor": actor,
                "old": {"vip": not vip},
                "new": {"vip": vip},
                "ip": ip,
            }
            for customer in changing
        ]
    )
    return len(changing)


# A bulk VIP run commits this many customers at a time, with its progress.
VIP_CHUNK = 500


@transaction.atomic
def customers_set_vip_start(
    *, customer_ids: list[int], vip: bool, actor: User | None, ip: str | None = None
) -> Run:
    """Tag or untag VIP on more customers than a request should take: a run, with its job
    deferred in the same transaction (customers.tasks.customers_set_vip_run)."""
    run = run_create(
        kind=Run.Kind.VIP_TAG if vip else Run.Kind.VIP_UNTAG,
        customer_ids=customer_ids,
        actor=actor,
        ip=ip,
    )
    run.job_id = customers_set_vip_run.defer(run_id=run.pk)
    run.save(update_fields=["job_id"])
    return run


def customers_set_vip_work(run: Run) -> None:
    """The job's work: customers_set_vip chunk by chunk, each chunk committed with the
    run's progress, so a later try goes on after the last chunk committed."""
    vip = run.kind == Run.Kind.VIP_TAG
    runs = Run.objects.filter(pk=run.pk)
    for start in range(run.processed, run.total, VIP_CHUNK):
        chunk = run.customer_ids[start : start + VIP_CHUNK]
        with transaction.atomic():
            changed = customers_set_vip(customer_ids=chunk, vip=vip, actor=run.actor, ip=run.ip)
            runs.update(done=F("done") + changed, skipped=F("skipped") + len(chunk) - changed)


def run_create(
    *,
    kind: Run.Kind,
    customer_ids: list[int],
    actor: User | None,
    ip: str | None,
    label="",
    items: list | None = None,
    options: dict | None = None,
) -> Run:
    """A run's row, for the service that defers its job in the same transaction. Its
    total is the number of its items when it has any, else of its customers."""
    return Run.objects.create(
        kind=kind,
        customer_ids=customer_ids,
        items=items or [],
        options=options or {},
        total=len(items) if items else len(customer_ids),
        label=label,
        actor=actor,
        actor_label=f"{actor.display_name} <{actor.email}>" if actor is not None else "",
        ip=ip,
    )


def runs_prune(*, now: datetime | None = None) -> int:
    """Delete the runs that finished more than RUNS_KEPT_DAYS days ago, with their
    outcomes; unfinished runs stay, however old. What the runs did stays in the events.
    The number of runs deleted."""
    before = (now or timezone.now()) - timedelta(days=settings.RUNS_KEPT_DAYS)
    # Only the ids are loaded: a run's customer ids and lines may be 100,000 long.
    deleted, by_model = (
        Run.objects.filter(status__in=(Run.Status.DONE, Run.Status.FAILED), finished_at__lt=before)
        .only("pk")
        .delete()
    )
    return by_model.get(Run._meta.label, 0)


@transaction.atomic
def customers_export_record(
    *, customer_ids: list[int], actor: User | None, ip: str | None = None
) -> int:
    """An export of selected customers leaves an event on each of them."""
    customers = Customer.objects.select_related("user").filter(pk__in=customer_ids).order_by("pk")
    events = event_record_many(
        [
            {
                "type": Event.Type.CUSTOMER_EXPORTED,
                "message": f"{customer.user.display_name} exported to CSV (bulk action)",
                "customer": customer,
                "subject": customer,
                "actor": actor,
                "ip": ip,
            }
            for customer in customers
        ]
    )
    return len(events)


def email_enqueue(*, kind: Kind, user: User, host: str) -> None:
    """Queue one email to `user`, in the caller's transaction: it is sent (by the worker,
    customers.tasks) only if that transaction commits, and then recorded as an event."""
    email_send.defer(kind=str(kind), user_id=user.pk, host=host)


@transaction.atomic
def customer_email_verification_send(
    *, customer: Customer, actor: User | None, ip: str | None = None
) -> None:
    """Ask the customer to verify their email address: the status becomes pending (an
    event, when it was not) and a verification email with a signed link is queued. For
    "Resend verification email", and for any change of address that needs verifying."""
    current = _locked(customer)
    old = current.email_verification
    if old != Customer.EmailVerification.PENDING:
        current.email_verification = Customer.EmailVerification.PENDING
        current.save(update_fields=["email_verification", "updated_at"])
        event_record(
            type=Event.Type.EMAIL_VERIFICATION,
            message=f"Email verification changed from {_choice(old)} to pending",
            customer=current,
            subject=current,
            actor=actor,
            old={"email_verification": old},
            new={"email_verification": current.email_verification},
            ip=ip,
        )
        customer.email_verification = current.email_verification
        customer.updated_at = current.updated_at
    email_enqueue(kind=Kind.VERIFICATION, user=current.user, host=settings.NETWORK_HOST)


class VerificationLinkError(Exception):
    """A verification link that verifies nothing; the message says why, to its reader."""


@transaction.atomic
def customer_email_verify(*, token: str, ip: str | None = None) -> tuple[Customer, bool]:
    """The customer opened the link of a verification email: their address is verified
    (an event, by the customer). Returns the customer and whether this verified it (False
    when it already was: opening the link twice is fine)."""
    try:
        signed = verification_token_read(token)
    except signing.SignatureExpired as error:
        raise VerificationLinkError(
            gettext("This verification link has expired. Ask for a new verification email.")
        ) from error
    except signing.BadSignature as error:
        raise VerificationLinkError(gettext("This verification link is not valid.")) from error
    customer = Customer.objects.filter(pk=signed.get("customer")).first()
    if customer is None:
        raise VerificationLinkError(gettext("This verification link is not valid."))
    current = _locked(customer)
    if current.user.email.casefold() != str(signed.get("email", "")).casefold():
        raise VerificationLinkError(
            gettext(
                "This link was sent to an earlier email address of the account. Open the link "
                "in the latest verification email."
            )
        )
    if current.email_verification == Customer.EmailVerification.VERIFIED:
        return current, False
    if current.email_verification != Customer.EmailVerification.PENDING:
        raise VerificationLinkError(gettext("This email address no longer needs verifying."))
    current.email_verification = Customer.EmailVerification.VERIFIED
    current.save(update_fields=["email_verification", "updated_at"])
    event_record(
        type=Event.Type.EMAIL_VERIFICATION,
        message=f"Email {current.user.email} verified through the link in the verification email",
        customer=current,
        subject=current,
        actor=current.user,
        old={"email_verification": Customer.EmailVerification.PENDING.value},
        new={"email_verification": current.email_verification},
        ip=ip,
    )
    return current, True

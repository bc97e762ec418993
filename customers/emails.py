"""The emails the network sends a person, and the signed links in them.

Services defer each email as a job (customers.tasks.email_send) inside the transaction of
the change that causes it; the job builds the message here when it runs, so a link's token
is as fresh as the send, and no token waits in the queue's table. Links are built from
configured hosts only (network.http.link_url): the network's host, or the site's primary
domain for a subsite's password reset, never a request's Host header. Each email is in its
recipient's language (User.language), or the network's default when they chose none.
"""

from __future__ import annotations

from enum import StrEnum

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext

from customers.models import Customer, User
from network.http import link_url

VERIFICATION_SALT = "customers.email-verification"


class Kind(StrEnum):
    VERIFICATION = "verification"
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"


def verification_token(customer: Customer) -> str:
    """Signed and timestamped; names the address it verifies, so a link sent before the
    email changed cannot verify the new one."""
    return signing.TimestampSigner(salt=VERIFICATION_SALT).sign_object(
        {"customer": customer.pk, "email": customer.user.email}
    )


def verification_token_read(token: str) -> dict:
    """The customer and address a link names. Raises signing.SignatureExpired past
    EMAIL_VERIFICATION_DAYS, signing.BadSignature for anything not signed by us."""
    return signing.TimestampSigner(salt=VERIFICATION_SALT).unsign_object(
        token, max_age=settings.EMAIL_VERIFICATION_DAYS * 24 * 60 * 60
    )


def _urlconf(host: str) -> str:
    return (
        settings.PUBLIC_SCHEMA_URLCONF if host == settings.NETWORK_HOST else settings.ROOT_URLCONF
    )


def _set_password_url(user: User, host: str) -> str:
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
        urlconf=_urlconf(host),
    )
    return link_url(host, path)


def email_build(*, kind: str, user: User, host: str) -> EmailMessage:
    """The message of one kind for `user`, with its links on `host`, in their language."""
    with translation.override(user.language or settings.LANGUAGE_CODE):
        return _email_build(kind=kind, user=user, host=host)


def _email_build(*, kind: str, user: User, host: str) -> EmailMessage:
    context = {"user": user, "host": host, "network_host": settings.NETWORK_HOST}
    if kind == Kind.VERIFICATION:
        token = verification_token(user.customer)
        path = reverse("verify_email", args=[token], urlconf=settings.PUBLIC_SCHEMA_URLCONF)
        context |= {"link": link_url(host, path), "days": settings.EMAIL_VERIFICATION_DAYS}
        subject = gettext("Verify your email address for %(host)s") % {
            "host": settings.NETWORK_HOST
        }
    elif kind == Kind.INVITATION:
        context |= {"link": _set_password_url(user, host)}
        subject = gettext("You are invited to %(host)s: choose your password") % {
            "host": settings.NETWORK_HOST
        }
    elif kind == Kind.PASSWORD_RESET:
        context |= {"link": _set_password_url(user, host)}
        subject = gettext("Reset your password on %(host)s") % {"host": host}
    else:
        raise ValueError(f"No email of kind {kind!r}")
    context["hours"] = settings.PASSWORD_RESET_TIMEOUT // 3600
    body = render_to_string(f"customers/emails/{kind}.txt", context)
    return EmailMessage(subject=subject, body=body, to=[user.email])

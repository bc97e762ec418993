"""Jobs on the queue (procrastinate, in PostgreSQL's public schema): the emails.

A job is deferred by the service that causes the email, in that service's transaction:
the email exists exactly when the change does, and a crash before the send loses nothing
(the job waits in the table for the worker). A failed send is recorded on the customer and
retried with a growing wait; after the last try the job stays `failed` in the table, shown
in Django admin's procrastinate jobs, with the failure in the customer's Events.
"""

from __future__ import annotations

from procrastinate import JobContext, RetryStrategy
from procrastinate.contrib.django import app

from customers.emails import Kind, email_build
from customers.models import Customer, User
from events.models import Event
from events.services import event_record

# Waits of 9 s, 27 s, 81 s, ... : the last of 8 retries comes about eight hours after
# the first try.
EMAIL_RETRIES = 8
EMAIL_QUEUE = "emails"


@app.task(
    name="customers.email_send",
    queue=EMAIL_QUEUE,
    pass_context=True,
    retry=RetryStrategy(max_attempts=EMAIL_RETRIES, exponential_wait=3),
)
def email_send(context: JobContext, *, kind: str, user_id: int, host: str) -> None:
    user = User.objects.select_related("customer").filter(pk=user_id).first()
    if user is None or not user.email:
        return  # the account went away (or lost its address) before the send
    customer = getattr(user, "customer", None)
    if kind == Kind.VERIFICATION and (
        customer is None or customer.email_verification != Customer.EmailVerification.PENDING
    ):
        return  # verified or withdrawn meanwhile: nothing to ask any more
    message = email_build(kind=kind, user=user, host=host)
    try:
        message.send()
    except Exception as error:
        attempt = context.job.attempts + 1
        retrying = context.job.attempts < EMAIL_RETRIES
        event_record(
            type=Event.Type.EMAIL_FAILED,
            message=(
                f"Email to {user.email} not sent (try {attempt}, "
                + ("will retry" if retrying else "given up")
                + f"): {message.subject}"
            ),
            customer=customer,
            subject=customer,
            new={
                "kind": kind,
                "to": user.email,
                "subject": message.subject,
                "error": f"{type(error).__name__}: {error}"[:300],
                "attempt": attempt,
                "retrying": retrying,
            },
        )
        raise
    event_record(
        type=Event.Type.EMAIL_SENT,
        message=f"Email sent to {user.email}: {message.subject}",
        customer=customer,
        subject=customer,
        new={"kind": kind, "to": user.email, "subject": message.subject},
    )

"""Jobs on the queue (procrastinate, in PostgreSQL's public schema): the emails, and long work.

A job is deferred by the service that causes the email, in that service's transaction:
the email exists exactly when the change does, and a crash before the send loses nothing
(the job waits in the table for the worker). A failed send is recorded on the customer and
retried with a growing wait; after the last try the job stays `failed` in the table, shown
in Django admin's procrastinate jobs, with the failure in the customer's Events.

Long work on customers (customers.models.Run) runs on the `runs` queue: `run_work` keeps
the run's status and error up to date around the work itself, which lives with the
services (bulk VIP here, deletions in deletion.tasks).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from procrastinate import JobContext, RetryStrategy
from procrastinate.contrib.django import app

from customers.emails import Kind, email_build
from customers.models import Customer, Run, User
from events.models import Event
from events.services import event_record
from network.tasks import PERIODIC_QUEUE

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


RUNS_QUEUE = "runs"
# A run that fails as a whole (the database went away, a worker died) is tried again 5
# times over about 20 minutes, resuming where it stopped; then it is shown as failed.
RUN_RETRIES = 5
RUN_RETRY = RetryStrategy(max_attempts=RUN_RETRIES, exponential_wait=4)


def run_work(context: JobContext, *, run_id: int, work: Callable[[Run], None]) -> None:
    """Do `work` for the run, with the run's status saying where it stands. The work
    records its own progress as it commits, so a later try resumes; a failure is written
    on the run (its page shows it) and re-raised for the queue to retry."""
    runs = Run.objects.filter(pk=run_id)
    run = runs.select_related("actor").first()
    if run is None or run.is_finished:
        return  # removed in Django admin, or finished by an earlier try
    runs.update(status=Run.Status.RUNNING, started_at=Coalesce(F("started_at"), timezone.now()))
    # In the language of the admin who started it, as the same work in a request would be:
    # the per-customer outcomes it writes are read on the run's page.
    language = (run.actor.language if run.actor else "") or settings.LANGUAGE_CODE
    try:
        with translation.override(language):
            work(run)
    except Exception as error:
        retrying = context.job.attempts < RUN_RETRIES
        runs.update(
            status=Run.Status.RETRYING if retrying else Run.Status.FAILED,
            error=f"Try {context.job.attempts + 1}: {type(error).__name__}: {error}"[:1000],
            finished_at=None if retrying else timezone.now(),
        )
        raise
    runs.update(status=Run.Status.DONE, finished_at=timezone.now())


@app.task(name="customers.vip_run", queue=RUNS_QUEUE, pass_context=True, retry=RUN_RETRY)
def customers_set_vip_run(context: JobContext, *, run_id: int) -> None:
    # customers.services defers this module's jobs: imported here, not at the top.
    from customers.services import customers_set_vip_work

    run_work(context, run_id=run_id, work=customers_set_vip_work)


@app.periodic(cron="45 3 * * *", periodic_id="daily")
@app.task(name="customers.runs_prune", queue=PERIODIC_QUEUE, queueing_lock="customers.runs_prune")
def runs_prune_periodic(timestamp: int) -> int:
    # customers.services defers this module's jobs: imported here, not at the top.
    from customers.services import runs_prune

    return runs_prune()

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Permission, UserManager
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import connection, models, transaction
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat, Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField


def search_expression() -> Upper:
    """The one expression customer search filters on; the trigram index is built on it."""
    return Upper(
        Concat(
            "first_name",
            models.Value(" "),
            "last_name",
            models.Value(" "),
            "username",
            models.Value(" "),
            "email",
            output_field=models.TextField(),
        )
    )


def _others(users: models.QuerySet, exclude: models.Model | None) -> models.QuerySet:
    return users if exclude is None else users.exclude(pk=exclude.pk)


class NetworkUserManager(UserManager):
    def with_username(self, username: str) -> models.QuerySet[User]:
        """Whatever its case, upper-cased by PostgreSQL as the unique constraint is (its
        UPPER and Python's str.upper() disagree on letters like ß)."""
        return self.alias(username_upper=Upper("username")).filter(
            username_upper=Upper(models.Value(username))
        )

    def with_email(self, email: str) -> models.QuerySet[User]:
        """Whatever its case; read through the `user_email_upper` index."""
        return self.alias(email_upper=Upper("email")).filter(email_upper=Upper(models.Value(email)))

    def with_username_or_email(self, handle: str) -> models.QuerySet[User]:
        upper = Upper(models.Value(handle))
        return self.alias(username_upper=Upper("username"), email_upper=Upper("email")).filter(
            models.Q(username_upper=upper) | models.Q(email_upper=upper)
        )

    def for_login(self, handle: str) -> User | None:
        """The one account a login handle names: a handle with "@" is tried as an email
        first, then as a username (Django's username validator allows "@" too)."""
        user = self.with_email(handle).first() if "@" in handle else None
        return user if user is not None else self.with_username(handle).first()

    def username_taken(self, username: str, *, exclude: User | None = None) -> bool:
        return _others(self.with_username(username), exclude).exists()

    def email_taken(self, email: str, *, exclude: User | None = None) -> bool:
        return _others(self.with_email(email), exclude).exists()

    def search(self, term: str) -> models.QuerySet[User]:
        """Case-insensitive substring match on name, username and email, on exactly the
        expression the trigram index `user_search_trgm` is built on. The term is
        upper-cased by PostgreSQL, like the indexed text, so both agree on every
        alphabet."""
        return self.alias(search=search_expression()).filter(
            search__contains=Upper(models.Value(term))
        )

    def search_ids(self, term: str, *, limit: int) -> list[int]:
        """Up to `limit` + 1 ids of accounts matching `term`, read through the trigram
        index whatever the planner prefers.

        For a LIMITed query PostgreSQL likes a sequential scan that "stops early",
        which for a rare term reads the whole table; a bitmap scan of the trigram
        index costs in proportion to the matches instead (well under 100 ms at a
        million accounts, even for a term that matches most of them)."""
        restore = connection.in_atomic_block  # SET LOCAL would outlive our block
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
            ids = list(self.search(term).values_list("pk", flat=True)[: limit + 1])
            if restore:
                cursor.execute(
                    "SET LOCAL enable_seqscan TO DEFAULT; SET LOCAL enable_indexscan TO DEFAULT"
                )
        return ids


def network_admin_condition(user: str = "") -> models.Q:
    """`User.is_network_admin` in SQL, of the account at the lookup path `user` (e.g.
    "admin"; empty: the queried account itself). A query that loads the account learns it
    too, without has_perm's two queries (the account's own permissions, its groups').
    A superuser has every permission."""
    field = f"{user}__" if user else ""
    account = models.OuterRef(user or "pk")
    permission = Permission.objects.filter(
        content_type__app_label="customers", codename="network_admin"
    )
    return models.Q(**{f"{field}is_active": True, f"{field}is_staff": True}) & (
        models.Q(**{f"{field}is_superuser": True})
        | models.Exists(permission.filter(user=account))
        | models.Exists(permission.filter(group__user=account))
    )


class Language(models.TextChoices):
    """The admin's languages (settings.LANGUAGES), each named in itself."""

    ENGLISH = "en", "English"
    FRENCH = "fr", "Français"
    DUTCH = "nl", "Nederlands"
    NORWEGIAN = "nb", "Norsk bokmål"
    ROMANIAN = "ro", "Română"


class User(AbstractUser):
    """The network-wide login account. Customers and super admins alike."""

    # Blank: the browser's Accept-Language decides (LocaleMiddleware).
    language = models.CharField(_("language"), max_length=8, blank=True, choices=Language.choices)

    objects = NetworkUserManager()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        indexes = [
            GinIndex(OpClass(search_expression(), name="gin_trgm_ops"), name="user_search_trgm"),
            models.Index(Upper("email"), name="user_email_upper"),
            models.Index(
                fields=["first_name", "last_name", "username"],
                include=["id", "email"],
                name="user_name_sort",
            ),
        ]
        constraints = [
            # Usernames and emails are unique across the network whatever their case:
            # either one logs a person in (customers.backends).
            models.UniqueConstraint(
                Upper("username"),
                name="user_username_ci_unique",
                violation_error_message=_("That username is already taken."),
            ),
            models.UniqueConstraint(
                Upper("email"),
                condition=~models.Q(email=""),
                name="user_email_ci_unique",
                violation_error_message=_("That email address already belongs to an account."),
            ),
        ]
        permissions = [("network_admin", "Can administer the network (super admin)")]

    @property
    def is_network_admin(self) -> bool:
        """Also written in SQL: network_admin_condition."""
        return self.is_active and self.is_staff and self.has_perm("customers.network_admin")

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


# A term matching at most this many accounts is looked up in the trigram index first
# (one query, runs at once) and the page is sorted from those ids; a term matching
# more is common enough that walking the sort order's own index finds a page fast.
SEARCH_ID_LIMIT = 10_000


class EqualsAny(models.Func):
    """`<expression> = ANY(%s::bigint[])`: a condition with its values as one parameter."""

    output_field = models.BooleanField()

    def __init__(self, expression, values: list[int]):
        super().__init__(expression)
        self.values = list(values)

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"{sql} = ANY(%s::bigint[])", [*params, self.values]


# The columns a row of the customer list reads (templates/customers/list.html).
LIST_FIELDS = ("user", "vip", "last_login_at", "last_seen_at", "created_at")
LIST_USER_FIELDS = ("first_name", "last_name", "username", "email")


class CustomerQuerySet(models.QuerySet):
    def search(self, term: str) -> CustomerQuerySet:
        """Case-insensitive substring search over name, username and email."""
        term = term.strip()
        if not term:
            return self
        if len(term) >= 3:  # a shorter term has no trigram to look up
            user_ids = User.objects.search_ids(term, limit=SEARCH_ID_LIMIT)
            if len(user_ids) <= SEARCH_ID_LIMIT:
                return self.of_users(user_ids)
        return self.filter(user__in=User.objects.search(term).values("pk"))

    def of_users(self, user_ids: list[int]) -> CustomerQuerySet:
        """`user_id = ANY(<one array>)`: with `user_id__in`, each of up to 10,000 ids would
        be a parameter of its own for the ORM, psycopg and PostgreSQL, twice a page."""
        if not user_ids:
            return self.none()
        return self.filter(EqualsAny("user_id", user_ids))

    def online(self, *, now: datetime | None = None) -> CustomerQuerySet:
        return self.filter(last_seen_at__gte=online_since(now))

    def with_membership_count(self) -> CustomerQuerySet:
        """One correlated count per listed row, inside the page's own query (no N+1).
        Memberships build on customers, so they are counted through the reverse relation
        `memberships` rather than by importing their model."""
        return self.annotate(
            membership_count=_per_customer(
                "(SELECT COUNT(*) FROM {table} WHERE {column} = {customer})",
                "memberships",
                output_field=models.IntegerField(),
            )
        )

    def with_switch_site(self) -> CustomerQuerySet:
        """`has_switch_site`: whether Switch to can work (an active site, not the main
        one), inside the query that loads the customers. Sites build on customers, so
        their model is reached through the reverse relation `sites`."""
        site = Customer._meta.get_field("sites").related_model
        return self.annotate(
            has_switch_site=_per_customer(
                "EXISTS (SELECT 1 FROM {table} WHERE {column} = {customer}"
                " AND active AND type <> %s)",
                "sites",
                params=(site.Type.MAIN.value,),
            )
        )

    def for_list(self) -> CustomerQuerySet:
        """What a row of the customer list shows, and no more: the billing and password
        columns it would skip cost as much to read as the rest of the page."""
        return (
            self.select_related("user")
            .only(*LIST_FIELDS, *(f"user__{name}" for name in LIST_USER_FIELDS))
            .with_membership_count()
            .with_switch_site()
            .annotate(
                has_notes=_per_customer(
                    "EXISTS (SELECT 1 FROM {table} WHERE {column} = {customer})", "notes"
                )
            )
        )

    def sorted_by(self, sort: str) -> CustomerQuerySet:
        return self.order_by(*CUSTOMER_SORTS.get(sort, CUSTOMER_SORTS[DEFAULT_SORT])[1])


def _per_customer(
    sql: str, related: str, *, params: tuple = (), output_field: models.Field | None = None
) -> RawSQL:
    """A subquery about each customer row, from the table of the reverse relation
    `related` ({table}, its foreign key {column}) and the row's id ({customer}), as SQL.
    The same built from OuterRef, Subquery and Exists costs the ORM about a millisecond
    each to resolve and compile on every request: together, more than PostgreSQL takes
    to run the list's whole page. For a query on the customers table itself (not inside
    another query, where it would have an alias)."""
    relation = Customer._meta.get_field(related)
    return RawSQL(
        sql.format(
            table=f'"{relation.related_model._meta.db_table}"',
            column=f'"{relation.field.column}"',
            customer=f'"{Customer._meta.db_table}"."id"',
        ),
        params,
        output_field=output_field or models.BooleanField(),
    )


def online_since(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(seconds=settings.ONLINE_WINDOW_SECONDS)


# Each ordering matches an index column for column, forwards or backwards, so every
# sort is an index walk that stops after one page (cust_last_login, cust_created,
# user_name_sort, the pkey). A sort no index matches (email, membership count) would
# read every customer to show 25, so none is offered.
DEFAULT_SORT = "last_login"
CUSTOMER_SORTS: dict[str, tuple[str, tuple]] = {
    "last_login": (_("Last login"), (models.F("last_login_at").desc(nulls_last=True), "id")),
    "-last_login": (
        _("Last login (never, then longest ago)"),
        (models.F("last_login_at").asc(nulls_first=True), "-id"),
    ),
    "newest": (_("Customer since (newest)"), ("-created_at", "id")),
    "oldest": (_("Customer since (oldest)"), ("created_at", "-id")),
    "name": (_("Name (A–Z)"), ("user__first_name", "user__last_name", "user__username")),
    "-name": (_("Name (Z–A)"), ("-user__first_name", "-user__last_name", "-user__username")),
    "id": (_("ID (lowest first)"), ("id",)),
    "-id": (_("ID (highest first)"), ("-id",)),
}
# The list's sortable column headers: each column's two sorts, the one a first click
# picks first, with which way each runs.
SORT_COLUMNS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "id": (("id", "ascending"), ("-id", "descending")),
    "name": (("name", "ascending"), ("-name", "descending")),
    "last_login": (("last_login", "descending"), ("-last_login", "ascending")),
    "since": (("newest", "descending"), ("oldest", "ascending")),
}


class Customer(models.Model):
    class EmailVerification(models.TextChoices):
        NONE = "none", pgettext_lazy("email verification", "None")
        PENDING = "pending", pgettext_lazy("email verification", "Pending")
        VERIFIED = "verified", pgettext_lazy("email verification", "Verified")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="customer"
    )
    vip = models.BooleanField(_("VIP"), default=False)
    email_verification = models.CharField(
        max_length=10, choices=EmailVerification.choices, default=EmailVerification.NONE
    )
    company_name = models.CharField(max_length=200, blank=True)
    billing_email = models.EmailField(blank=True)
    address_line_1 = models.CharField(max_length=200, blank=True)
    address_line_2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(_("state / province"), max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = CountryField(blank=True)
    # Denormalised from LoginRecord so that the list sorts and filters on one indexed column.
    last_login_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        indexes = [
            # user_id is carried in the sort indexes so that walking one and skipping
            # the customers a search did not match never has to read the table.
            models.Index(
                models.F("last_login_at").desc(nulls_last=True),
                "id",
                name="cust_last_login",
                include=["user_id"],
            ),
            models.Index(fields=["-created_at", "id"], name="cust_created", include=["user_id"]),
            models.Index(fields=["last_seen_at"], name="cust_last_seen"),
            models.Index(fields=["vip"], name="cust_vip", condition=models.Q(vip=True)),
            # VIPs are a few percent of the customers: walking the whole-table sort index
            # for them reads a thousand rows per page, or all of them when another filter
            # leaves few VIPs to find. These walk only the VIPs; sorted by name, the
            # accounts are walked and each is looked up in the small VIP index instead of
            # the table.
            models.Index(
                models.F("last_login_at").desc(nulls_last=True),
                "id",
                name="cust_vip_last_login",
                include=["user_id"],
                condition=models.Q(vip=True),
            ),
            models.Index(
                fields=["-created_at", "id"],
                name="cust_vip_created",
                include=["user_id"],
                condition=models.Q(vip=True),
            ),
            models.Index(fields=["user"], name="cust_vip_user", condition=models.Q(vip=True)),
            # The VIP filter with an email verification: counting its matches reads this
            # small index alone, not every VIP's row (200 ms at 40,000 VIPs, cold).
            models.Index(
                fields=["email_verification"],
                name="cust_vip_verif",
                condition=models.Q(vip=True),
            ),
            models.Index(fields=["email_verification"], name="cust_email_verif"),
        ]

    def __str__(self) -> str:
        return f"{self.user.display_name} <{self.user.email}>"

    def get_absolute_url(self) -> str:
        return reverse("customers:detail", args=[self.pk])

    @property
    def last_active_at(self) -> datetime | None:
        moments = [m for m in (self.last_seen_at, self.last_login_at) if m is not None]
        return max(moments) if moments else None

    @property
    def is_online(self) -> bool:
        last_active = self.last_active_at
        return last_active is not None and last_active >= online_since()

    @property
    def initials(self) -> str:
        user = self.user
        letters = (user.first_name[:1] + user.last_name[:1]) or user.username[:2]
        return letters.upper()


class LoginRecord(models.Model):
    """One real login of a customer (never an impersonated session)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="logins")
    ip = models.GenericIPAddressField(null=True, blank=True)
    country_code = models.CharField(max_length=2, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    host = models.CharField(max_length=253, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=False)

    class Meta:
        indexes = [models.Index(fields=["customer", "-created_at"], name="login_customer_time")]

    def __str__(self) -> str:
        return f"{self.ip} at {self.created_at:%Y-%m-%d %H:%M}"


class Note(models.Model):
    """A super admin's plain-text note on a customer. Goes with the customer."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Copied, so the note still says who wrote it after the author's account is gone.
    author_label = models.CharField(max_length=300)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["customer", "-created_at"], name="note_customer_time")]

    def __str__(self) -> str:
        return self.text[:60]


# The columns a row of the runs list reads (templates/customers/runs.html): not the
# customers' ids nor the lines, up to BULK_JOB_LIMIT of them in every run.
RUN_LIST_FIELDS = (
    "kind",
    "status",
    "label",
    "total",
    "done",
    "skipped",
    "failed",
    "actor_label",
    "created_at",
)


class RunQuerySet(models.QuerySet):
    def unfinished(self) -> RunQuerySet:
        status = self.model.Status
        return self.filter(status__in=[status.QUEUED, status.RUNNING, status.RETRYING])

    def with_failures(self) -> RunQuerySet:
        """Given up, or finished with items that failed: what an operator comes back for."""
        status = self.model.Status
        return self.filter(
            models.Q(status=status.FAILED) | models.Q(status=status.DONE, failed__gt=0)
        )

    def for_list(self) -> RunQuerySet:
        return self.only(*RUN_LIST_FIELDS).order_by("-created_at", "-id")


class Run(models.Model):
    """Long work on customers, done by a job on the queue while its page shows how far it
    got: a bulk action on more customers than a request should take, or deleting a
    customer who owns many sites. The job is deferred in the transaction that creates
    the run, so the run exists exactly when its job does; the job writes its progress
    here (customers.tasks.run_work)."""

    class Kind(models.TextChoices):
        VIP_TAG = "vip-tag", _("Tag VIP")
        VIP_UNTAG = "vip-untag", _("Untag VIP")
        DELETE = "delete", _("Delete customers")
        DELETE_ONE = "delete-one", _("Delete a customer")
        SITES_CREATE = "sites-create", _("Create sites")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Running")
        RETRYING = "retrying", _("Failed, will retry")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    # The customers, resolved when the run was started: the job takes exactly these.
    customer_ids = ArrayField(models.BigIntegerField())
    # What the run is about, in words (deleting one customer, or creating sites for one:
    # who).
    label = models.CharField(max_length=300, blank=True)
    # What the job works through when it is not the customers themselves (creating sites:
    # each line's number, domain and title), and what applies to every item (creating
    # sites: the membership and the site type).
    items = models.JSONField(default=list, blank=True)
    options = models.JSONField(default=dict, blank=True)
    total = models.PositiveIntegerField()
    done = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    # The job's own failure (a customer's failure is a RunOutcome).
    error = models.TextField(blank=True)
    job_id = models.BigIntegerField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_label = models.CharField(max_length=300, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = RunQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}: {self.total} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("customers:run", args=[self.pk], urlconf=settings.PUBLIC_SCHEMA_URLCONF)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def processed(self) -> int:
        return self.done + self.skipped + self.failed

    @property
    def percent(self) -> int:
        return 100 if self.is_finished else self.processed * 100 // max(self.total, 1)

    @property
    def result_words(self) -> dict[str, str]:
        """What the run's page calls each result: RunOutcome.Result's own words are a
        deletion's."""
        words = dict(RunOutcome.Result.choices)
        if self.kind == self.Kind.SITES_CREATE:
            words |= {
                RunOutcome.Result.DONE: _("Created"),
                RunOutcome.Result.FAILED: _("Not created"),
            }
        return words


class RunOutcome(models.Model):
    """What happened to one customer of a run (bulk delete), or to one line (creating
    sites: `customer_ref` is the line's number): recorded in the transaction of that
    customer's deletion or that site's creation, so a job that resumes skips exactly those
    done."""

    class Result(models.TextChoices):
        DONE = "done", _("Deleted")
        SKIPPED = "skipped", _("Already gone")
        FAILED = "failed", _("Not deleted")

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="outcomes")
    customer_ref = models.BigIntegerField()
    label = models.CharField(max_length=300)
    result = models.CharField(max_length=10, choices=Result.choices)
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "customer_ref"], name="run_outcome_once")
        ]
        indexes = [models.Index(fields=["run", "result", "id"], name="run_outcome_result")]

    def __str__(self) -> str:
        return f"#{self.customer_ref}: {self.result}"

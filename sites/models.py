from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin


class Site(TenantMixin):
    """A subsite: a tenant with its own PostgreSQL schema. The network itself is the
    site whose schema is `public` (type MAIN)."""

    class Type(models.TextChoices):
        REGULAR = "regular", _("Regular site")
        CUSTOMER_OWNED = "customer-owned", _("Customer-owned")
        SITE_TEMPLATE = "site-template", _("Site template")
        MAIN = "main", _("Main site")

    title = models.CharField(max_length=200)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sites",
    )
    membership = models.ForeignKey(
        "memberships.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sites",
    )
    type = models.CharField(max_length=20, choices=Type.choices, default=Type.CUSTOMER_OWNED)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Schemas are created by sites.services.site_create (a clone of a template schema, see
    # sites.provisioning) and dropped by sites.services.site_delete: explicitly, never as
    # a side effect of save() or delete().
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="site_customer"),
            # The network-wide list: its sorts and filters.
            models.Index(fields=["-created_at", "-id"], name="site_created"),
            models.Index(fields=["title", "id"], name="site_title"),
            models.Index(fields=["type"], name="site_type"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("sites:detail", args=[self.pk])

    @property
    def is_main(self) -> bool:
        return self.type == self.Type.MAIN


class DomainQuerySet(models.QuerySet):
    def search(self, term: str) -> DomainQuerySet:
        """Case-insensitive substring match, on the expression `domain_search_trgm` indexes."""
        return self.alias(upper=Upper("domain")).filter(upper__contains=Upper(models.Value(term)))


class Domain(DomainMixin):
    objects = DomainQuerySet.as_manager()

    class Meta:
        indexes = [
            GinIndex(OpClass(Upper("domain"), name="gin_trgm_ops"), name="domain_search_trgm"),
        ]

    def __str__(self) -> str:
        return self.domain

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext

from customers.models import network_admin_condition


class SwitchGrantQuerySet(models.QuerySet):
    def with_admin(self) -> SwitchGrantQuerySet:
        """The admin, and whether it is still a network admin (`admin_is_network_admin`),
        in the grant's own query."""
        return self.select_related("admin").annotate(
            admin_is_network_admin=models.ExpressionWrapper(
                network_admin_condition("admin"), output_field=models.BooleanField()
            )
        )

    def running(self) -> SwitchGrantQuerySet:
        """Grants whose impersonated session started and whose end is not recorded yet."""
        return self.filter(session_expires_at__isnull=False, ended_at__isnull=True)


class SwitchGrant(models.Model):
    """A single-use, short-lived permission for one admin to act as one customer on one
    site. Only a hash of the secret is stored.

    Once redeemed it is also the network's record of the impersonated session it started
    (the session itself lives in the site's own schema): until `ended_at` is set the
    session is running, and its end has not been recorded yet."""

    admin = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="switch_grants"
    )
    # SET_NULL, not CASCADE: a site deleted by any path leaves the grant behind, so the end
    # of a session still running on it gets recorded (switch_prune).
    site = models.ForeignKey(
        "sites.Site", on_delete=models.SET_NULL, null=True, related_name="switch_grants"
    )
    secret_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    redeemed_at = models.DateTimeField(null=True, blank=True)
    created_ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    session_expires_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)
    # View as: the session it starts may look at everything and change nothing.
    read_only = models.BooleanField(default=False)

    objects = SwitchGrantQuerySet.as_manager()

    class Meta:
        # The model moved here from `sites`; its table kept the name it was created with.
        db_table = "sites_switchgrant"
        indexes = [
            models.Index(
                fields=["site"],
                condition=models.Q(session_expires_at__isnull=False, ended_at__isnull=True),
                name="switchgrant_running_by_site",
            ),
        ]

    def __str__(self) -> str:
        names = {"admin": self.admin, "customer": self.customer, "site": self.site}
        return gettext("%(admin)s as %(customer)s on %(site)s") % names

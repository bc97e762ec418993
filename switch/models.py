from __future__ import annotations

from django.conf import settings
from django.db import models


class SwitchGrant(models.Model):
    """A single-use, short-lived permission for one admin to act as one customer on one
    site. Only a hash of the secret is stored."""

    admin = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="switch_grants"
    )
    site = models.ForeignKey("sites.Site", on_delete=models.CASCADE, related_name="switch_grants")
    secret_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    redeemed_at = models.DateTimeField(null=True, blank=True)
    created_ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # The model moved here from `sites`; its table kept the name it was created with.
        db_table = "sites_switchgrant"

    def __str__(self) -> str:
        return f"{self.admin} as {self.customer} on {self.site}"

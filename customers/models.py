from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Concat, Upper
from django.urls import reverse
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


class User(AbstractUser):
    """The network-wide login account. Customers and super admins alike."""

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        indexes = [
            GinIndex(OpClass(search_expression(), name="gin_trgm_ops"), name="user_search_trgm"),
            models.Index(Upper("email"), name="user_email_upper"),
        ]
        permissions = [("network_admin", "Can administer the network (super admin)")]

    @property
    def is_network_admin(self) -> bool:
        return self.is_active and self.is_staff and self.has_perm("customers.network_admin")

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class Customer(models.Model):
    class EmailVerification(models.TextChoices):
        NONE = "none", "None"
        PENDING = "pending", "Pending"
        VERIFIED = "verified", "Verified"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="customer"
    )
    vip = models.BooleanField("VIP", default=False)
    email_verification = models.CharField(
        max_length=10, choices=EmailVerification.choices, default=EmailVerification.NONE
    )
    company_name = models.CharField(max_length=200, blank=True)
    billing_email = models.EmailField(blank=True)
    address_line_1 = models.CharField(max_length=200, blank=True)
    address_line_2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField("state / province", max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = CountryField(blank=True)
    # Denormalised from LoginRecord so that the list sorts and filters on one indexed column.
    last_login_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(
                models.F("last_login_at").desc(nulls_last=True), "id", name="cust_last_login"
            ),
            models.Index(fields=["-created_at", "id"], name="cust_created"),
            models.Index(fields=["last_seen_at"], name="cust_last_seen"),
            models.Index(fields=["vip"], name="cust_vip", condition=models.Q(vip=True)),
            models.Index(fields=["email_verification"], name="cust_email_verif"),
        ]

    def __str__(self) -> str:
        return f"{self.user.display_name} <{self.user.email}>"

    def get_absolute_url(self) -> str:
        return reverse("customers:detail", args=[self.pk])


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

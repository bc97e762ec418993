from __future__ import annotations

from django.conf import settings
from django.db import models


class Event(models.Model):
    """Append-only record of something that happened to a customer or one of its objects.

    `customer_ref` and the copied labels survive the customer's deletion; the foreign
    keys are conveniences that become NULL when their row goes.
    """

    class Type(models.TextChoices):
        CUSTOMER_CREATED = "customer.created", "Customer created"
        CUSTOMER_UPDATED = "customer.updated", "Customer updated"
        VIP_CHANGED = "customer.vip", "VIP changed"
        BILLING_CHANGED = "customer.billing", "Billing info changed"
        EMAIL_VERIFICATION = "customer.email_verification", "Email verification changed"
        EMAIL_SENT = "customer.email_sent", "Email sent"
        EMAIL_FAILED = "customer.email_failed", "Email not sent"
        CUSTOMER_DELETED = "customer.deleted", "Customer deleted"
        CUSTOMER_EXPORTED = "customer.exported", "Customer exported"
        NOTE_ADDED = "customer.note_added", "Note added"
        NOTE_CHANGED = "customer.note_changed", "Note changed"
        NOTE_DELETED = "customer.note_deleted", "Note deleted"
        LOGIN = "customer.login", "Logged in"
        LOGIN_LOCKED = "customer.login_locked", "Login locked out"
        LOGIN_UNLOCKED = "customer.login_unlocked", "Login lockout cleared"
        SWITCH_TO = "switch.start", "Switched to"
        SWITCH_BACK = "switch.end", "Switched back"
        VIEW_AS = "switch.view_as", "Viewed as (read-only)"
        VIEW_AS_END = "switch.view_as_end", "Stopped viewing as"
        MEMBERSHIP_CREATED = "membership.created", "Membership created"
        MEMBERSHIP_UPDATED = "membership.updated", "Membership updated"
        MEMBERSHIP_STATUS = "membership.status", "Membership status changed"
        MEMBERSHIP_REASSIGNED = "membership.reassigned", "Membership reassigned"
        MEMBERSHIP_PRODUCTS = "membership.products", "Membership products changed"
        PAYMENT_CREATED = "payment.created", "Payment created"
        PAYMENT_UPDATED = "payment.updated", "Payment updated"
        PAYMENT_STATUS = "payment.status", "Payment status changed"
        PAYMENT_REFUNDED = "payment.refunded", "Payment refunded"
        INVOICE_GENERATED = "payment.invoice", "Invoice generated"
        SITE_CREATED = "site.created", "Site created"
        SITE_UPDATED = "site.updated", "Site updated"
        SITE_DELETED = "site.deleted", "Site deleted"
        SITE_DOMAINS = "site.domains", "Site domains changed"
        SITE_SETTINGS = "site.settings", "Site settings changed"
        DOMAIN_REQUESTED = "site.domain_requested", "Domain requested"
        TEAM_CHANGED = "site.team", "Site team changed"
        PASSWORD_CHANGED = "customer.password", "Password changed"

    type = models.CharField(max_length=40, choices=Type.choices)
    message = models.CharField(max_length=500)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
    )
    customer_ref = models.BigIntegerField(null=True, blank=True)
    customer_label = models.CharField(max_length=300, blank=True)
    subject_type = models.CharField(max_length=30, blank=True)
    subject_id = models.BigIntegerField(null=True, blank=True)
    old = models.JSONField(null=True, blank=True)
    new = models.JSONField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(max_length=300, blank=True, help_text="Empty for the system.")
    impersonator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Copied like actor_label, so "by <admin> as <customer>" survives the admin's deletion.
    impersonator_label = models.CharField(max_length=300, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["customer_ref", "-created_at"], name="event_customer"),
            models.Index(fields=["type", "-created_at"], name="event_type"),
            models.Index(fields=["-created_at"], name="event_time"),
            models.Index(fields=["subject_type", "subject_id"], name="event_subject"),
        ]

    def __str__(self) -> str:
        return self.message

    @property
    def by_system(self) -> bool:
        return not self.actor_label

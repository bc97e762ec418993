from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """Append-only record of something that happened to a customer or one of its objects.

    `customer_ref` and the copied labels survive the customer's deletion; the foreign
    keys are conveniences that become NULL when their row goes.
    """

    class Type(models.TextChoices):
        CUSTOMER_CREATED = "customer.created", _("Customer created")
        CUSTOMER_UPDATED = "customer.updated", _("Customer updated")
        VIP_CHANGED = "customer.vip", _("VIP changed")
        BILLING_CHANGED = "customer.billing", _("Billing info changed")
        EMAIL_VERIFICATION = "customer.email_verification", _("Email verification changed")
        EMAIL_SENT = "customer.email_sent", _("Email sent")
        EMAIL_FAILED = "customer.email_failed", _("Email not sent")
        CUSTOMER_DELETED = "customer.deleted", _("Customer deleted")
        CUSTOMER_EXPORTED = "customer.exported", _("Customer exported")
        NOTE_ADDED = "customer.note_added", _("Note added")
        NOTE_CHANGED = "customer.note_changed", _("Note changed")
        NOTE_DELETED = "customer.note_deleted", _("Note deleted")
        LOGIN = "customer.login", _("Logged in")
        LOGIN_LOCKED = "customer.login_locked", _("Login locked out")
        LOGIN_UNLOCKED = "customer.login_unlocked", _("Login lockout cleared")
        SWITCH_TO = "switch.start", _("Switched to")
        SWITCH_BACK = "switch.end", _("Switched back")
        VIEW_AS = "switch.view_as", _("Viewed as (read-only)")
        VIEW_AS_END = "switch.view_as_end", _("Stopped viewing as")
        MEMBERSHIP_CREATED = "membership.created", _("Membership created")
        MEMBERSHIP_UPDATED = "membership.updated", _("Membership updated")
        MEMBERSHIP_STATUS = "membership.status", _("Membership status changed")
        MEMBERSHIP_REASSIGNED = "membership.reassigned", _("Membership reassigned")
        MEMBERSHIP_PRODUCTS = "membership.products", _("Membership products changed")
        PAYMENT_CREATED = "payment.created", _("Payment created")
        PAYMENT_UPDATED = "payment.updated", _("Payment updated")
        PAYMENT_STATUS = "payment.status", _("Payment status changed")
        PAYMENT_REFUNDED = "payment.refunded", _("Payment refunded")
        INVOICE_GENERATED = "payment.invoice", _("Invoice generated")
        SITE_CREATED = "site.created", _("Site created")
        SITE_UPDATED = "site.updated", _("Site updated")
        SITE_DELETED = "site.deleted", _("Site deleted")
        SITE_DOMAINS = "site.domains", _("Site domains changed")
        SITE_SETTINGS = "site.settings", _("Site settings changed")
        DOMAIN_REQUESTED = "site.domain_requested", _("Domain requested")
        TEAM_CHANGED = "site.team", _("Site team changed")
        PASSWORD_CHANGED = "customer.password", _("Password changed")

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
    actor_label = models.CharField(max_length=300, blank=True, help_text=_("Empty for the system."))
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

    def get_type_display(self) -> str:
        """The type's label. Django's own builds a dict of every type's label, each one
        translated, on each call: 0.2 ms, ten times a customer page."""
        try:
            return str(self.Type(self.type).label)
        except ValueError:
            return self.type

    @property
    def by_system(self) -> bool:
        return not self.actor_label

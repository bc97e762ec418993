from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembershipsConfig(AppConfig):
    name = "memberships"
    verbose_name = _("Memberships")

    def ready(self) -> None:
        from customers.signals import email_verified
        from memberships.services import memberships_activate_pending

        # Imported here because models must be loaded first (Django's app registry);
        # both are module-level dependencies of memberships anyway.
        email_verified.connect(
            memberships_activate_pending, dispatch_uid="memberships_activate_pending"
        )

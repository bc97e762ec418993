from django.apps import AppConfig


class SwitchConfig(AppConfig):
    name = "switch"

    def ready(self) -> None:
        from memberships.signals import membership_reassigned
        from sites.signals import site_withdrawn
        from switch.services import (
            impersonations_end_on_membership,
            impersonations_end_on_site,
        )

        # Imported here because models must be loaded first (Django's app registry).
        # Sites and memberships can't import switch; they announce, switch ends sessions.
        site_withdrawn.connect(impersonations_end_on_site, dispatch_uid="switch_end_on_site")
        membership_reassigned.connect(
            impersonations_end_on_membership, dispatch_uid="switch_end_on_membership"
        )

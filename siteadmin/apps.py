from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteadminConfig(AppConfig):
    name = "siteadmin"
    verbose_name = _("Site administration (each site's own schema)")

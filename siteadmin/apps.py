from django.apps import AppConfig


class SiteadminConfig(AppConfig):
    name = "siteadmin"
    verbose_name = "Site administration (each site's own schema)"

from django.apps import AppConfig


class SwitchConfig(AppConfig):
    name = "switch"

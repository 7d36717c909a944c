from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "taolun.org"
    label = "org"

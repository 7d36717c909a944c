from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "taolun.core"
    label = "core"

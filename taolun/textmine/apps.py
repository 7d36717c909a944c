from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TextmineConfig(AppConfig):
    name = "taolun.textmine"
    label = "textmine"
    verbose_name = _("Text intelligence")

    def ready(self) -> None:
        from taolun.textmine import signals

        signals.connect()

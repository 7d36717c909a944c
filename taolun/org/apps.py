from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "taolun.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from taolun.org import signals  # noqa: F401  (keeps the second-factor flag in step)

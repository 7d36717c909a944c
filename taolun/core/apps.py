from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "taolun.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from taolun.core import (
            audit_events,  # noqa: F401  (connects the sign-in receivers)
            signed_ids,
        )

        # Before any URLconf is imported: the sensitive objects' patterns use these.
        signed_ids.register()

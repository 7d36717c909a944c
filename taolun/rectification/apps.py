from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RectificationConfig(AppConfig):
    name = "taolun.rectification"
    label = "rectification"
    verbose_name = _("Problem list and rectification ledger")

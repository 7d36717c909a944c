"""The token form: it parses input; ``api.tokens`` decides what is allowed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from taolun.core.forms import ServiceErrorsMixin


class TokenForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(
        label=pgettext_lazy("API token", "Name"),
        max_length=80,
        help_text=_("The program that will use it, e.g. “provincial platform”."),
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        help_text=_("Optional. The token stops working after this day."),
        widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}, format="%Y-%m-%d"),
    )

"""What every form that calls a service shares."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the fields it names; the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


class ServiceErrorsMixin:
    """Forms whose input a service checks: its errors land on the fields they name."""

    def apply_errors(self, error: ValidationError) -> None:
        add_service_errors(self, error)

    def note_lost_file(self, name: str = "upload") -> None:
        """Browsers never send files back: tell the user to choose them again."""
        if self.errors and self.files.getlist(self.add_prefix(name)):
            self.add_error(
                name,
                gettext("Files are not kept when the form has errors: please choose it again."),
            )


class DateRangeMixin:
    """Filter forms with ``date_from`` and ``date_to``: the end may not come before the start."""

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", gettext("The end of the range is before its start."))
        return data

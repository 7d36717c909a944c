"""Forms of the privacy pages: they parse input; ``sensitive`` decides what is allowed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from taolun.core.forms import ServiceErrorsMixin
from taolun.org.models import DisabilityCategory, DisabilityRecord, Unit

MAX_ACCOMMODATIONS = 2000


def grade_choices() -> list[tuple[str, str]]:
    """Built when the form is, in the reader's language."""
    grades = [(str(n), gettext("Grade %(grade)s") % {"grade": n}) for n in (1, 2, 3, 4)]
    return [("", gettext("No grade")), *grades]


class DisabilityRecordForm(ServiceErrorsMixin, forms.Form):
    category = forms.ChoiceField(
        label=_("Category of disability"),
        choices=[("", _("Choose a category")), *DisabilityCategory.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    grade = forms.TypedChoiceField(
        label=_("Grade"),
        choices=grade_choices,
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("As on the certificate: grade 1 is the most severe."),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    certificate_number = forms.CharField(
        label=_("Certificate number"),
        max_length=30,
        required=False,
        help_text=_(
            "The 20 characters on the disability certificate (残疾人证); it may be left out."
        ),
        widget=forms.TextInput(
            attrs={"class": "form-control", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    accommodations = forms.CharField(
        label=_("Support needed to take part"),
        max_length=MAX_ACCOMMODATIONS,
        required=False,
        help_text=_(
            "What meetings and study should provide, e.g. a sign-language interpreter, "
            "large print, a room without steps, documents a screen reader can read."
        ),
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 4}),
    )

    @classmethod
    def for_record(cls, record: DisabilityRecord | None, data=None) -> DisabilityRecordForm:
        if record is None:
            return cls(data)
        initial = {
            "category": record.category,
            "grade": str(record.grade) if record.grade else "",
            "certificate_number": record.certificate_number,
            "accommodations": record.accommodations,
        }
        return cls(data, initial=initial)


class RecordsFilterForm(forms.Form):
    """The office's list: which of its units (usually it has one), and a name to look for."""

    unit = forms.ChoiceField(label=_("Unit"), widget=forms.Select(attrs={"class": "form-select"}))
    name = forms.CharField(
        label=_("Name or user name"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control", "type": "search"}),
    )

    def __init__(self, *args, units: list[Unit], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.units = {u.slug: u for u in units}
        self.fields["unit"].choices = [(u.slug, u.name) for u in units]

    def clean_unit(self) -> Unit:
        return self.units[self.cleaned_data["unit"]]


class FindPersonForm(forms.Form):
    """The office names a person of its units to record what they told it."""

    username = forms.CharField(
        label=_("User name of the person"),
        max_length=150,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )

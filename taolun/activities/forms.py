"""Forms for activity records: they parse input; the services decide what is allowed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from taolun.activities.models import RecordStatus
from taolun.core import clock
from taolun.core.forms import ServiceErrorsMixin
from taolun.core.uploads import ALLOWED_KINDS
from taolun.org.models import Unit, User
from taolun.org.selectors import people_for_user

ACCEPT = ",".join(f".{ext}" for ext in [*ALLOWED_KINDS, "jpeg"])


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that takes several files and cleans to a list (possibly empty)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class RecordForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    held_on = forms.DateField(
        label=_("Date carried out"),
        widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}, format="%Y-%m-%d"),
    )
    place = forms.CharField(
        label=_("Place"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    participant_count = forms.IntegerField(
        label=_("Number of participants"),
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
    )
    participants = forms.ModelMultipleChoiceField(
        label=_("Named participants"),
        required=False,
        queryset=User.objects.none(),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several people."),
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": "8"}),
    )
    content = forms.CharField(
        label=_("Content"),
        required=False,
        help_text=_(
            "What was done and said. Paragraphs, lists and bold text are kept; "
            "anything else is removed."
        ),
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 10}),
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_(
            "Images (JPEG, PNG, GIF, WebP), PDF and Office documents; you may choose several files."
        ),
        widget=MultipleFileInput(attrs={"class": "form-control", "accept": ACCEPT}),
    )

    def __init__(self, *args, user: User, unit: Unit, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["held_on"].initial = clock.today
        self.fields["participants"].queryset = (
            people_for_user(user).filter(unit__path__startswith=unit.path).order_by("name", "pk")
        )

    def note_lost_files(self) -> None:
        """Browsers never send files back: tell the user to choose them again."""
        if self.files.getlist(self.add_prefix("attachments")):
            self.add_error(
                "attachments",
                _("Files are not kept when the form has errors: please choose your files again."),
            )

    def record_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "held_on": data["held_on"],
            "place": data["place"],
            "participant_count": data["participant_count"],
            "content": data["content"],
        }


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Review comment"),
        required=False,
        help_text=_("Required when you return the record: say what must change."),
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 4}),
    )


class RecordFilterForm(forms.Form):
    """Filters of the record list; every field optional, unknown values are errors."""

    campaign = forms.ChoiceField(
        label=_("Campaign"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    unit = forms.CharField(
        label=_("Unit code"),
        required=False,
        max_length=60,
        help_text=_("Records of this unit and the units below it."),
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *RecordStatus.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    action = forms.TypedChoiceField(
        label=_("Action"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(
        self, *args, campaigns: list[tuple[str, str]], actions: list[tuple[int, str]], **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = [("", _("All campaigns")), *campaigns]
        self.fields["action"].choices = [("", _("All actions")), *actions]

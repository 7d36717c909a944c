"""Forms for meetings: they parse input; the meeting services decide what is allowed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from taolun.activities.forms import ACCEPT, MultipleFileField, MultipleFileInput
from taolun.activities.models import (
    Meeting,
    MeetingKind,
    PreparationStep,
    StatementKind,
)
from taolun.campaigns.models import Action
from taolun.core.forms import ServiceErrorsMixin
from taolun.org.models import Unit, User
from taolun.study.models import StudyMaterial

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
DATE = forms.DateInput(attrs={"class": "form-control", "type": "date"}, format="%Y-%m-%d")
RICH_HELP = _("Paragraphs, lists and bold text are kept; anything else is removed.")
FILE_HELP = _("An image (JPEG, PNG, GIF, WebP), a PDF or an Office document.")


def _person_label(person: User) -> str:
    return person.name or person.username


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return _person_label(obj)


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return _person_label(obj)


class MeetingForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ModelChoiceField(
        label=_("Kind of meeting"), queryset=MeetingKind.objects.none(), widget=forms.Select(SELECT)
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.none(), widget=forms.Select(SELECT)
    )
    action = forms.ModelChoiceField(
        label=_("Action it carries out"),
        queryset=Action.objects.none(),
        help_text=_("The meeting is the activity record of this action."),
        widget=forms.Select(SELECT),
    )
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(TEXT))
    held_on = forms.DateField(label=_("Date held"), widget=DATE)
    place = forms.CharField(
        label=_("Place"), max_length=200, required=False, widget=forms.TextInput(TEXT)
    )
    chair = PersonChoiceField(
        label=_("Chair"),
        required=False,
        queryset=User.objects.none(),
        widget=forms.Select(SELECT),
    )
    theme = forms.CharField(
        label=_("Theme of the meeting"),
        max_length=200,
        required=False,
        widget=forms.TextInput(TEXT),
    )
    duration_minutes = forms.IntegerField(
        label=_("Length (minutes)"),
        required=False,
        min_value=1,
        max_value=32767,
        widget=forms.NumberInput({"class": "form-control", "inputmode": "numeric"}),
    )
    attendees_note = forms.CharField(
        label=_("Attendees as described"),
        max_length=300,
        required=False,
        help_text=_("Who attended, in words (e.g. all members of the leading group)."),
        widget=forms.TextInput(TEXT),
    )
    agenda = forms.CharField(
        label=_("Agenda"),
        required=False,
        help_text=RICH_HELP,
        widget=forms.Textarea({"class": "form-control", "rows": 4}),
    )
    minutes = forms.CharField(
        label=_("Minutes"),
        required=False,
        help_text=RICH_HELP,
        widget=forms.Textarea({"class": "form-control", "rows": 10}),
    )
    reported_up_on = forms.DateField(
        label=_("Plan reported to the higher body on"), required=False, widget=DATE
    )
    previous = forms.ModelChoiceField(
        label=_("Previous round"),
        required=False,
        queryset=Meeting.objects.none(),
        help_text=_("Last round's meeting, whose rectification is reviewed first."),
        widget=forms.Select(SELECT),
    )
    materials = forms.ModelMultipleChoiceField(
        label=_("Materials studied"),
        required=False,
        queryset=StudyMaterial.objects.none(),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several materials."),
        widget=forms.SelectMultiple({"class": "form-select", "size": "6"}),
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("Photos, the sign-in sheet, the minutes as a document; several files allowed."),
        widget=MultipleFileInput({"class": "form-control", "accept": ACCEPT}),
    )

    def __init__(
        self,
        *args,
        kinds,
        units,
        actions,
        people,
        previous,
        materials,
        editing: bool = False,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = kinds
        self.fields["unit"].queryset = units
        self.fields["action"].queryset = actions
        self.fields["chair"].queryset = people
        self.fields["previous"].queryset = previous
        self.fields["materials"].queryset = materials
        if editing:
            # Kind, unit and action define the record; they are fixed once it exists.
            for name in ("kind", "unit", "action"):
                del self.fields[name]

    def meeting_fields(self) -> dict:
        data = self.cleaned_data
        names = (
            "title",
            "held_on",
            "place",
            "chair",
            "theme",
            "agenda",
            "attendees_note",
            "minutes",
            "duration_minutes",
            "reported_up_on",
            "previous",
        )
        return {name: data[name] for name in names}


class AttendanceForm(ServiceErrorsMixin, forms.Form):
    """One row per person who could attend: present, absent (with the reason) or not listed."""

    PRESENT, ABSENT = "present", "absent"

    def __init__(self, *args, people: list[User], attendances, **kwargs) -> None:
        kwargs.setdefault("initial", {})
        for a in attendances:
            kwargs["initial"][f"p{a.person_id}"] = self.PRESENT if a.present else self.ABSENT
            kwargs["initial"][f"r{a.person_id}"] = a.absence_reason
        super().__init__(*args, **kwargs)
        self.people = people
        for person in people:
            name = _person_label(person)
            self.fields[f"p{person.pk}"] = forms.ChoiceField(
                label=gettext("Attendance of %(name)s") % {"name": name},
                required=False,
                choices=[
                    ("", _("Not listed")),
                    (self.PRESENT, _("Present")),
                    (self.ABSENT, _("Absent")),
                ],
                widget=forms.Select({"class": "form-select form-select-sm"}),
            )
            self.fields[f"r{person.pk}"] = forms.CharField(
                label=gettext("Reason %(name)s was absent") % {"name": name},
                required=False,
                max_length=200,
                widget=forms.TextInput({"class": "form-control form-control-sm"}),
            )

    def rows(self) -> list[tuple[User, forms.BoundField, forms.BoundField]]:
        return [(p, self[f"p{p.pk}"], self[f"r{p.pk}"]) for p in self.people]

    def clean(self) -> dict:
        data = super().clean()
        for person in self.people:
            if (
                data.get(f"p{person.pk}") == self.ABSENT
                and not data.get(f"r{person.pk}", "").strip()
            ):
                self.add_error(
                    f"r{person.pk}",
                    gettext("Give the reason why %(name)s was absent.")
                    % {"name": _person_label(person)},
                )
        return data

    def shown(self) -> list[User]:
        """The people whose row was sent: only their attendance is changed by saving.

        A row added to the page since it was loaded (someone else recorded them) was not
        in the form the user saw, so it is left as it is.
        """
        return [p for p in self.people if self.add_prefix(f"p{p.pk}") in self.data]

    def present(self) -> list[User]:
        return [p for p in self.people if self.cleaned_data.get(f"p{p.pk}") == self.PRESENT]

    def absent(self) -> list[tuple[User, str]]:
        return [
            (p, self.cleaned_data.get(f"r{p.pk}", ""))
            for p in self.people
            if self.cleaned_data.get(f"p{p.pk}") == self.ABSENT
        ]


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.display_name


class AttendanceUnitForm(forms.Form):
    """Which unit's people the attendance page lists, besides those already recorded."""

    unit = UnitChoiceField(
        label=_("Unit whose people are listed"),
        queryset=Unit.objects.none(),
        to_field_name="slug",
        empty_label=None,
        help_text=_(
            "People already recorded are always listed. Save the attendance first: "
            "changes not saved are lost when another unit's people are shown."
        ),
        widget=forms.Select(SELECT),
    )

    def __init__(self, *args, units, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class StatementForm(ServiceErrorsMixin, forms.Form):
    order = forms.IntegerField(
        label=_("Order"),
        required=False,
        min_value=0,
        max_value=32767,
        help_text=_("Statements are shown in this order; a new one without a number goes last."),
        widget=forms.NumberInput({"class": "form-control", "inputmode": "numeric"}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=StatementKind.choices, widget=forms.Select(SELECT)
    )
    speaker = PersonChoiceField(
        label=_("Speaker"),
        required=False,
        queryset=User.objects.none(),
        widget=forms.Select(SELECT),
    )
    speaker_title = forms.CharField(
        label=_("Speaker's post"),
        max_length=200,
        required=False,
        help_text=_("The speaker's post as the minutes give it; enough alone when unnamed."),
        widget=forms.TextInput(TEXT),
    )
    about = PersonChoiceField(
        label=_("Addressed to"),
        required=False,
        queryset=User.objects.none(),
        help_text=_("For criticism: whom it was addressed to (the speaker for self-criticism)."),
        widget=forms.Select(SELECT),
    )
    title = forms.CharField(
        label=_("Title"), max_length=200, required=False, widget=forms.TextInput(TEXT)
    )
    text = forms.CharField(
        label=_("Text"),
        required=False,
        help_text=RICH_HELP,
        widget=forms.Textarea({"class": "form-control", "rows": 10}),
    )
    upload = forms.FileField(
        label=_("File"),
        required=False,
        help_text=FILE_HELP,
        widget=forms.ClearableFileInput({"class": "form-control", "accept": ACCEPT}),
    )
    remove_file = forms.BooleanField(
        label=_("Remove the attached file"),
        required=False,
        widget=forms.CheckboxInput({"class": "form-check-input"}),
    )

    def __init__(self, *args, people, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["speaker"].queryset = people
        self.fields["about"].queryset = people

    def statement_fields(self) -> dict:
        names = ("kind", "speaker", "speaker_title", "about", "title", "text")
        return {name: self.cleaned_data[name] for name in names}


class StepForm(ServiceErrorsMixin, forms.Form):
    step = forms.ChoiceField(
        label=_("Step"), choices=PreparationStep.choices, widget=forms.Select(SELECT)
    )
    done_on = forms.DateField(label=_("Done on"), widget=DATE)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea({"class": "form-control", "rows": 2}),
    )


class TalkForm(ServiceErrorsMixin, forms.Form):
    person = PersonChoiceField(
        label=_("Person"), queryset=User.objects.none(), widget=forms.Select(SELECT)
    )
    other = PersonChoiceField(
        label=_("Talked with"), queryset=User.objects.none(), widget=forms.Select(SELECT)
    )
    held_on = forms.DateField(label=_("Held on"), widget=DATE)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea({"class": "form-control", "rows": 2}),
    )

    def __init__(self, *args, people, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["other"].queryset = people


class CheckMaterialForm(ServiceErrorsMixin, forms.Form):
    body = forms.CharField(
        label=_("Comparison-and-check material"),
        required=False,
        help_text=RICH_HELP,
        widget=forms.Textarea({"class": "form-control", "rows": 16}),
    )
    upload = forms.FileField(
        label=_("File"),
        required=False,
        help_text=FILE_HELP,
        widget=forms.ClearableFileInput({"class": "form-control", "accept": ACCEPT}),
    )


class MeetingFilterForm(forms.Form):
    kind = forms.ModelChoiceField(
        label=_("Kind of meeting"),
        required=False,
        queryset=MeetingKind.objects.none(),
        to_field_name="code",
        empty_label=_("All kinds"),
        widget=forms.Select(SELECT),
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        required=False,
        queryset=Unit.objects.none(),
        to_field_name="slug",
        empty_label=_("All units"),
        help_text=_("Meetings of this unit and the units below it."),
        widget=forms.Select(SELECT),
    )

    def __init__(self, *args, kinds, units, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = kinds
        self.fields["unit"].queryset = units

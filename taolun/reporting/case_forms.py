"""Forms for typical cases: they parse input; ``reporting.cases`` decides what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from taolun.campaigns.models import Campaign, Theme
from taolun.core.forms import ServiceErrorsMixin
from taolun.org.models import Unit, User
from taolun.reporting.models import CaseKind, CaseState

IMAGE_ACCEPT = ".jpg,.jpeg,.png,.gif,.webp"
RICH_HELP = _("Paragraphs, lists, links and bold text are kept; anything else is removed.")
_SELECT = {"class": "form-select"}
_TEXT = {"class": "form-control"}


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.display_name


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.name or obj.username}（{obj.unit.display_name}）" if obj.unit else obj.name


class ThemeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Theme) -> str:
        return f"{obj.number}. {obj.break_with}"


class CaseForm(ServiceErrorsMixin, forms.Form):
    unit = UnitChoiceField(
        label=_("Nominating unit"),
        queryset=Unit.objects.none(),
        widget=forms.Select(_SELECT),
    )
    kind = forms.ChoiceField(
        label=_("What is nominated"),
        choices=CaseKind.choices,
        widget=forms.Select(_SELECT),
    )
    person = PersonChoiceField(
        label=_("Person"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Not chosen (give the name below)"),
        help_text=_("For a person: choose them from the unit's people, or type the name below."),
        widget=forms.Select(_SELECT),
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        required=False,
        help_text=_("The person's, unit's or practice's name, as it will be printed."),
        widget=forms.TextInput({**_TEXT, "autocomplete": "off"}),
    )
    summary = forms.CharField(
        label=_("In one sentence"),
        max_length=200,
        required=False,
        widget=forms.TextInput(_TEXT),
    )
    theme = ThemeChoiceField(
        label=_("Theme"),
        queryset=Theme.objects.none(),
        required=False,
        empty_label=_("No particular theme"),
        widget=forms.Select(_SELECT),
    )
    story = forms.CharField(
        label=_("Story"),
        required=False,
        help_text=RICH_HELP,
        widget=forms.Textarea({**_TEXT, "rows": 12}),
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_("One image: JPEG, PNG, GIF or WebP."),
        widget=forms.ClearableFileInput({**_TEXT, "accept": IMAGE_ACCEPT}),
    )
    remove_photo = forms.BooleanField(
        label=_("Remove the photo"),
        required=False,
        widget=forms.CheckboxInput({"class": "form-check-input"}),
    )

    def __init__(
        self,
        *args: Any,
        campaign: Campaign,
        units: QuerySet[Unit],
        people: QuerySet[User],
        has_photo: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["person"].queryset = people.select_related("unit")
        self.fields["theme"].queryset = campaign.themes.order_by("number")
        if not has_photo:
            del self.fields["remove_photo"]

    def case_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {n: data[n] for n in ("kind", "name", "person", "theme", "summary", "story")}


class DecideForm(ServiceErrorsMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("approve", _("Approve as a typical case")),
            ("return", _("Return with comments")),
        ],
        widget=forms.RadioSelect({"class": "form-check-input"}),
    )
    comment = forms.CharField(
        label=_("Comments"),
        required=False,
        help_text=_("Required when you return the case: say what should change."),
        widget=forms.Textarea({**_TEXT, "rows": 4}),
    )


class CaseFilterForm(forms.Form):
    """The list's filters from the query string; a stale value is dropped, not refused."""

    kind = forms.ChoiceField(
        label=_("What is nominated"),
        choices=[("", _("Any")), *CaseKind.choices],
        required=False,
        widget=forms.Select(_SELECT),
    )
    state = forms.ChoiceField(
        label=_("State"),
        choices=[("", _("Any")), *CaseState.choices],
        required=False,
        widget=forms.Select(_SELECT),
    )
    unit = UnitChoiceField(
        label=_("Unit (with its subunits)"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("Any"),
        widget=forms.Select(_SELECT),
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def filters(self) -> dict[str, Any]:
        if not self.is_bound:
            return {"kind": "", "state": "", "unit": None}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "kind": data.get("kind", ""),
            "state": data.get("state", ""),
            "unit": data.get("unit"),
        }

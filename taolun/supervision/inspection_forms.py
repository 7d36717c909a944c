"""Forms of the inspection pages: they parse input; the services decide what is allowed.

A province holds 100,000 units, so a unit is chosen from a list only while the list is
short (``CHOICE_LIMIT``); beyond that the field takes the unit's code, suggested as one
types (a datalist), and an unknown code is an error that names the field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from taolun.campaigns.models import Campaign
from taolun.core.forms import ServiceErrorsMixin
from taolun.org.models import Unit, User
from taolun.supervision.inspections import CHOICE_LIMIT
from taolun.supervision.models import Finding, FindingKind, Inspection

_TEXT = {"class": "form-control"}
_SELECT = {"class": "form-select"}
RICH_HELP = _("Paragraphs, lists and bold text are kept; anything else is removed.")


def _date(label: str, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={**_TEXT, "type": "date"}, format="%Y-%m-%d"),
        **kwargs,
    )


class UnitField(forms.CharField):
    """A unit named by its code: a select for a short list, a suggesting text box otherwise."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units: QuerySet[Unit] = Unit.objects.none()
        self.suggestions: list[Unit] = []
        self.long = False

    def set_units(self, units: QuerySet[Unit], *, blank_label: str = "—") -> None:
        self.units = units
        listed = list(units.select_related("kind")[: CHOICE_LIMIT + 1])
        self.long = len(listed) > CHOICE_LIMIT
        self.suggestions = listed[:CHOICE_LIMIT]
        top = min((u.depth for u in listed), default=1)
        if self.long:
            self.widget = forms.TextInput(
                attrs={**_TEXT, "list": "", "autocomplete": "off", "spellcheck": "false"}
            )
            if not self.help_text:
                self.help_text = _("Type the unit's code; suggestions appear as you type.")
        else:
            choices = [] if self.required else [("", blank_label)]
            choices += [(u.slug, "\u3000" * (u.depth - top) + u.name) for u in listed]
            self.widget = forms.Select(attrs=_SELECT, choices=choices)

    def clean(self, value: Any) -> Unit | None:
        code = super().clean(value)
        if not code:
            return None
        unit = self.units.filter(slug=code.strip()).first()
        if unit is None:
            raise forms.ValidationError(
                _("No unit with the code “%(code)s” among the units you can choose here."),
                code="unknown_unit",
                params={"code": code},
            )
        return unit


def _datalist(form: forms.Form, name: str) -> None:
    field = form.fields[name]
    if isinstance(field, UnitField) and field.long:
        field.widget.attrs["list"] = f"{form.add_prefix(name)}-units"


class InspectionForm(ServiceErrorsMixin, forms.Form):
    unit = UnitField(label=_("Unit visited"))
    visited_on = _date(_("Visited on"))
    team_name = forms.CharField(
        label=_("Team"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs=_TEXT),
        help_text=_("For example: the second supervision team."),
    )
    members = forms.ModelMultipleChoiceField(
        label=_("Members on the platform"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    other_members = forms.CharField(
        label=_("Other members"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs=_TEXT),
        help_text=_("Names of members who are not on the platform."),
    )
    checked = forms.CharField(
        label=_("What was checked"),
        help_text=RICH_HELP,
        error_messages={"required": _("Say what was checked.")},
        widget=forms.Textarea(attrs={**_TEXT, "rows": 5}),
    )
    summary = forms.CharField(
        label=_("Overall assessment"),
        required=False,
        help_text=RICH_HELP,
        widget=forms.Textarea(attrs={**_TEXT, "rows": 5}),
    )

    def __init__(
        self,
        *args: Any,
        units: QuerySet[Unit],
        people: QuerySet[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].set_units(units)
        _datalist(self, "unit")
        self.fields["members"].queryset = people
        self.fields["members"].label_from_instance = lambda u: (
            f"{u.name or u.username}（{u.unit.name}）" if u.unit_id else (u.name or u.username)
        )

    @staticmethod
    def initial_for(inspection: Inspection) -> dict[str, Any]:
        return {
            "unit": inspection.unit.slug,
            "visited_on": inspection.visited_on,
            "team_name": inspection.team_name,
            "members": [m.pk for m in inspection.members.all()],
            "other_members": inspection.other_members,
            "checked": inspection.checked,
            "summary": inspection.summary,
        }

    def inspection_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data[name] for name in self.fields}


class FindingForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=FindingKind.choices,
        initial=FindingKind.PROBLEM,
        widget=forms.Select(attrs=_SELECT),
    )
    text = forms.CharField(
        label=_("Finding"),
        help_text=RICH_HELP,
        error_messages={"required": _("Describe the finding.")},
        widget=forms.Textarea(attrs={**_TEXT, "rows": 4}),
    )
    unit = UnitField(
        label=_("Unit concerned"),
        required=False,
        help_text=_("Left empty: the unit visited."),
    )
    theme = forms.ModelChoiceField(
        label=_("Theme"),
        queryset=None,
        required=False,
        widget=forms.Select(attrs=_SELECT),
    )
    deduction = forms.DecimalField(
        label=_("Points deducted"),
        required=False,
        min_value=0,
        max_digits=6,
        decimal_places=2,
        help_text=_("Only for a problem found; left empty, the scoring scheme's default applies."),
        widget=forms.NumberInput(attrs={**_TEXT, "step": "0.5", "min": "0"}),
    )

    def __init__(
        self, *args: Any, inspection: Inspection, units: QuerySet[Unit], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].set_units(
            units, blank_label=str(_("The unit visited (%(unit)s)") % {"unit": inspection.unit})
        )
        _datalist(self, "unit")
        campaign: Campaign = inspection.campaign
        self.fields["theme"].queryset = campaign.themes.order_by("number")

    @staticmethod
    def initial_for(finding: Finding) -> dict[str, Any]:
        return {
            "kind": finding.kind,
            "text": finding.text,
            "unit": finding.unit.slug,
            "theme": finding.theme_id,
            "deduction": finding.deduction,
        }

    def finding_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data[name] for name in self.fields}


class InspectionFilterForm(forms.Form):
    under = UnitField(label=_("Unit (with its subunits)"), required=False)
    date_from = _date(_("Visited from"), required=False)
    date_to = _date(_("Visited until"), required=False)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["under"].set_units(units)
        _datalist(self, "under")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the range is before its start."))
        return data

    def filters(self) -> dict[str, Any]:
        """The valid filters; an invalid form filters nothing (its errors are shown)."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "under": data.get("under"),
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }

"""Forms for work targets: they parse input; the services decide what is allowed.

Numbers travel as text so the service's message ("Enter a number …") names the field
and what was typed stays in the box.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from taolun.core.forms import ServiceErrorsMixin
from taolun.org.models import Unit
from taolun.targets.models import Aggregation, Direction, PeriodKind
from taolun.targets.periods import Period

RICH_HELP = _("Paragraphs, lists, links and bold text are kept; anything else is removed.")
# Levels of units offered in a select below each unit the user reaches; deeper units are
# reached through the drill-down of the indicator page ("report for this unit").
UNIT_LEVELS = 3
DATE = {"class": "form-control", "type": "date"}


def _control(widget: type[forms.Widget] = forms.TextInput, **attrs) -> forms.Widget:
    css = "form-select" if widget is forms.Select else "form-control"
    return widget(attrs={"class": css, **attrs})


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return "\u3000" * max(obj.depth - 1, 0) + obj.name


def _units_below(paths: list[str], extra: Unit | None) -> forms.Field:
    """The choices: each path's unit and ``UNIT_LEVELS`` levels below, plus ``extra``."""
    steplen = Unit.steplen
    shown = Unit.objects.none()
    for p in paths:
        shown |= Unit.objects.filter(path__startswith=p, depth__lt=len(p) // steplen + UNIT_LEVELS)
    if extra is not None:
        shown |= Unit.objects.filter(pk=extra.pk)
    return shown.order_by("path")


class AreaForm(ServiceErrorsMixin, forms.Form):
    number = forms.IntegerField(
        label=_("Number"), min_value=1, max_value=32767, widget=_control(forms.NumberInput)
    )
    name = forms.CharField(label=_("Name"), max_length=200, widget=_control(autocomplete="off"))
    description = forms.CharField(
        label=_("Description"),
        required=False,
        help_text=RICH_HELP,
        widget=_control(forms.Textarea, rows=6),
    )


class IndicatorForm(ServiceErrorsMixin, forms.Form):
    number = forms.IntegerField(
        label=_("Number"), min_value=1, max_value=32767, widget=_control(forms.NumberInput)
    )
    name = forms.CharField(label=_("Name"), max_length=200, widget=_control(autocomplete="off"))
    measure = forms.CharField(
        label=_("Unit of measure"),
        max_length=40,
        required=False,
        help_text=_("e.g. persons, %, cases."),
        widget=_control(),
    )
    baseline = forms.CharField(
        label=_("Baseline"), max_length=30, widget=_control(inputmode="decimal")
    )
    target = forms.CharField(label=_("Target"), max_length=30, widget=_control(inputmode="decimal"))
    direction = forms.ChoiceField(
        label=_("Direction"), choices=Direction.choices, widget=_control(forms.Select)
    )
    aggregation = forms.ChoiceField(
        label=_("Rolled up as"),
        choices=Aggregation.choices,
        help_text=_("Counts add up; rates and shares are averaged over the units that reported."),
        widget=_control(forms.Select),
    )
    responsible_unit = UnitChoiceField(
        label=_("Responsible unit"),
        queryset=Unit.objects.none(),
        help_text=_("This unit and every unit below it report their own values."),
        widget=_control(forms.Select),
    )
    period = forms.ChoiceField(
        label=_("Reporting period"), choices=PeriodKind.choices, widget=_control(forms.Select)
    )
    starts_on = forms.DateField(
        label=_("Reported from"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label=_("Reported until"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )

    def __init__(self, *args, owner: Unit, current: Unit | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["responsible_unit"]
        # Any unit of the campaign's tree is accepted; the select offers its top levels.
        field.queryset = Unit.objects.filter(path__startswith=owner.path)
        field.widget.choices = [("", "---------")] + [
            (u.pk, field.label_from_instance(u)) for u in _units_below([owner.path], current)
        ]

    def indicator_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


class ReportForm(ServiceErrorsMixin, forms.Form):
    unit = UnitChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        help_text=_("The unit whose own value this is (not its units' below)."),
        widget=_control(forms.Select),
    )
    period_start = forms.CharField(label=_("Period"), widget=_control(forms.Select))
    value = forms.CharField(label=_("Value"), max_length=30, widget=_control(inputmode="decimal"))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        help_text=_("How the figure was reached, or what it leaves out."),
        widget=_control(forms.Textarea, rows=3),
    )

    def __init__(
        self,
        *args,
        paths: list[str],
        periods: list[Period],
        chosen: Unit | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        reach = Unit.objects.none()
        for p in paths:
            reach |= Unit.objects.filter(path__startswith=p)
        # Any unit in reach is accepted (one query to check); the select offers the top levels.
        field.queryset = reach
        field.widget.choices = [
            (u.pk, field.label_from_instance(u)) for u in _units_below(paths, chosen)
        ]
        self.fields["period_start"].widget.choices = [(p.key, p.label) for p in reversed(periods)]

    def clean_period_start(self) -> dt.date:
        """The period's first day; whether it is one of the indicator's and has begun is
        the service's question."""
        try:
            return dt.date.fromisoformat(self.cleaned_data["period_start"])
        except ValueError:
            raise forms.ValidationError(_("Choose one of the periods listed.")) from None

"""Forms of the counts pages: the month filter, quotas, points and publishing a table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from taolun.core.forms import ServiceErrorsMixin
from taolun.org.models import UnitKind
from taolun.reporting.models import BriefQuota, QuotaMeasure, QuotaPeriod
from taolun.reporting.stats import Level, QuotaSpec, quota_field


class MonthFilterForm(forms.Form):
    """Narrows the counts to one month of the campaign (empty: every month)."""

    month = forms.ChoiceField(label=_("Month"), required=False)

    def __init__(self, *args, months: Sequence[dt.date], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [
            ("", _("All months")),
            *((f"{m:%Y-%m}",) * 2 for m in months),
        ]
        self.fields["month"].widget.attrs["class"] = "form-select"
        self.months = list(months)

    def chosen(self) -> list[dt.date]:
        """The months to show: the one chosen, or all (an unknown month shows all)."""
        if self.is_valid() and self.cleaned_data["month"]:
            return [m for m in self.months if f"{m:%Y-%m}" == self.cleaned_data["month"]]
        return self.months


NO_QUOTA = ""


class QuotaForm(ServiceErrorsMixin, forms.Form):
    """One row per unit category: at least N briefs submitted and/or adopted per period."""

    def __init__(self, *args, kinds: Sequence[UnitKind], quotas: Sequence[BriefQuota], **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = list(kinds)
        current = {(q.unit_kind_id, q.measure): q for q in quotas}
        periods = [(NO_QUOTA, _("No quota")), *QuotaPeriod.choices]
        for kind in self.kinds:
            for measure, measure_label in QuotaMeasure.choices:
                quota = current.get((kind.pk, measure))
                period_name = quota_field(kind, measure, "period")
                count_name = quota_field(kind, measure, "count")
                self.fields[period_name] = forms.ChoiceField(
                    label=_("%(kind)s — %(measure)s: per")
                    % {"kind": kind.name, "measure": measure_label},
                    choices=periods,
                    required=False,
                    initial=quota.period if quota else NO_QUOTA,
                    widget=forms.Select(attrs={"class": "form-select"}),
                )
                self.fields[count_name] = forms.IntegerField(
                    label=_("%(kind)s — %(measure)s: at least")
                    % {"kind": kind.name, "measure": measure_label},
                    required=False,
                    initial=quota.count if quota else None,
                    widget=forms.NumberInput(attrs={"class": "form-control", "min": 1}),
                )

    def layout(self) -> list[tuple[UnitKind, list[tuple[str, forms.BoundField, forms.BoundField]]]]:
        """(kind, [(measure label, period field, count field), …]) for the template."""
        return [
            (
                kind,
                [
                    (
                        label,
                        self[quota_field(kind, measure, "period")],
                        self[quota_field(kind, measure, "count")],
                    )
                    for measure, label in QuotaMeasure.choices
                ],
            )
            for kind in self.kinds
        ]

    def clean(self) -> dict:
        data = super().clean()
        for kind in self.kinds:
            for measure, _label in QuotaMeasure.choices:
                period = data.get(quota_field(kind, measure, "period"))
                count_name = quota_field(kind, measure, "count")
                count = data.get(count_name)
                if period and count_name not in self.errors:
                    if count is None:
                        self.add_error(count_name, _("Say how many briefs, or choose “no quota”."))
                    elif count < 1:
                        self.add_error(count_name, _("A quota is at least one brief."))
        return data

    def specs(self) -> list[QuotaSpec]:
        data = self.cleaned_data
        return [
            QuotaSpec(
                unit_kind=kind,
                measure=measure,
                period=data.get(quota_field(kind, measure, "period")) or None,
                count=data.get(quota_field(kind, measure, "count")),
            )
            for kind in self.kinds
            for measure, _label in QuotaMeasure.choices
        ]


class PointsForm(ServiceErrorsMixin, forms.Form):
    """Points per adopted brief at each level (here, the office above, …)."""

    def __init__(self, *args, levels: Sequence[Level], current: dict[int, Decimal], **kwargs):
        super().__init__(*args, **kwargs)
        self.levels = list(levels)
        for level in self.levels:
            label = (
                _("Points when our office adopts a brief")
                if level.is_here
                else _("Points when %(office)s adopts it") % {"office": level.campaign.name}
            )
            self.fields[f"level_{level.number}"] = forms.DecimalField(
                label=label,
                min_value=Decimal(0),
                max_value=Decimal("9999.9"),
                max_digits=5,
                decimal_places=1,
                initial=current.get(level.number),
                error_messages={"required": _("Give the points, 0 for none.")},
                widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.5"}),
            )

    def points(self) -> dict[int, Decimal | None]:
        return {lv.number: self.cleaned_data.get(f"level_{lv.number}") for lv in self.levels}


class LeaguePeriodForm(ServiceErrorsMixin, forms.Form):
    """The period a league table ranks (and, to publish it, its title)."""

    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    starts_on = forms.DateField(
        label=_("First day"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
    ends_on = forms.DateField(
        label=_("Last day"), widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )

    def __init__(self, *args, require_title: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].required = require_title
        self.fields["title"].widget.attrs["class"] = "form-control"

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The period ends before it starts."))
        return data

"""Forms of the dashboards, lagging list and scores: filters read from the query string,
and the scoring scheme the office edits (its rules are checked by ``scheme_save``)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from taolun.org.models import Unit
from taolun.supervision.models import ScoringScheme
from taolun.supervision.scores import SCHEME_FIELDS


class LevelForm(forms.Form):
    """Which level of the tree, under which unit: the lagging list and the scores."""

    under = forms.ChoiceField(label=_("Under unit"), required=False)
    depth = forms.TypedChoiceField(
        label=pgettext_lazy("tree level", "Level"), coerce=int, required=False
    )

    def __init__(self, *args, units: list[Unit], root: Unit, max_depth: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["under"].choices = [
            (u.slug, "\u2003" * (u.depth - root.depth) + u.display_name) for u in units
        ]
        self.fields["depth"].choices = [
            (d, _("%(n)s levels below") % {"n": d} if d > 1 else _("Directly below"))
            for d in range(1, max(max_depth, 1) + 1)
        ]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"

    def value(self, name: str, default):
        """The cleaned value, or ``default`` when absent or invalid (a filter never fails)."""
        if not self.is_bound:
            return default
        self.is_valid()
        return self.cleaned_data.get(name) or default


class LaggingForm(LevelForm):
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("unit", _("Unit (tree order)")),
            ("overdue_actions", _("Most overdue actions")),
            ("completion", _("Lowest completion")),
            ("overdue_problems", _("Most overdue problems")),
        ],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sort"].widget.attrs["class"] = "form-select"


class SchemeForm(forms.ModelForm):
    class Meta:
        model = ScoringScheme
        fields = SCHEME_FIELDS
        help_texts = {
            "deduction_per_finding": _("A finding with its own deduction takes off that instead."),
            "briefs_for_full_marks": _(
                "Adopted briefs that earn the whole weight; 0 compares each unit with the "
                "best of its level."
            ),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in SCHEME_FIELDS}

    def apply_errors(self, error: ValidationError) -> None:
        """Show the service's errors on the fields they name."""
        for name, messages in error.message_dict.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class RefreshForm(forms.Form):
    """The "Refresh now" button: which unit's figures, at which level, and the page to
    return to."""

    unit = forms.SlugField(label=_("Unit"))
    depth = forms.IntegerField(label=pgettext_lazy("tree level", "Level"), min_value=1)
    next = forms.CharField(required=False)

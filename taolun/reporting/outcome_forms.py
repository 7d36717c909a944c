"""Forms for institutional outcomes: they parse input; ``reporting.outcomes`` decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from taolun.campaigns.models import Campaign, Theme
from taolun.core.forms import ServiceErrorsMixin
from taolun.core.sanitize import TAG
from taolun.org.models import Unit
from taolun.rectification.models import Problem
from taolun.reporting.case_forms import RICH_HELP, ThemeChoiceField, UnitChoiceField
from taolun.reporting.models import OutcomeKind

DOCUMENT_ACCEPT = ".pdf,.doc,.docx,.odt"
_SELECT = {"class": "form-select"}
_TEXT = {"class": "form-control"}


class ProblemChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Problem) -> str:
        text = Truncator(TAG.sub("", obj.description)).chars(40)
        return f"{obj.ledger_number} {text}"


class ThemesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Theme) -> str:
        return f"{obj.number}. {obj.break_with}"


class OutcomeForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=200, widget=forms.TextInput({**_TEXT, "autocomplete": "off"})
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=OutcomeKind.choices, widget=forms.Select(_SELECT)
    )
    unit = UnitChoiceField(
        label=_("Issuing unit"), queryset=Unit.objects.none(), widget=forms.Select(_SELECT)
    )
    document_number = forms.CharField(
        label=_("Document number"),
        max_length=80,
        required=False,
        help_text=_("As printed on the document, e.g. 晋残联发〔2019〕12号."),
        widget=forms.TextInput(_TEXT),
    )
    issued_on = forms.DateField(
        label=_("Issued on"),
        widget=forms.DateInput({**_TEXT, "type": "date"}, format="%Y-%m-%d"),
    )
    revises = forms.CharField(
        label=_("Replaces or revises"),
        max_length=200,
        required=False,
        help_text=_("The earlier rule, for a revised one."),
        widget=forms.TextInput(_TEXT),
    )
    summary = forms.CharField(
        label=_("Main content"),
        required=False,
        help_text=RICH_HELP,
        widget=forms.Textarea({**_TEXT, "rows": 8}),
    )
    problems = ProblemChoiceField(
        label=_("Ledger problems it answers"),
        queryset=Problem.objects.none(),
        required=False,
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several problems."),
        widget=forms.SelectMultiple({**_SELECT, "size": "6"}),
    )
    themes = ThemesField(
        label=_("Themes it answers"),
        queryset=Theme.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(),
    )
    upload = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("The document itself: PDF or Word."),
        widget=forms.ClearableFileInput({**_TEXT, "accept": DOCUMENT_ACCEPT}),
    )
    remove_file = forms.BooleanField(
        label=_("Remove the attached file"),
        required=False,
        widget=forms.CheckboxInput({"class": "form-check-input"}),
    )

    def __init__(
        self,
        *args: Any,
        campaign: Campaign,
        units: QuerySet[Unit],
        problems: QuerySet[Problem],
        has_file: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["problems"].queryset = problems
        self.fields["themes"].queryset = campaign.themes.order_by("number")
        if not has_file:
            del self.fields["remove_file"]

    def outcome_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        names = ("unit", "kind", "title", "document_number", "issued_on", "revises", "summary")
        return {name: data[name] for name in names}


class OutcomeFilterForm(forms.Form):
    """The list's filters from the query string; a stale value is dropped, not refused."""

    theme = ThemeChoiceField(
        label=_("Theme"),
        queryset=Theme.objects.none(),
        required=False,
        empty_label=_("Any"),
        widget=forms.Select(_SELECT),
    )
    unit = UnitChoiceField(
        label=_("Issuing unit (with its subunits)"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("Any"),
        widget=forms.Select(_SELECT),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("Any")), *OutcomeKind.choices],
        required=False,
        widget=forms.Select(_SELECT),
    )

    def __init__(
        self, *args: Any, campaign: Campaign, units: QuerySet[Unit], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = campaign.themes.order_by("number")
        self.fields["unit"].queryset = units

    def filters(self) -> dict[str, Any]:
        if not self.is_bound:
            return {"theme": None, "unit": None, "kind": ""}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "theme": data.get("theme"),
            "unit": data.get("unit"),
            "kind": data.get("kind", ""),
        }

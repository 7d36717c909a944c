"""Forms of the summary and bulletin pages: they parse what was typed; the services in
``summary.py`` and ``bulletin.py`` decide whether it may be saved."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.utils.translation import gettext_lazy as _

from taolun.core.forms import ServiceErrorsMixin
from taolun.reporting.models import Brief


def _control(widget: type[forms.Widget] = forms.TextInput, **attrs) -> forms.Widget:
    return widget(attrs={"class": "form-control", **attrs})


class SummaryForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, widget=_control(autocomplete="off"))
    body = forms.CharField(
        label=_("Text"),
        help_text=_(
            "Headings numbered 一、 and （一） become the document's headings; scripts and "
            "unsafe links are removed when saved."
        ),
        widget=_control(forms.Textarea, rows=24),
    )


class IssueForm(ServiceErrorsMixin, forms.Form):
    masthead = forms.CharField(
        label=_("Masthead"), max_length=60, widget=_control(autocomplete="off")
    )
    number = forms.IntegerField(
        label=_("Issue number"),
        min_value=1,
        widget=_control(forms.NumberInput, inputmode="numeric"),
    )
    editor = forms.CharField(label=_("Edited by"), max_length=120, widget=_control())
    issued_on = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}, format="%Y-%m-%d"),
    )
    recipients = forms.CharField(
        label=_("Distribution"),
        required=False,
        help_text=_("Printed at the foot: 报, 送, 发 — one line each."),
        widget=_control(forms.Textarea, rows=3),
    )


class IssueItemsForm(ServiceErrorsMixin, forms.Form):
    """One position box per adopted brief: a number puts it in the issue at that place,
    empty leaves it out (a keyboard and a screen reader handle it as easily as a mouse)."""

    def __init__(self, *args, briefs: Iterable[tuple[Brief, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rows: list[tuple[Brief, str, str]] = []
        for brief, title in briefs:
            name = f"pos_{brief.pk}"
            self.fields[name] = forms.IntegerField(
                label=_("Position of “%(title)s”") % {"title": title},
                required=False,
                min_value=1,
                max_value=999,
                widget=_control(
                    forms.NumberInput, inputmode="numeric", **{"class": "form-control input-narrow"}
                ),
            )
            self.rows.append((brief, title, name))

    def brief_ids(self) -> list[int]:
        """Chosen briefs in the order of their positions (ties keep the listed order)."""
        chosen = [
            (self.cleaned_data[name], index, brief.pk)
            for index, (brief, _title, name) in enumerate(self.rows)
            if self.cleaned_data.get(name)
        ]
        return [pk for _pos, _index, pk in sorted(chosen)]

    def bound_rows(self):
        return [(brief, title, self[name]) for brief, title, name in self.rows]

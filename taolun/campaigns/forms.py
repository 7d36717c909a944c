"""Forms of the campaign pages: they parse input; the services decide what is valid."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from taolun.campaigns.models import Campaign, Stage


class UnitPlanForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    body = forms.CharField(
        label=_("Plan"),
        required=False,
        help_text=_("Plain text or simple HTML; each line becomes a paragraph."),
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 14}),
    )


class StageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Stage) -> str:
        return f"{obj.number}. {obj.name} ({obj.starts_on:%Y-%m-%d} – {obj.ends_on:%Y-%m-%d})"


class ActionProposeForm(forms.Form):
    stage = StageChoiceField(
        label=_("Stage"),
        queryset=Stage.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    name = forms.CharField(
        label=_("Name of the action"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 6}),
    )
    due_on = forms.DateField(
        label=_("Due on"),
        required=False,
        help_text=_("Optional; within the campaign's dates (YYYY-MM-DD)."),
        widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, campaign: Campaign, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only this campaign's stages can be chosen.
        self.fields["stage"].queryset = campaign.stages.order_by("number")


class ActionDecideForm(forms.Form):
    APPROVE = "approve"
    REJECT = "reject"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approve")), (REJECT, _("Do not approve"))],
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        help_text=_("Required when the action is not approved."),
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 4}),
    )

"""Forms of the brief pages: they parse what was typed; the services in ``briefs`` decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from taolun.activities.models import Meeting
from taolun.campaigns.models import Action, Campaign
from taolun.core.concurrency import VersionField, stamp
from taolun.org.models import Unit, User
from taolun.reporting.brief_selectors import (
    ReviewFilters,
    actions_for_briefs,
    meetings_for_briefs,
    review_units,
    units_for_briefs,
)
from taolun.reporting.models import Brief, BriefKind, BriefState, ReviewState

_TEXT = {"class": "form-control"}
_SELECT = {"class": "form-select"}
IMAGE_ACCEPT = "image/jpeg,image/png,image/gif,image/webp"


def _area(label, *, rows: int = 4, required: bool = False, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        strip=True,
        widget=forms.Textarea({"class": "form-control", "rows": rows}),
    )


class ActionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Action) -> str:
        return f"{obj.number}. {obj.name}"


class MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Meeting) -> str:
        record = obj.record
        return f"{record.held_on:%Y-%m-%d} {record.title}（{record.unit.display_name}）"


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.display_name


def brief_version(brief: Brief) -> str:
    """What the edit form compares: every save of a brief sets its ``updated_at``."""
    return stamp(brief.updated_at)


class BriefForm(forms.Form):
    """The brief's own fields; a new brief also chooses its unit and may bring a photo."""

    unit = UnitChoiceField(
        label=_("Reporting unit"), queryset=Unit.objects.none(), widget=forms.Select(_SELECT)
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=BriefKind.choices,
        initial=BriefKind.NEWS,
        widget=forms.Select(_SELECT),
        help_text=_("A news piece runs to about 500 characters; a research piece may be longer."),
    )
    title = forms.CharField(
        label=_("Title"), max_length=200, widget=forms.TextInput(_TEXT), required=False
    )
    body = _area(
        _("Text"),
        rows=12,
        help_text=_("Paragraphs, lists and bold text are kept; anything else is removed."),
    )
    action = ActionChoiceField(
        label=_("Related action"),
        queryset=Action.objects.none(),
        required=False,
        widget=forms.Select(_SELECT),
    )
    meeting = MeetingChoiceField(
        label=_("Related meeting"),
        queryset=Meeting.objects.none(),
        required=False,
        widget=forms.Select(_SELECT),
    )
    byline = forms.CharField(
        label=_("Authors"),
        max_length=120,
        required=False,
        widget=forms.TextInput(_TEXT),
        help_text=_("The names printed under the brief; left empty, yours."),
    )
    phone = forms.CharField(
        label=_("Contact phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput({**_TEXT, "type": "tel", "autocomplete": "tel"}),
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_("A JPEG, PNG, GIF or WebP image; you can add more on the brief's page."),
        widget=forms.ClearableFileInput({"class": "form-control", "accept": IMAGE_ACCEPT}),
    )
    caption = forms.CharField(
        label=_("Photo caption"), max_length=200, required=False, widget=forms.TextInput(_TEXT)
    )
    # The version an edit started from (see ``taolun.core.concurrency``).
    version = VersionField()

    def __init__(
        self,
        data: Any = None,
        files: Any = None,
        *,
        campaign: Campaign,
        user: User,
        brief: Brief | None = None,
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, files, initial=initial)
        if brief is None:
            self.fields["unit"].queryset = units_for_briefs(campaign, user)
            del self.fields["version"]
        else:
            for name in ("unit", "photo", "caption"):
                del self.fields[name]
        actions = actions_for_briefs(campaign, user)
        meetings = meetings_for_briefs(campaign, user)
        if brief is not None:
            # Keep what was chosen, even by someone whose scope is wider.
            actions = actions | Action.objects.filter(pk=brief.action_id)
            meetings = meetings | Meeting.objects.filter(pk=brief.meeting_id)
        self.fields["action"].queryset = actions.distinct()
        self.fields["meeting"].queryset = meetings.distinct()

    @staticmethod
    def initial_for(brief: Brief) -> dict[str, Any]:
        return {
            "version": brief_version(brief),
            "kind": brief.kind,
            "title": brief.title,
            "body": brief.body,
            "action": brief.action_id,
            "meeting": brief.meeting_id,
            "byline": brief.byline,
            "phone": brief.phone,
        }

    def brief_fields(self) -> dict[str, Any]:
        """Keyword arguments for ``brief_create`` / ``brief_update`` (not the photo)."""
        data = self.cleaned_data
        names = ("kind", "title", "body", "action", "meeting", "byline", "phone")
        fields = {n: data[n] for n in names}
        if "unit" in self.fields:
            fields["unit"] = data["unit"]
        return fields


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo"),
        help_text=_("A JPEG, PNG, GIF or WebP image."),
        widget=forms.ClearableFileInput({"class": "form-control", "accept": IMAGE_ACCEPT}),
        error_messages={"required": _("Choose an image.")},
    )
    caption = forms.CharField(
        label=_("Caption"), max_length=200, required=False, widget=forms.TextInput(_TEXT)
    )


class CaptionForm(forms.Form):
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)


class NoFieldsForm(forms.Form):
    """A button alone: send for sign-off, sign, submit."""


class SendBackForm(forms.Form):
    comment = _area(_("What should change"), rows=3, help_text=_("The writer sees this comment."))


class DecideForm(forms.Form):
    """Adopt (with an optional edited title and text, prefilled with what was received) or
    return with comments."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("adopt", _("Adopt")), ("return", _("Return with comments"))],
        widget=forms.RadioSelect({"class": "form-check-input"}),
        error_messages={"required": _("Choose whether to adopt or return the brief.")},
    )
    title = forms.CharField(
        label=_("Adopted title"),
        max_length=200,
        required=False,
        widget=forms.TextInput(_TEXT),
        help_text=_("Edit if you like; the brief keeps its original title."),
    )
    body = _area(
        _("Adopted text"),
        rows=12,
        help_text=_("Edit if you like; the brief keeps its original text."),
    )
    comment = _area(_("Comments"), rows=3, help_text=_("Required when you return the brief."))


class ForwardForm(forms.Form):
    """Forward this level's adopted version to the office above; it may be revised first."""

    title = forms.CharField(
        label=_("Title sent up"), max_length=200, required=False, widget=forms.TextInput(_TEXT)
    )
    body = _area(_("Text sent up"), rows=12)
    comment = _area(_("Note to the office above"), rows=2)


class OwnFilterForm(forms.Form):
    own_state = forms.ChoiceField(
        label=_("State"),
        choices=[("", _("All")), *BriefState.choices],
        required=False,
        widget=forms.Select(_SELECT),
    )

    def state_value(self) -> str | None:
        return self.cleaned_data.get("own_state") or None if self.is_valid() else None


def _month_choices(campaign: Campaign) -> list[tuple[str, str]]:
    """Months of the campaign, and the months since (briefs keep coming after the end)."""
    start = campaign.starts_on.replace(day=1)
    end = max(campaign.ends_on, start)
    months = []
    day = start
    while day <= end and len(months) < 60:
        months.append((f"{day:%Y-%m}", f"{day:%Y-%m}"))
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


class ReceivedFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Review state"),
        choices=[("", _("All")), *ReviewState.choices],
        required=False,
        widget=forms.Select(_SELECT),
    )
    unit = forms.ChoiceField(label=_("Unit"), required=False, widget=forms.Select(_SELECT))
    month = forms.ChoiceField(
        label=_("Month received"), required=False, widget=forms.Select(_SELECT)
    )

    def __init__(self, data: Any, *, campaign: Campaign, user: User) -> None:
        super().__init__(data)
        self.units = {u.slug: u for u in review_units(user, campaign)}
        self.fields["unit"].choices = [
            ("", _("All")),
            *((s, u.name) for s, u in self.units.items()),
        ]
        self.fields["month"].choices = [("", _("All")), *_month_choices(campaign)]

    def filters(self) -> ReviewFilters:
        """Filters for ``received_reviews``; a field that does not parse is left out."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        month = None
        if data.get("month"):
            month = dt.date.fromisoformat(f"{data['month']}-01")
        return ReviewFilters(
            state=data.get("state") or None,
            unit=self.units.get(data.get("unit") or ""),
            month=month,
        )

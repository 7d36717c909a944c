"""Forms of the plan import: the plan's text or file, then the draft campaign under review.

The review is one form and three formsets (themes, stages, leading group), posted back whole
each time: nothing is kept on the server between the steps, and the plan's text rides along
in a hidden field so the page can show again what the parser found.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.forms.formsets import DELETION_FIELD_NAME
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from taolun.campaigns.models import LeadingGroupRole
from taolun.core.forms import ServiceErrorsMixin
from taolun.org.models import Unit, slug_validator
from taolun.textmine.plan import MAX_PLAN_CHARS, PlanDraft, PlanTextError, parse_plan
from taolun.textmine.plan_files import MAX_PLAN_FILE_BYTES, PlanFileError, read_plan_file
from taolun.textmine.services_plan import MemberInput, StageInput, ThemeInput

_TEXT = {"class": "form-control"}
_DATE = {"class": "form-control", "type": "date"}
_SMALL_TEXT = {"class": "form-control form-control-sm"}
_SMALL_DATE = {"class": "form-control form-control-sm", "type": "date"}

THEMES_PREFIX = "themes"
STAGES_PREFIX = "stages"
MEMBERS_PREFIX = "members"
MAX_ROWS = 50


class PlanSourceForm(ServiceErrorsMixin, forms.Form):
    """Step 1: the plan pasted as text or uploaded as .txt/.docx; a chosen file wins."""

    text = forms.CharField(
        label=_("Text of the plan or speech"),
        required=False,
        strip=False,
        widget=forms.Textarea({**_TEXT, "rows": 14}),
        help_text=_("Paste the whole text, from the title to the date at the end."),
    )
    file = forms.FileField(
        label=_("Or upload the file"),
        required=False,
        widget=forms.FileInput({**_TEXT, "accept": ".txt,.docx"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Formatted per form, in the request's language (a lazy string formatted at import
        # would be fixed in whichever language was active then).
        self.fields["file"].help_text = _(
            "A Word (.docx) or text (.txt) file of at most %(size)s. "
            "When you choose a file, its text is read instead of the pasted text."
        ) % {"size": filesizeformat(MAX_PLAN_FILE_BYTES)}

    def clean(self) -> dict[str, Any]:
        """Read the file (or take the text) and parse it; errors go on the field they concern."""
        data = super().clean()
        upload = data.get("file")
        field = "file" if upload else "text"
        if upload:
            if upload.size > MAX_PLAN_FILE_BYTES:
                self.add_error(
                    "file",
                    _("“%(name)s” is %(size)s; a plan file may be at most %(limit)s.")
                    % {
                        "name": upload.name,
                        "size": filesizeformat(upload.size),
                        "limit": filesizeformat(MAX_PLAN_FILE_BYTES),
                    },
                )
                return data
            try:
                text = read_plan_file(upload.name, upload.read())
            except PlanFileError as error:
                self.add_error("file", error.message)
                return data
        else:
            text = data.get("text") or ""
        try:
            data["draft"] = parse_plan(text)
        except PlanTextError as error:
            self.add_error(field, error.message)
            return data
        data["plan_text"] = text
        return data


class OwnerUnitField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class CampaignReviewForm(forms.Form):
    """Step 2: the campaign's own fields, prefilled from the draft."""

    name = forms.CharField(
        label=_("Name of the campaign"), max_length=200, widget=forms.TextInput(_TEXT)
    )
    slug = forms.CharField(
        label=_("Short name in web addresses"),
        max_length=60,
        validators=[slug_validator],
        widget=forms.TextInput(_TEXT),
        help_text=_(
            "Lower-case letters, digits and hyphens; it cannot be shared with another campaign."
        ),
    )
    owner_unit = OwnerUnitField(
        label=_("Run by"),
        queryset=Unit.objects.none(),
        widget=forms.Select({"class": "form-select"}),
    )
    basis_number = forms.CharField(
        label=_("Document number of the basis"),
        max_length=80,
        required=False,
        widget=forms.TextInput(_TEXT),
    )
    basis_title = forms.CharField(
        label=_("Title of the basis document"),
        max_length=200,
        required=False,
        widget=forms.TextInput(_TEXT),
    )
    launched_on = forms.DateField(
        label=_("Launched on"), required=False, widget=forms.DateInput(_DATE, format="%Y-%m-%d")
    )
    starts_on = forms.DateField(
        label=_("Starts on"), widget=forms.DateInput(_DATE, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(label=_("Ends on"), widget=forms.DateInput(_DATE, format="%Y-%m-%d"))
    source = forms.CharField(required=False, strip=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = units

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The end date must not be before the start date."))
        return data

    def draft(self) -> PlanDraft | None:
        """The plan read again from the hidden text, to show what was found; None if unreadable."""
        source = self.data.get(self.add_prefix("source"), "") if self.is_bound else ""
        source = source or self.initial.get("source", "")
        if not source or len(source) > MAX_PLAN_CHARS:
            return None
        try:
            return parse_plan(source)
        except PlanTextError:
            return None

    def campaign_fields(self) -> dict[str, Any]:
        """Keyword arguments for ``campaign_create_from_plan`` (not the rows)."""
        names = [
            "owner_unit",
            "slug",
            "name",
            "starts_on",
            "ends_on",
            "basis_number",
            "basis_title",
            "launched_on",
        ]
        return {name: self.cleaned_data[name] for name in names}


class ThemeRowForm(forms.Form):
    break_with = forms.CharField(
        label=_("Break with"), max_length=120, widget=forms.TextInput(_SMALL_TEXT)
    )
    focus_on = forms.CharField(
        label=_("Focus on solving"), max_length=200, widget=forms.TextInput(_SMALL_TEXT)
    )
    adhere_to = forms.CharField(
        label=_("Adhere to"), max_length=200, widget=forms.TextInput(_SMALL_TEXT)
    )

    def row(self) -> ThemeInput:
        data = self.cleaned_data
        return ThemeInput(data["break_with"], data["focus_on"], data["adhere_to"])


class StageRowForm(forms.Form):
    name = forms.CharField(label=_("Stage"), max_length=60, widget=forms.TextInput(_SMALL_TEXT))
    directive = forms.CharField(
        label=_("Directive"), max_length=120, required=False, widget=forms.TextInput(_SMALL_TEXT)
    )
    starts_on = forms.DateField(
        label=_("Starts on"), required=False, widget=forms.DateInput(_SMALL_DATE, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label=_("Ends on"), required=False, widget=forms.DateInput(_SMALL_DATE, format="%Y-%m-%d")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The end date must not be before the start date."))
        return data

    def row(self) -> StageInput:
        data = self.cleaned_data
        return StageInput(data["name"], data["directive"], data["starts_on"], data["ends_on"])


class MemberRowForm(forms.Form):
    name = forms.CharField(
        label=_("Full name"), max_length=60, required=False, widget=forms.TextInput(_SMALL_TEXT)
    )
    role = forms.ChoiceField(
        label=_("Role in the group"),
        # The empty choice keeps an untouched extra row empty (and so ignored).
        choices=[("", "—"), *LeadingGroupRole.choices],
        widget=forms.Select({"class": "form-select form-select-sm"}),
    )
    posts = forms.CharField(
        label=_("Posts held"), max_length=200, required=False, widget=forms.TextInput(_SMALL_TEXT)
    )

    def row(self) -> MemberInput:
        data = self.cleaned_data
        return MemberInput(data["name"], data["role"], data["posts"])


class RowFormSet(forms.BaseFormSet):
    """A formset whose number of empty rows is chosen per page (``extra=``)."""

    def __init__(self, *args: Any, extra: int = 1, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.extra = extra

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if DELETION_FIELD_NAME in form.fields:
            form.fields[DELETION_FIELD_NAME].widget.attrs["class"] = "form-check-input"

    def kept(self) -> list[forms.Form]:
        """The valid rows the user filled and did not remove, in order."""
        return [
            form
            for index, form in enumerate(self.forms)
            if (index < self.initial_form_count() or form.has_changed())
            and not self._should_delete_form(form)
        ]

    def rows(self) -> list[Any]:
        return [form.row() for form in self.kept()]

    def typed(self) -> list[dict[str, Any]]:
        """What the user typed in the rows kept (not removed, not blank), as initial values."""
        rows = []
        for form in self.forms:
            if form.data.get(form.add_prefix(DELETION_FIELD_NAME)):
                continue
            values = {
                name: field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
                for name, field in form.fields.items()
                if name != DELETION_FIELD_NAME
            }
            if any(values.values()):
                rows.append(values)
        return rows


def _formset(form: type[forms.Form]) -> type[RowFormSet]:
    return forms.formset_factory(
        form,
        formset=RowFormSet,
        can_delete=True,
        max_num=MAX_ROWS,
        absolute_max=MAX_ROWS,
        validate_max=True,
    )


ThemeFormSet = _formset(ThemeRowForm)
StageFormSet = _formset(StageRowForm)
MemberFormSet = _formset(MemberRowForm)


__all__ = [
    "MEMBERS_PREFIX",
    "STAGES_PREFIX",
    "THEMES_PREFIX",
    "CampaignReviewForm",
    "MemberFormSet",
    "PlanSourceForm",
    "StageFormSet",
    "ThemeFormSet",
]

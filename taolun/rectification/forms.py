"""Forms for the ledger: they parse input; the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from taolun.activities.forms import ACCEPT, MultipleFileField, MultipleFileInput
from taolun.campaigns.models import Campaign, Theme
from taolun.campaigns.selectors import campaign_units_for_user
from taolun.core.concurrency import VersionField
from taolun.org.models import Unit, User
from taolun.rectification.models import (
    Light,
    Problem,
    ProblemKind,
    ProblemLevel,
    ProblemSource,
    ProblemState,
    Rating,
)
from taolun.rectification.selectors import (
    DEFAULT_ORDERING,
    ORDERINGS,
    people_for_problems,
    problems_for_user,
    units_for_problems,
)
from taolun.rectification.services import MeasureInput

_SELECT = {"class": "form-select form-select-sm"}
# At most this many units in the ledger's unit filter (whole levels, the top one always).
UNIT_CHOICES = 300
_DATE = {"class": "form-control form-control-sm", "type": "date"}


class LedgerFilterForm(forms.Form):
    """The ledger's filters, read from the query string by the ledger page and the export.

    Choices are limited to what the user may see; an unknown value is dropped rather
    than refused, so a stale bookmark still opens the ledger.
    """

    unit = forms.ChoiceField(label=_("Unit (with its subunits)"), required=False)
    theme = forms.ModelChoiceField(
        label=_("Theme"),
        queryset=Theme.objects.none(),
        required=False,
        widget=forms.Select(_SELECT),
    )
    source = forms.ChoiceField(
        label=_("Source"), choices=[("", "—"), *ProblemSource.choices], required=False
    )
    state = forms.ChoiceField(
        label=_("State"), choices=[("", "—"), *ProblemState.choices], required=False
    )
    overdue = forms.ChoiceField(
        label=_("Overdue"),
        choices=[("", "—"), ("yes", _("Overdue only")), ("no", _("Not overdue"))],
        required=False,
    )
    light = forms.ChoiceField(
        label=_("Warning light"), choices=[("", "—"), *Light.choices], required=False
    )
    deadline_from = forms.DateField(
        label=_("Deadline from"), required=False, widget=forms.DateInput(_DATE, format="%Y-%m-%d")
    )
    deadline_to = forms.DateField(
        label=_("Deadline to"), required=False, widget=forms.DateInput(_DATE, format="%Y-%m-%d")
    )
    responsible_leader = forms.ModelChoiceField(
        label=_("Responsible leader"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.Select(_SELECT),
    )
    sort = forms.ChoiceField(
        label=_("Sort by"), choices=[(k, k) for k in ORDERINGS], required=False
    )

    def __init__(self, data: Any, *, campaign: Campaign, user: User) -> None:
        super().__init__(data)
        self._offer_units(campaign_units_for_user(campaign, user))
        self.fields["theme"].queryset = Theme.objects.filter(campaign=campaign)
        # Only leaders of problems the user can see: names outside the scope stay unknown.
        leaders = (
            problems_for_user(user, campaign)
            .exclude(responsible_leader=None)
            .values("responsible_leader")
        )
        self.fields["responsible_leader"].queryset = User.objects.filter(pk__in=leaders).order_by(
            "name"
        )
        for name in ("unit", "source", "state", "overdue", "light"):
            self.fields[name].widget.attrs.update(_SELECT)
        self.fields["sort"].widget = forms.HiddenInput()

    def _offer_units(self, units: QuerySet[Unit]) -> None:
        """The unit list: the levels of the user's reach from the top down, as many whole
        levels as fit in ``UNIT_CHOICES``, and the unit chosen if it lies deeper.

        A province office reaches thousands of villages: a list of them all is of no use to
        a person and costs the page most of its time. A deeper unit is chosen from its row in
        the ledger or from its own page; it is then offered here too.
        """
        per_depth = dict(units.order_by().values_list("depth").annotate(n=Count("pk")))
        deepest, offered = 0, 0
        for depth in sorted(per_depth):
            offered += per_depth[depth]
            if deepest and offered > UNIT_CHOICES:
                break
            deepest = depth
        shown = Q(depth__lte=deepest)
        chosen = self.data.get("unit") if self.data else None
        if chosen:
            shown |= Q(slug=chosen)
        self.fields["unit"].choices = [("", "—")] + [
            (slug, "\u3000" * max(depth - 1, 0) + name)
            for slug, name, depth in units.filter(shown).values_list("slug", "name", "depth")
        ]
        if deepest < max(per_depth, default=0):
            self.fields["unit"].help_text = _(
                "Units further down: choose one from its row in the ledger or from its own page."
            )

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for ``selectors.ledger``; invalid fields are left out."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        overdue = {"yes": True, "no": False}.get(data.get("overdue") or "")
        return {
            "unit": data.get("unit") or None,
            "theme": data.get("theme"),
            "source": data.get("source") or None,
            "state": data.get("state") or None,
            "overdue": overdue,
            "light": data.get("light") or None,
            "deadline_from": data.get("deadline_from"),
            "deadline_to": data.get("deadline_to"),
            "responsible_leader": data.get("responsible_leader"),
            "ordering": data.get("sort") or DEFAULT_ORDERING,
        }


_TEXT = {"class": "form-control"}
_AREA = {"class": "form-control", "rows": 4}
_DAY = {"class": "form-control", "type": "date"}


def _date(label, *, required: bool = False, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(_DAY, format="%Y-%m-%d"),
    )


def _area(label, *, rows: int = 4, required: bool = False, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        strip=True,
        widget=forms.Textarea({"class": "form-control", "rows": rows}),
    )


def posted_values(form: forms.Form) -> dict[str, Any]:
    """What the user typed, as initial values: to show a form again without checking it."""
    return {
        name: field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
        for name, field in form.fields.items()
        if not field.disabled
    }


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        name = obj.name or obj.username
        return f"{name}（{obj.unit.display_name}）" if obj.unit_id else name


class ProblemForm(forms.Form):
    """The problem page's fields; the services check what they mean together.

    ``problem`` None: a new problem, with a choice of unit. Once the problem is on the
    ledger its number and deadline are shown but cannot change here. An edit carries the
    version it started from, so that a save over someone else's is refused (the view checks).
    """

    unit = forms.ModelChoiceField(
        label=_("Responsible unit"),
        queryset=Unit.objects.none(),
        widget=forms.Select({"class": "form-select"}),
    )
    ledger_number = forms.CharField(
        label=_("Ledger number"),
        max_length=130,
        required=False,
        help_text=_("Unique within the campaign; left empty, one is generated."),
        widget=forms.TextInput({**_TEXT, "autocomplete": "off"}),
    )
    description = _area(
        _("Description of the problem"),
        rows=5,
        required=True,
        help_text=_("Paragraphs, lists and bold text are kept; anything else is removed."),
    )
    source = forms.ChoiceField(
        label=_("Source"),
        choices=ProblemSource.choices,
        initial=ProblemSource.SELF_EXAMINATION,
        widget=forms.Select({"class": "form-select"}),
    )
    source_note = _area(_("Where it came from"), rows=2)
    theme = forms.ModelChoiceField(
        label=_("Theme"),
        queryset=Theme.objects.none(),
        required=False,
        widget=forms.Select({"class": "form-select"}),
    )
    level = forms.ChoiceField(
        label=_("Level"),
        choices=ProblemLevel.choices,
        initial=ProblemLevel.UNIT,
        widget=forms.Select({"class": "form-select"}),
    )
    kind = forms.ChoiceField(
        label=pgettext_lazy("problem", "Kind"),
        choices=ProblemKind.choices,
        initial=ProblemKind.DEADLINE,
        widget=forms.Select({"class": "form-select"}),
    )
    deadline = _date(
        _("Overall deadline"), help_text=_("Required unless the problem is long-term.")
    )
    target_standard = _area(
        _("Rectification target"), help_text=_("What counts as fixed (整改目标).")
    )
    responsible_leader = PersonChoiceField(
        label=_("Responsible leader"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.Select({"class": "form-select"}),
    )
    person_in_charge = PersonChoiceField(
        label=_("Person in charge"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.Select({"class": "form-select"}),
    )
    supporting_units = forms.ModelMultipleChoiceField(
        label=_("Supporting units"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several units."),
        widget=forms.SelectMultiple({"class": "form-select", "size": "5"}),
    )
    origin = forms.CharField(required=False, widget=forms.HiddenInput())
    version = VersionField()

    def __init__(
        self,
        data: Any = None,
        *,
        campaign: Campaign,
        user: User,
        problem: Problem | None = None,
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        self.problem = problem
        people = Q(pk__in=people_for_problems(campaign, user).values("pk"))
        units = Q(pk__in=campaign_units_for_user(campaign, user).values("pk"))
        if problem is None:
            self.fields["unit"].queryset = units_for_problems(campaign, user)
            del self.fields["version"]
        else:
            del self.fields["unit"]
            del self.fields["origin"]
            # Keep what someone with a wider scope chose, so that saving does not drop it.
            people |= Q(pk__in=[problem.responsible_leader_id, problem.person_in_charge_id])
            units |= Q(pk__in=problem.supporting_units.values("pk"))
            if problem.state != ProblemState.DRAFT:
                for name in ("ledger_number", "deadline"):
                    self.fields[name].disabled = True
                self.fields["ledger_number"].help_text = _(
                    "Printed on the ledger: it no longer changes."
                )
                self.fields["deadline"].help_text = _(
                    "Once on the ledger, a deadline moves only by a granted extension."
                )
        self.fields["theme"].queryset = Theme.objects.filter(campaign=campaign).order_by("number")
        people_qs = (
            User.objects.filter(people).select_related("unit").order_by("unit__path", "name", "pk")
        )
        self.fields["responsible_leader"].queryset = people_qs
        self.fields["person_in_charge"].queryset = people_qs
        self.fields["supporting_units"].queryset = Unit.objects.filter(units).order_by("path")

    @classmethod
    def initial_for(cls, problem: Problem) -> dict[str, Any]:
        return {
            "ledger_number": problem.ledger_number,
            "description": problem.description,
            "source": problem.source,
            "source_note": problem.source_note,
            "theme": problem.theme_id,
            "level": problem.level,
            "kind": problem.kind,
            "deadline": problem.deadline,
            "target_standard": problem.target_standard,
            "responsible_leader": problem.responsible_leader_id,
            "person_in_charge": problem.person_in_charge_id,
            "supporting_units": [u.pk for u in problem.supporting_units.all()],
        }

    def problem_fields(self) -> dict[str, Any]:
        """Keyword arguments for ``problem_create`` / ``problem_update`` (not the measures)."""
        data = self.cleaned_data
        names = [
            "ledger_number",
            "description",
            "source",
            "source_note",
            "theme",
            "level",
            "kind",
            "deadline",
            "target_standard",
            "responsible_leader",
            "person_in_charge",
        ]
        fields = {n: data[n] for n in names if not self.fields[n].disabled}
        fields["supporting_units"] = list(data["supporting_units"])
        if "unit" in self.fields:
            fields["unit"] = data["unit"]
        return fields


class MeasureForm(forms.Form):
    """One row of the measures table; a row left empty is ignored."""

    text = forms.CharField(
        label=_("Measure"),
        required=False,
        widget=forms.Textarea({"class": "form-control", "rows": 2}),
    )
    deadline = _date(_("Deadline"))
    done = forms.BooleanField(
        label=_("Done"), required=False, widget=forms.CheckboxInput({"class": "form-check-input"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        text, deadline = data.get("text"), data.get("deadline")
        if text and not deadline and "deadline" not in self.errors:
            self.add_error("deadline", _("Give this measure a deadline."))
        if deadline and not text:
            self.add_error("text", _("Describe the measure."))
        return data

    def measure(self) -> MeasureInput | None:
        data = getattr(self, "cleaned_data", {})
        if not data.get("text"):
            return None
        return MeasureInput(text=data["text"], deadline=data["deadline"], done=data["done"])


MeasureFormSet = forms.formset_factory(MeasureForm, extra=1, max_num=100, absolute_max=200)
MEASURES_PREFIX = "measures"


def measure_inputs(formset: forms.BaseFormSet) -> list[MeasureInput]:
    """The measures of a valid formset, in the order shown, empty rows left out."""
    return [m for form in formset.forms if (m := form.measure()) is not None]


# ---------------------------------------------------------------- actions on a problem


def _files(label) -> MultipleFileField:
    return MultipleFileField(
        label=label,
        required=False,
        help_text=_(
            "Images (JPEG, PNG, GIF, WebP), PDF and Office documents; you may choose several files."
        ),
        widget=MultipleFileInput({"class": "form-control", "accept": ACCEPT}),
    )


class NoFieldsForm(forms.Form):
    """A button alone: open, open or close the evaluation."""


class ThemeAcceptForm(forms.Form):
    """A suggested theme accepted with one button; the service checks it is the campaign's."""

    theme = forms.ModelChoiceField(
        label=_("Theme"), queryset=Theme.objects.all(), widget=forms.HiddenInput
    )


class ProgressForm(forms.Form):
    text = _area(_("What was done"))
    files = _files(_("Evidence"))
    reported_on = _date(_("Reported on"), help_text=_("Left empty: today."))


class CompleteForm(forms.Form):
    note = _area(
        _("What was done"),
        help_text=_("Needed unless a progress update already shows the work."),
    )
    files = _files(_("Evidence"))


class SendBackForm(forms.Form):
    comment = _area(
        _("What is still missing"), help_text=_("The unit sees this comment and works on.")
    )


class VerifyForm(forms.Form):
    comment = _area(_("Comment on the sign-off"), rows=2)


class CarryOverForm(forms.Form):
    reason = _area(_("Reason for carrying over"))


class ReopenForm(forms.Form):
    reason = _area(_("Reason for reopening"))


class ExtensionRequestForm(forms.Form):
    reason = _area(_("Why more time is needed"))
    requested_deadline = _date(_("New deadline"), required=True)
    progress_so_far = _area(_("Progress so far"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["requested_deadline"].error_messages["required"] = _("Give the new deadline.")


class ExtensionDecideForm(forms.Form):
    comment = _area(_("Comment on the decision"), rows=2, help_text=_("Required when you refuse."))


class VoteForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("Your evaluation"),
        choices=Rating.choices,
        widget=forms.RadioSelect({"class": "form-check-input"}),
        error_messages={"required": _("Choose satisfied, basically satisfied or unsatisfied.")},
    )
    comment = _area(
        _("Comment"), rows=2, help_text=_("Shown beside the results without your name.")
    )

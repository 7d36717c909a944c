"""Forms for the ledger: they parse input; the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from taolun.campaigns.models import Campaign, Theme
from taolun.campaigns.selectors import campaign_units_for_user
from taolun.org.models import User
from taolun.rectification.models import ProblemSource, ProblemState
from taolun.rectification.selectors import DEFAULT_ORDERING, ORDERINGS

_SELECT = {"class": "form-select form-select-sm"}
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
        units = campaign_units_for_user(campaign, user)
        self.fields["unit"].choices = [("", "—")] + [
            (u.slug, "\u3000" * max(u.depth - 1, 0) + u.name) for u in units
        ]
        self.fields["theme"].queryset = Theme.objects.filter(campaign=campaign)
        self.fields["responsible_leader"].queryset = User.objects.filter(
            pk__in=campaign.problems.exclude(responsible_leader=None).values("responsible_leader")
        ).order_by("name")
        for name in ("unit", "source", "state", "overdue"):
            self.fields[name].widget.attrs.update(_SELECT)
        self.fields["sort"].widget = forms.HiddenInput()

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
            "deadline_from": data.get("deadline_from"),
            "deadline_to": data.get("deadline_to"),
            "responsible_leader": data.get("responsible_leader"),
            "ordering": data.get("sort") or DEFAULT_ORDERING,
        }

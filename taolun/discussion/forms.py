"""Forms of the discussion: they parse input; the services decide what is allowed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from taolun.campaigns.models import Campaign, Theme
from taolun.core import clock
from taolun.core.forms import ServiceErrorsMixin
from taolun.discussion.models import OpinionKind, Topic
from taolun.org.models import Unit

_TEXT = {"class": "form-control"}
_SELECT = {"class": "form-select"}
RICH_HELP = _("Paragraphs, lists and bold text are kept; anything else is removed.")


def _date(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={**_TEXT, "type": "date"}, format="%Y-%m-%d"),
        **kwargs,
    )


class TopicForm(ServiceErrorsMixin, forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Open to"),
        queryset=Unit.objects.none(),
        help_text=_("The people of this unit and of every unit under it take part."),
        widget=forms.Select(attrs=_SELECT),
    )
    question = forms.CharField(
        label=_("Question"),
        max_length=300,
        widget=forms.TextInput(attrs={**_TEXT, "autocomplete": "off"}),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        help_text=RICH_HELP,
        widget=forms.Textarea(attrs={**_TEXT, "rows": 6}),
    )
    theme = forms.ModelChoiceField(
        label=_("Theme"),
        queryset=None,
        required=False,
        widget=forms.Select(attrs=_SELECT),
    )
    stage = forms.ModelChoiceField(
        label=_("Stage"),
        queryset=None,
        required=False,
        widget=forms.Select(attrs=_SELECT),
    )
    opens_on = _date(_("Opens on"))
    closes_on = _date(_("Closes on"), help_text=_("Opinions are taken until the end of this day."))
    allow_anonymous = forms.BooleanField(
        label=_("Allow anonymous opinions"),
        required=False,
        initial=True,
        help_text=_("Peers and the office will not see who wrote an anonymous opinion."),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, campaign: Campaign, units, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["theme"].queryset = campaign.themes.order_by("number")
        self.fields["stage"].queryset = campaign.stages.order_by("number")
        self.fields["opens_on"].initial = clock.today

    @staticmethod
    def initial_for(topic: Topic) -> dict:
        return {
            "unit": topic.unit_id,
            "question": topic.question,
            "description": topic.description,
            "theme": topic.theme_id,
            "stage": topic.stage_id,
            "opens_on": topic.opens_on,
            "closes_on": topic.closes_on,
            "allow_anonymous": topic.allow_anonymous,
        }

    def topic_fields(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in self.fields}


class OpinionForm(ServiceErrorsMixin, forms.Form):
    """An opinion, or with ``parent`` a reply; ``anonymous`` only where the topic allows it."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=OpinionKind.choices,
        initial=OpinionKind.OPINION,
        widget=forms.Select(attrs=_SELECT),
    )
    body = forms.CharField(
        label=_("Your opinion"),
        help_text=RICH_HELP,
        # The service checks it again once sanitised (a lone <script> is empty too).
        error_messages={"required": _("Write your opinion.")},
        widget=forms.Textarea(attrs={**_TEXT, "rows": 6}),
    )
    anonymous = forms.BooleanField(
        label=_("Post anonymously"),
        required=False,
        help_text=_(
            "Your name and unit are not shown to anyone else, the office included. "
            "The platform's audit trail still records who wrote it."
        ),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput())

    def __init__(self, *args, allow_anonymous: bool, reply: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not allow_anonymous:
            del self.fields["anonymous"]
        if reply:
            self.fields["body"].label = _("Your reply")

    def opinion_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "body": data["body"],
            "kind": data["kind"],
            "anonymous": data.get("anonymous", False),
        }


class ClassifyForm(ServiceErrorsMixin, forms.Form):
    """The theme chosen for an opinion; choices come from a list read once per page."""

    theme = forms.TypedChoiceField(
        label=_("Theme"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs=_SELECT),
    )

    def __init__(self, *args, themes: list[Theme], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.themes = {theme.pk: theme for theme in themes}
        self.fields["theme"].choices = [
            ("", _("Not classified")),
            *((theme.pk, f"{theme.number} · {theme.break_with}") for theme in themes),
        ]

    def chosen_theme(self) -> Theme | None:
        pk = self.cleaned_data["theme"]
        return None if pk is None else self.themes[pk]


class AnswerForm(ServiceErrorsMixin, forms.Form):
    answer = forms.CharField(
        label=_("Answer"),
        error_messages={"required": _("Write the answer.")},
        help_text=RICH_HELP,
        widget=forms.Textarea(attrs={**_TEXT, "rows": 4}),
    )


class InboxFilterForm(forms.Form):
    """Filters of the office's inbox; every field optional."""

    theme = forms.ModelChoiceField(
        label=_("Theme"),
        queryset=None,
        required=False,
        empty_label=_("Any theme"),
        widget=forms.Select(attrs=_SELECT),
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=None,
        required=False,
        empty_label=_("Any topic"),
        widget=forms.Select(attrs=_SELECT),
    )
    state = forms.ChoiceField(
        label=_("Handling"),
        required=False,
        choices=[
            ("", _("Any")),
            ("unclassified", _("Not classified")),
            ("unanswered", _("Not answered")),
        ],
        widget=forms.Select(attrs=_SELECT),
    )
    problem = forms.ChoiceField(
        label=_("On the ledger"),
        required=False,
        choices=[
            ("", _("Any")),
            ("yes", _("Became a problem")),
            ("no", _("Not a problem")),
        ],
        widget=forms.Select(attrs=_SELECT),
    )

    def __init__(self, *args, campaign: Campaign, topics, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = campaign.themes.order_by("number")
        self.fields["topic"].queryset = topics

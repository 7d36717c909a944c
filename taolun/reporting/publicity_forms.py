"""Forms of the publicity pages: they parse input; ``reporting.publicity`` decides."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from taolun.core import clock
from taolun.core.forms import ServiceErrorsMixin
from taolun.reporting.models import Channel, PublicationState
from taolun.reporting.publicity import DIGEST_MAX

_TEXT = {"class": "form-control"}
_SELECT = {"class": "form-select"}


class _Checkboxes(forms.CheckboxSelectMultiple):
    """Checkboxes whose group points at its first box, so an error's link has a target."""

    def id_for_label(self, id_: str, index: str | None = "0") -> str:
        return super().id_for_label(id_, index)


class MarkForm(ServiceErrorsMixin, forms.Form):
    """The channels to put one item out on; ``channels`` is a list read once per page,
    so a page of items with a form each asks the database once for them."""

    channels = forms.MultipleChoiceField(
        label=_("Channels"),
        widget=_Checkboxes(attrs={"class": "form-check-input"}),
        error_messages={"required": _("Choose at least one channel.")},
    )

    def __init__(self, *args, channels: list[Channel], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.channel_list = channels
        self.fields["channels"].choices = [(str(c.pk), c.name) for c in channels]

    def clean_channels(self) -> list[Channel]:
        chosen = set(self.cleaned_data["channels"])
        return [c for c in self.channel_list if str(c.pk) in chosen]


class PublicationForm(ServiceErrorsMixin, forms.Form):
    """The text prepared for the channel."""

    title = forms.CharField(
        label=_("Title"), max_length=200, widget=forms.TextInput(attrs={**_TEXT})
    )
    digest = forms.CharField(
        label=_("Digest"),
        required=False,
        help_text=_("At most 120 characters; left empty, it is made from the first sentences."),
        widget=forms.Textarea(attrs={**_TEXT, "rows": 2, "maxlength": DIGEST_MAX}),
    )
    body = forms.CharField(
        label=_("Text"),
        help_text=_("Paragraphs, lists and bold text are kept; anything else is removed."),
        widget=forms.Textarea(attrs={**_TEXT, "rows": 14}),
    )

    def __init__(self, *args, with_digest: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not with_digest:
            del self.fields["digest"]

    def values(self) -> dict[str, str]:
        data = self.cleaned_data
        return {"title": data["title"], "digest": data.get("digest", ""), "body": data["body"]}


class PublishForm(ServiceErrorsMixin, forms.Form):
    """When and where the item went out."""

    published_on = forms.DateField(
        label=_("Published on"),
        widget=forms.DateInput(attrs={**_TEXT, "type": "date"}, format="%Y-%m-%d"),
    )
    link = forms.CharField(
        label=_("Link to the post"),
        required=False,
        max_length=500,
        help_text=_("The address of the published post, if it has one."),
        widget=forms.URLInput(attrs={**_TEXT, "inputmode": "url"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["published_on"].initial = clock.today


class PublicationFilterForm(forms.Form):
    """Filters of the publications table: state and channel."""

    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("All states")), *PublicationState.choices],
        widget=forms.Select(attrs=_SELECT),
    )
    channel = forms.ModelChoiceField(
        label=_("Channel"),
        required=False,
        queryset=Channel.objects.order_by("order", "pk"),
        empty_label=_("All channels"),
        widget=forms.Select(attrs=_SELECT),
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {"state": "", "channel": None}
        return {
            "state": self.cleaned_data.get("state") or "",
            "channel": self.cleaned_data.get("channel"),
        }

"""Forms for study: they parse input; the services decide what is allowed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from taolun.activities.forms import ACCEPT
from taolun.campaigns.models import Campaign, Stage, Theme
from taolun.core import clock
from taolun.core.forms import ServiceErrorsMixin
from taolun.org.models import Unit
from taolun.study.models import StudyMaterial
from taolun.study.services import MAX_MINUTES

# Units offered as a material's audience: the campaign's top levels. Deeper units are
# reached through the subtree of the unit above them.
AUDIENCE_LEVELS = 4
RICH_HELP = _("Paragraphs, lists, links and bold text are kept; anything else is removed.")


def _control(widget: type[forms.Widget] = forms.TextInput, **attrs) -> forms.Widget:
    css = "form-select" if widget in (forms.Select, forms.SelectMultiple) else "form-control"
    if widget is forms.CheckboxInput:
        css = "form-check-input"
    return widget(attrs={"class": css, **attrs})


class ThemeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Theme) -> str:
        return f"{obj.number}. {obj.break_with}"


class MaterialForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, widget=_control(autocomplete="off"))
    source = forms.CharField(
        label=_("Source"),
        max_length=200,
        required=False,
        help_text=_("Where the text comes from."),
        widget=_control(),
    )
    stage = forms.ModelChoiceField(
        label=_("Stage"),
        required=False,
        queryset=Stage.objects.none(),
        empty_label=_("Any stage"),
        widget=_control(forms.Select),
    )
    theme = ThemeChoiceField(
        label=_("Theme"),
        required=False,
        queryset=Theme.objects.none(),
        empty_label=_("No particular theme"),
        widget=_control(forms.Select),
    )
    required = forms.BooleanField(
        label=_("Required study"),
        required=False,
        initial=True,
        help_text=_("Unticked, the material is optional reading."),
        widget=_control(forms.CheckboxInput),
    )
    due_on = forms.DateField(
        label=_("Study by"),
        required=False,
        widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}, format="%Y-%m-%d"),
    )
    order = forms.IntegerField(
        label=_("Order"),
        min_value=0,
        max_value=32767,
        initial=0,
        help_text=_("Materials are listed by stage, then by this number."),
        widget=_control(forms.NumberInput, inputmode="numeric"),
    )
    for_units = forms.ModelMultipleChoiceField(
        label=_("For units"),
        required=False,
        queryset=Unit.objects.none(),
        help_text=_(
            "Each unit with everything under it; choose none for every unit. "
            "Hold Ctrl (⌘ on a Mac) to choose several."
        ),
        widget=_control(forms.SelectMultiple, size="8"),
    )
    body = forms.CharField(
        label=_("Text"),
        required=False,
        help_text=RICH_HELP,
        widget=_control(forms.Textarea, rows=12),
    )
    upload = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("Images (JPEG, PNG, GIF, WebP), PDF and Office documents."),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ACCEPT}),
    )
    remove_file = forms.BooleanField(
        label=_("Remove the attached file"),
        required=False,
        widget=_control(forms.CheckboxInput),
    )

    def __init__(self, *args, campaign: Campaign, has_file: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = campaign.stages.order_by("number")
        self.fields["theme"].queryset = campaign.themes.order_by("number")
        owner = campaign.owner_unit
        self.fields["for_units"].queryset = Unit.objects.filter(
            path__startswith=owner.path, depth__lt=owner.depth + AUDIENCE_LEVELS
        ).order_by("path")
        if not has_file:
            del self.fields["remove_file"]

    def material_fields(self) -> dict:
        data = self.cleaned_data
        names = ("title", "source", "body", "stage", "theme", "required", "due_on", "order")
        return {name: data[name] for name in names}


class MaterialChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: StudyMaterial) -> str:
        return obj.title


class LogForm(forms.Form):
    material = MaterialChoiceField(
        label=_("Material"),
        required=False,
        queryset=StudyMaterial.objects.none(),
        empty_label=_("Something else (name it below)"),
        widget=_control(forms.Select),
    )
    other_title = forms.CharField(
        label=_("Other reading"),
        max_length=200,
        required=False,
        help_text=_("What you studied, when it is not one of the campaign's materials."),
        widget=_control(),
    )
    studied_on = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}, format="%Y-%m-%d"),
    )
    minutes = forms.IntegerField(
        label=_("Minutes spent"),
        min_value=1,
        max_value=MAX_MINUTES,
        widget=_control(forms.NumberInput, inputmode="numeric"),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=_control(forms.Textarea, rows=3),
    )

    def __init__(self, *args, materials, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["material"].queryset = materials
        self.fields["studied_on"].initial = clock.today


class ReflectionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, widget=_control(autocomplete="off"))
    material = MaterialChoiceField(
        label=_("On the material"),
        required=False,
        queryset=StudyMaterial.objects.none(),
        empty_label=_("No particular material"),
        widget=_control(forms.Select),
    )
    theme = ThemeChoiceField(
        label=_("On the theme"),
        required=False,
        queryset=Theme.objects.none(),
        empty_label=_("No particular theme"),
        widget=_control(forms.Select),
    )
    body = forms.CharField(
        label=_("Text"),
        help_text=RICH_HELP,
        widget=_control(forms.Textarea, rows=16),
    )

    def __init__(self, *args, materials, campaign: Campaign, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["material"].queryset = materials
        self.fields["theme"].queryset = campaign.themes.order_by("number")

    def reflection_fields(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in ("title", "body", "material", "theme")}


class ReflectionFilterForm(forms.Form):
    """Filters of the reflections list; every field optional."""

    unit = forms.CharField(
        label=_("Unit code"),
        required=False,
        max_length=60,
        help_text=_("Reflections of this unit and the units below it."),
        widget=_control(autocomplete="off"),
    )
    material = MaterialChoiceField(
        label=_("Material"),
        required=False,
        queryset=StudyMaterial.objects.none(),
        empty_label=_("Any material"),
        widget=_control(forms.Select),
    )
    excellent = forms.TypedChoiceField(
        label=_("Excellent"),
        required=False,
        coerce=lambda v: v == "yes",
        empty_value=None,
        choices=[("", _("All")), ("yes", _("Excellent only")), ("no", _("Not marked"))],
        widget=_control(forms.Select),
    )

    def __init__(self, *args, materials, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["material"].queryset = materials


class CompletionFilterForm(forms.Form):
    without_reflection = forms.BooleanField(
        label=_("Only those without a reflection"),
        required=False,
        widget=_control(forms.CheckboxInput),
    )

"""Back office for work targets, scoped like the pages.

Areas and indicators are the campaign office's: staff over the campaign's owner unit
read them and the office corrects them here as on the pages (the model's constraints
and the checks below hold either way). Reported values are the units' own and change
only through ``report_value`` on the pages and the API: read-only here.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from taolun.core.admin import ReadOnlyAdminMixin, ScopedAdminMixin, ScopedInlineMixin
from taolun.core.sanitize import clean_html
from taolun.targets.models import Indicator, IndicatorReport, TargetArea


class IndicatorAdminForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = (
            "area",
            "number",
            "name",
            "measure",
            "baseline",
            "target",
            "direction",
            "aggregation",
            "responsible_unit",
            "period",
            "starts_on",
            "ends_on",
        )

    def clean(self):
        data = super().clean()
        area, unit = data.get("area"), data.get("responsible_unit")
        if area is not None and unit is not None:
            owner = area.campaign.owner_unit
            if not unit.path.startswith(owner.path):
                self.add_error(
                    "responsible_unit",
                    _("Choose a unit of this campaign (%(owner)s or below).")
                    % {"owner": owner.name},
                )
        return data


class IndicatorInline(ScopedInlineMixin, admin.TabularInline):
    model = Indicator
    form = IndicatorAdminForm
    extra = 0
    fields = ("number", "name", "measure", "baseline", "target", "responsible_unit", "period")
    show_change_link = True


@admin.register(TargetArea)
class TargetAreaAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_field = "campaign__owner_unit"
    list_display = ("number", "name", "campaign")
    list_display_links = ("name",)
    list_filter = (("campaign", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("campaign",)
    search_fields = ("name",)
    inlines = [IndicatorInline]

    def save_model(self, request, obj, form, change):
        obj.description = clean_html(obj.description)
        super().save_model(request, obj, form, change)


@admin.register(Indicator)
class IndicatorAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = IndicatorAdminForm
    scope_field = "area__campaign__owner_unit"
    list_display = (
        "name",
        "area",
        "measure",
        "baseline",
        "target",
        "direction",
        "aggregation",
        "responsible_unit",
        "period",
    )
    list_filter = ("period", "direction", "aggregation")
    list_select_related = ("area", "responsible_unit")
    search_fields = ("name", "area__name")


@admin.register(IndicatorReport)
class IndicatorReportAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("indicator", "unit", "period_start", "value", "reported_by", "reported_at")
    list_filter = ("period_start",)
    list_select_related = ("indicator", "unit", "reported_by")
    search_fields = ("indicator__name", "unit__name")
    date_hierarchy = "period_start"

"""Back office for supervision: scoped like the pages, read only.

Inspections are recorded (text sanitised, findings numbered, problems opened from them)
and the scoring scheme saved (weights summing to 100) through their services on the
site, so the back office shows them without offering a way around those rules.
"""

from __future__ import annotations

from django.contrib import admin

from taolun.core.admin import ReadOnlyAdminMixin, ScopedAdminMixin, ScopedInlineMixin
from taolun.supervision.models import Finding, Inspection, ScoringScheme


class FindingInline(ScopedInlineMixin, admin.TabularInline):
    model = Finding
    fk_name = "inspection"
    extra = 0
    can_delete = False
    fields = ("number", "kind", "unit", "theme", "text", "deduction")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_field = "unit"
    list_display = ("unit", "campaign", "visited_on", "team_name", "recorded_by")
    list_filter = (("campaign", admin.RelatedOnlyFieldListFilter), "visited_on")
    list_select_related = ("unit", "campaign", "recorded_by")
    search_fields = ("unit__name", "team_name", "checked")
    date_hierarchy = "visited_on"
    inlines = [FindingInline]
    fields = (
        "campaign",
        "unit",
        "visited_on",
        "team_name",
        "members",
        "other_members",
        "checked",
        "summary",
        "recorded_by",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields


@admin.register(ScoringScheme)
class ScoringSchemeAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Read by anyone whose roles reach the campaign's owner unit."""

    scope_field = "campaign__owner_unit"
    list_display = (
        "campaign",
        "weight_actions",
        "weight_timeliness",
        "weight_rectification",
        "weight_briefs",
        "weight_participation",
        "deduction_per_finding",
        "deduction_cap",
        "updated_at",
    )
    list_select_related = ("campaign",)
    fields = (
        "campaign",
        "weight_actions",
        "weight_timeliness",
        "weight_rectification",
        "weight_briefs",
        "weight_participation",
        "deduction_per_finding",
        "deduction_cap",
        "briefs_for_full_marks",
        "updated_by",
        "updated_at",
    )
    readonly_fields = fields

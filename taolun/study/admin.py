"""Back office for study: read-mostly and scoped like the pages.

Materials are written on the study pages (the service checks files and sanitises text);
logs follow members and group sessions; reflections are their authors'. Here staff read
what lies in their scope; the campaign office may correct a material's text.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from taolun.core.admin import ReadOnlyAdminMixin, ScopedAdminMixin, is_unrestricted
from taolun.core.sanitize import clean_html
from taolun.org.selectors import scope_for
from taolun.study.models import Reflection, StudyLog, StudyMaterial


@admin.register(StudyMaterial)
class StudyMaterialAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """A material belongs to its campaign's owner unit: staff over it read and correct it."""

    scope_field = "campaign__owner_unit"
    list_display = ("title", "campaign", "stage", "required", "due_on", "published_at")
    list_filter = ("required", ("campaign", admin.RelatedOnlyFieldListFilter), "published_at")
    list_select_related = ("campaign", "stage")
    search_fields = ("title", "source")
    fields = (
        "campaign",
        "title",
        "source",
        "stage",
        "theme",
        "required",
        "due_on",
        "order",
        "body",
        "original_name",
        "published_at",
        "created_by",
        "created_at",
        "updated_at",
    )
    readonly_fields = (
        "campaign",
        "stage",
        "theme",
        "original_name",
        "published_at",
        "created_by",
        "created_at",
        "updated_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Added on the study pages, where the upload is checked and the units chosen.
        return False

    def save_model(self, request, obj, form, change):
        obj.body = clean_html(obj.body)
        super().save_model(request, obj, form, change)


@admin.register(StudyLog)
class StudyLogAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("person", "unit", "studied_on", "minutes", "mode", "material", "other_title")
    list_filter = ("mode", ("campaign", admin.RelatedOnlyFieldListFilter), "studied_on")
    list_select_related = ("person", "unit", "material")
    search_fields = ("person__name", "other_title", "material__title")
    date_hierarchy = "studied_on"


@admin.register(Reflection)
class ReflectionAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Drafts are their author's alone: the back office lists submitted reflections only."""

    list_display = ("title", "author", "unit", "submitted_at", "excellent")
    list_filter = ("excellent", ("campaign", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("author", "unit")
    search_fields = ("title", "author__name")

    def scope_queryset(self, request: HttpRequest, qs):
        qs = qs.filter(submitted_at__isnull=False)
        if is_unrestricted(request):
            return qs
        return qs.filter(scope_for(request.user).q(unit_field="unit"))

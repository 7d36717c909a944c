"""Back office for the discussion: scoped like the pages, and anonymity kept.

Topics are opened and opinions posted, classified and answered through the pages,
whose services check dates, scope and anonymity. Here an office corrects a topic's
wording; opinions are read-only. The author of an anonymous opinion is never shown,
not even to a superuser: who wrote it is in the audit trail, for auditors only.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from taolun.core.admin import ReadOnlyAdminMixin, ScopedAdminMixin
from taolun.core.sanitize import clean_html
from taolun.discussion.models import Opinion, Topic


@admin.register(Topic)
class TopicAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("question", "unit", "campaign", "opens_on", "closes_on", "allow_anonymous")
    list_filter = (("campaign", admin.RelatedOnlyFieldListFilter), "opens_on")
    list_select_related = ("unit", "campaign")
    search_fields = ("question",)
    date_hierarchy = "opens_on"
    fields = (
        "campaign",
        "unit",
        "question",
        "description",
        "theme",
        "stage",
        "opens_on",
        "closes_on",
        "allow_anonymous",
        "created_by",
        "created_at",
    )
    # Dates, scope and anonymity are checked by the service on the topic's page.
    readonly_fields = (
        "campaign",
        "unit",
        "theme",
        "stage",
        "opens_on",
        "closes_on",
        "allow_anonymous",
        "created_by",
        "created_at",
    )

    def has_add_permission(self, request) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        obj.description = clean_html(obj.description)
        super().save_model(request, obj, form, change)


@admin.display(description=_("author"))
def shown_author(obj: Opinion) -> str:
    """The author's name, or "Anonymous": the back office keeps the promise the pages make."""
    if obj.anonymous:
        return str(_("Anonymous"))
    return str(obj.author)


@admin.display(description=_("unit"))
def shown_unit(obj: Opinion) -> str:
    if obj.anonymous:
        return "—"
    return obj.unit.display_name


@admin.register(Opinion)
class OpinionAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_field = "topic__unit"
    list_display = ("__str__", "topic", shown_author, shown_unit, "theme", "created_at")
    list_filter = ("kind", "anonymous", ("theme", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("topic", "author", "unit", "theme")
    # Never search by author: a search would reveal who wrote an anonymous opinion.
    search_fields = ("body",)
    fields = (
        "topic",
        "parent",
        "kind",
        shown_author,
        shown_unit,
        "anonymous",
        "body",
        "created_at",
        "theme",
        "classified_by",
        "classified_at",
        "answer",
        "answered_by",
        "answered_at",
    )
    readonly_fields = fields

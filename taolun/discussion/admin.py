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


# An opinion's author and home unit: filtering, searching or sorting on them would
# reveal who wrote an anonymous opinion, so the back office never does any of it.
HIDDEN_FIELDS = frozenset({"author", "author_id", "unit", "unit_id"})


def reveals_author(lookup: str) -> bool:
    """Whether a lookup path ("author__username", "replies__unit", "^author__name") touches
    an opinion's author or unit; the topic's own unit ("topic__unit") says nothing of them.
    """
    parts = lookup.lstrip("^=@-").split("__")
    return any(
        part in HIDDEN_FIELDS and not (i > 0 and parts[i - 1] == "topic")
        for i, part in enumerate(parts)
    )


@admin.register(Opinion)
class OpinionAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_field = "topic__unit"
    list_display = ("__str__", "topic", shown_author, shown_unit, "theme", "created_at")
    list_filter = ("kind", "anonymous", ("theme", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("topic", "author", "unit", "theme")
    search_fields = ("body",)
    sortable_by = ("topic", "theme", "created_at")
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

    def lookup_allowed(self, lookup: str, value: str, request=None) -> bool:
        """Refuse ``?author=``, ``?unit=``, ``?author__username=``, ``?replies__author=`` …:
        Django answers such a request with 400 instead of narrowing the list to one person.
        """
        if reveals_author(lookup):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_search_fields(self, request) -> tuple[str, ...]:
        return tuple(f for f in super().get_search_fields(request) if not reveals_author(f))

    def get_sortable_by(self, request) -> tuple:
        """Columns sort only by what they show; ``?o=`` on a hidden column sorts nothing."""
        return tuple(
            f
            for f in super().get_sortable_by(request)
            if not (isinstance(f, str) and reveals_author(f))
        )

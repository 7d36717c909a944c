"""Back office for the ledger: scoped like the pages; states, sign-off and evidence read-only.

Problems are recorded, moved, extended and signed off through the services, which number
them, check uploads and keep the state machine; here an office corrects text.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from taolun.core.admin import (
    ReadOnlyAdminMixin,
    ScopedAdminMixin,
    ScopedInlineMixin,
    covers,
    is_unrestricted,
)
from taolun.core.sanitize import clean_html
from taolun.rectification.models import (
    ExtensionRequest,
    LedgerImport,
    Measure,
    Problem,
    ProgressAttachment,
    ProgressUpdate,
    SatisfactionVote,
)

STATE_FIELDS = (
    "state",
    "extension_count",
    "completed_on",
    "verified_by",
    "verified_on",
    "review_comment",
    "carried_over_reason",
)
RECORD_FIELDS = ("created_by", "created_at", "updated_at")


class MeasureInline(ScopedInlineMixin, admin.TabularInline):
    model = Measure
    fields = ("order", "text", "deadline", "done", "done_on")
    readonly_fields = ("done", "done_on")
    extra = 0


class ReadOnlyInline(ScopedInlineMixin, admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ProgressUpdateInline(ReadOnlyInline):
    model = ProgressUpdate
    fields = ("reported_on", "text", "author")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author", "problem")


class ExtensionRequestInline(ReadOnlyInline):
    model = ExtensionRequest
    fields = ("requested_deadline", "previous_deadline", "state", "decided_by", "decided_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("decided_by", "problem")


@admin.register(Problem)
class ProblemAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "ledger_number",
        "unit",
        "campaign",
        "source",
        "kind",
        "deadline",
        "state",
        "extension_count",
    )
    list_filter = (
        "state",
        "source",
        "kind",
        "level",
        ("campaign", admin.RelatedOnlyFieldListFilter),
        "deadline",
    )
    list_select_related = ("unit", "campaign")
    search_fields = ("ledger_number", "description", "unit__name", "unit__short_name")
    date_hierarchy = "deadline"
    autocomplete_fields = ("responsible_leader", "person_in_charge", "supporting_units")
    readonly_fields = (
        "campaign",
        "unit",
        "ledger_number",
        "deadline",
        *STATE_FIELDS,
        *RECORD_FIELDS,
    )
    fieldsets = (
        (None, {"fields": ("campaign", "ledger_number", "unit", "state")}),
        (
            _("The problem"),
            {
                "fields": (
                    "description",
                    "source",
                    "source_note",
                    "theme",
                    "level",
                    "kind",
                    "target_standard",
                    "deadline",
                    "responsible_leader",
                    "person_in_charge",
                    "supporting_units",
                )
            },
        ),
        (
            _("Sign-off"),
            {"fields": tuple(f for f in STATE_FIELDS if f != "state")},
        ),
        (_("Record"), {"fields": RECORD_FIELDS}),
    )
    inlines = (MeasureInline, ProgressUpdateInline, ExtensionRequestInline)

    def has_add_permission(self, request) -> bool:
        # Problems are recorded through the service, which numbers and checks them.
        return False

    def can_write(self, request, obj) -> bool:
        return covers(request, obj.unit)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "theme":
            object_id = request.resolver_match.kwargs.get("object_id")
            problem = Problem.objects.filter(pk=object_id).only("campaign_id").first()
            kwargs["queryset"] = (
                problem.campaign.themes.all() if problem else db_field.related_model.objects.none()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        obj.description = clean_html(obj.description)
        obj.target_standard = clean_html(obj.target_standard)
        super().save_model(request, obj, form, change)


@admin.register(Measure)
class MeasureAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_field = "problem__unit"
    list_display = ("text", "problem", "deadline", "done", "done_on")
    list_filter = ("done", "deadline")
    list_select_related = ("problem",)
    search_fields = ("text", "problem__ledger_number")
    readonly_fields = ("problem", "done", "done_on")

    def has_add_permission(self, request) -> bool:
        return False

    def can_write(self, request, obj) -> bool:
        return covers(request, obj.problem.unit)


@admin.display(description=_("file name"))
def file_name(obj: ProgressAttachment) -> str:
    if not obj.pk:
        return ""
    return format_html("{}", obj.original_name)


class ProgressAttachmentInline(ReadOnlyInline):
    model = ProgressAttachment
    fields = (file_name, "content_type", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by", "update")


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Progress is evidence: read here, written on the problem's page."""

    scope_field = "problem__unit"
    list_display = ("problem", "reported_on", "author", "created_at")
    list_filter = ("reported_on",)
    list_select_related = ("problem", "author")
    search_fields = ("text", "problem__ledger_number")
    fields = ("problem", "reported_on", "text", "author", "created_at")
    readonly_fields = fields
    inlines = (ProgressAttachmentInline,)


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Requests are made and decided through the services, which move the deadline."""

    scope_field = "problem__unit"
    list_display = (
        "problem",
        "previous_deadline",
        "requested_deadline",
        "state",
        "requested_by",
        "decided_by",
    )
    list_filter = ("state",)
    list_select_related = ("problem", "requested_by", "decided_by")
    search_fields = ("problem__ledger_number", "reason")
    fields = (
        "problem",
        "reason",
        "progress_so_far",
        "previous_deadline",
        "requested_deadline",
        "state",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
        "decision_comment",
    )
    readonly_fields = fields


@admin.register(SatisfactionVote)
class SatisfactionVoteAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Votes are cast on the problem's page; here they are read, never changed.

    接受群众检验 is anonymous to peers: staff see ratings and comments in their scope,
    and only superusers see who voted (the voter is kept to allow one vote per member).
    """

    scope_field = "problem__unit"
    list_display = ("problem", "round", "rating", "comment")
    list_filter = ("rating", "round")
    list_select_related = ("problem",)
    search_fields = ("problem__ledger_number", "comment")
    fields = ("problem", "round", "rating", "comment", "voter", "created_at")

    def _hidden(self, request) -> tuple[str, ...]:
        return () if is_unrestricted(request) else ("voter", "created_at")

    def get_fields(self, request, obj=None):
        return [f for f in self.fields if f not in self._hidden(request)]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def get_list_display(self, request):
        return (*self.list_display, *(("voter", "created_at") if is_unrestricted(request) else ()))


@admin.display(description=_("errors"))
def import_errors(obj: LedgerImport):
    """The row-by-row report, as the upload page showed it."""
    rows = [e if isinstance(e, dict) else {"message": str(e)} for e in obj.errors or []]
    if not rows:
        return "—"
    return format_html(
        "<ul>{}</ul>",
        format_html_join(
            "",
            "<li>{} {} {}</li>",
            (
                (
                    _("row %(row)s") % {"row": e.get("row", "")} if e.get("row") else "",
                    e.get("column", ""),
                    e.get("message", ""),
                )
                for e in rows
            ),
        ),
    )


@admin.display(description=_("errors"))
def import_error_count(obj: LedgerImport) -> int:
    return len(obj.errors or [])


@admin.register(LedgerImport)
class LedgerImportAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """What each upload did; imports are previewed and applied on the upload page.

    The stored workbook is named, not linked: it may hold a whole unit's ledger.
    """

    list_display = (
        "original_name",
        "campaign",
        "unit",
        "state",
        "added",
        "changed",
        "unchanged",
        import_error_count,
        "uploaded_by",
        "uploaded_at",
    )
    list_filter = ("state", ("campaign", admin.RelatedOnlyFieldListFilter), "uploaded_at")
    list_select_related = ("campaign", "unit", "uploaded_by")
    search_fields = ("original_name", "unit__name", "unit__short_name")
    date_hierarchy = "uploaded_at"
    fields = (
        "original_name",
        "campaign",
        "unit",
        "state",
        "added",
        "changed",
        "unchanged",
        import_errors,
        "sha256",
        "uploaded_by",
        "uploaded_at",
        "applied_at",
    )
    readonly_fields = fields

"""Back office for activity records and their evidence.

Records are created, submitted, reviewed and given attachments through the pages,
whose services check uploads and move the status; here the status, the review and
the files are read-only. Only a draft or returned record may be corrected, and the
correction goes through the record service (its checks, its audit, the status table);
a submitted or accepted record is shown read-only. A record or an attachment deleted here
goes to the recycle bin, as on the pages, files and all.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from taolun.activities.models import (
    EDITABLE,
    ActivityRecord,
    Attachment,
    Attendance,
    CheckMaterial,
    HeartTalk,
    Meeting,
    MeetingKind,
    MeetingStep,
    Statement,
)
from taolun.activities.services import RECORD_FIELDS as EDITABLE_FIELDS
from taolun.activities.services import _validate_fields, record_update, status_refresh
from taolun.core.admin import ReadOnlyAdminMixin, ScopedAdminMixin, ScopedInlineMixin

REVIEW_FIELDS = ("status", "submitted_at", "reviewed_by", "reviewed_at", "review_comment")
RECORD_FIELDS = ("created_by", "created_at", "updated_at")
LOCKED_FIELDS = ("campaign", "action", "unit", *REVIEW_FIELDS, *RECORD_FIELDS)


@admin.display(description=_("file name"))
def download_link(obj: Attachment) -> str:
    if not obj.pk:
        return ""
    return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.original_name)


class AttachmentInline(ScopedInlineMixin, admin.TabularInline):
    model = Attachment
    fields = (download_link, "content_type", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by", "record")


def _correctable(record: ActivityRecord) -> bool:
    """A draft or returned record that is not a meeting's (``hasattr`` caches the answer)."""
    return record.status in EDITABLE and not hasattr(record, "meeting")


@admin.register(ActivityRecord)
class ActivityRecordAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("title", "unit", "action", "campaign", "held_on", "status", "created_by")
    list_filter = (
        "status",
        ("campaign", admin.RelatedOnlyFieldListFilter),
        "unit__kind",
        "held_on",
    )
    list_select_related = ("unit", "action", "campaign", "created_by")
    search_fields = (
        "title",
        "place",
        "unit__name",
        "unit__short_name",
        "action__name",
        "created_by__name",
    )
    date_hierarchy = "held_on"
    autocomplete_fields = ("participants",)
    readonly_fields = LOCKED_FIELDS
    fieldsets = (
        (None, {"fields": ("campaign", "action", "unit")}),
        (
            _("What was done"),
            {
                "fields": (
                    "title",
                    "held_on",
                    "place",
                    "participant_count",
                    "participants",
                    "content",
                ),
            },
        ),
        (_("Review"), {"fields": REVIEW_FIELDS}),
        (_("Record"), {"fields": RECORD_FIELDS}),
    )
    inlines = (AttachmentInline,)

    def has_add_permission(self, request) -> bool:
        # A record is written on its unit's page, where its evidence is checked on upload.
        return False

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not _correctable(obj):
            # Submitted and accepted records are evidence under review or reviewed; a
            # meeting's record follows its meeting's attendance, written on its pages.
            return (*LOCKED_FIELDS, *EDITABLE_FIELDS, "participants")
        return super().get_readonly_fields(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class RecordAdminForm(form):
            def _post_clean(self):
                super()._post_clean()
                if not _correctable(self.instance):
                    return
                try:
                    # The service's checks (no future date …), before anything is saved.
                    _validate_fields(self.instance)
                except ValidationError as exc:
                    for field, errors in exc.update_error_dict({}).items():
                        self.add_error(field if field in self.fields else None, errors)

        return RecordAdminForm

    def save_model(self, request, obj, form, change):
        if not _correctable(obj):
            return  # every field was read-only: nothing to write
        fields = {name: form.cleaned_data[name] for name in EDITABLE_FIELDS if name in form.fields}
        participants = form.cleaned_data["participants"] if "participants" in form.fields else None
        record_update(actor=request.user, record=obj, participants=participants, **fields)

    def save_related(self, request, form, formsets, change):
        # Participants were set by the service; the evidence inline is read-only.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @transaction.atomic
    def delete_model(self, request, obj):
        """Into the recycle bin (files kept until it is purged); its cell no longer counts it."""
        super().delete_model(request, obj)
        status_refresh(unit_id=obj.unit_id, action_id=obj.action_id)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        """Into the recycle bin, record by record; their cells no longer count them."""
        cells = set(queryset.values_list("unit_id", "action_id"))
        super().delete_queryset(request, queryset)
        for unit_id, action_id in cells:
            status_refresh(unit_id=unit_id, action_id=action_id)


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Evidence is uploaded on the record's page; here it is read, or deleted into the
    recycle bin (its file stays stored until the bin lets it go), as on the record's page."""

    scope_field = "record__unit"
    list_display = (download_link, "record", "content_type", "size", "uploaded_by", "uploaded_at")
    list_filter = ("content_type", "record__unit__kind")
    list_select_related = ("record", "uploaded_by")
    search_fields = ("original_name", "record__title", "record__unit__name")
    fields = (download_link, "record", "content_type", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields

    def has_delete_permission(self, request, obj=None) -> bool:
        return ScopedAdminMixin.has_delete_permission(self, request, obj)


# ---------------------------------------------------------------- meetings
# A meeting, its attendance, statements and preparation are written on the meeting's
# pages, whose services keep the record's participants equal to the present attendees and
# check uploads; here they are read, scoped through the record's unit. A meeting goes
# with its record (deleting the record deletes it). Kinds of meeting are reference data.


@admin.register(MeetingKind)
class MeetingKindAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_field = None
    list_display = (
        "name",
        "code",
        "order",
        "prepared",
        "study",
        "required_attendance_percent",
        "report_days_ahead",
    )
    list_editable = ("order",)
    search_fields = ("name", "code")


class _ReadOnlyInline(ScopedInlineMixin, admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.display(description=_("file name"))
def meeting_file_link(obj) -> str:
    if not obj.pk or not obj.file:
        return ""
    name = "meetings:statement_file" if isinstance(obj, Statement) else "meetings:check_file"
    return format_html('<a href="{}">{}</a>', reverse(name, args=[obj.pk]), obj.original_name)


class AttendanceInline(_ReadOnlyInline):
    model = Attendance
    fields = ("person", "present", "absence_reason")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person")


class StatementInline(_ReadOnlyInline):
    model = Statement
    fields = ("order", "kind", "speaker", "speaker_title", "about", "title", meeting_file_link)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("speaker", "about")


class MeetingStepInline(_ReadOnlyInline):
    model = MeetingStep
    fields = ("step", "done_on", "note", "recorded_by")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


class HeartTalkInline(_ReadOnlyInline):
    model = HeartTalk
    fields = ("person", "other", "held_on", "note")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person", "other")


class CheckMaterialInline(_ReadOnlyInline):
    model = CheckMaterial
    fields = ("person", "submitted_at", meeting_file_link)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person")


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_field = "record__unit"
    list_display = ("__str__", "kind", "record_unit", "record_held_on", "chair")
    list_filter = ("kind", ("record__campaign", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("record__unit", "kind", "chair")
    search_fields = ("record__title", "record__unit__name", "theme")
    fields = (
        "record",
        "kind",
        "chair",
        "theme",
        "attendees_note",
        "duration_minutes",
        "reported_up_on",
        "previous",
        "agenda",
        "minutes",
    )
    readonly_fields = fields
    inlines = (
        AttendanceInline,
        StatementInline,
        MeetingStepInline,
        HeartTalkInline,
        CheckMaterialInline,
    )

    @admin.display(description=_("unit"), ordering="record__unit__path")
    def record_unit(self, obj: Meeting) -> str:
        return obj.record.unit.display_name

    @admin.display(description=_("date held"), ordering="record__held_on")
    def record_held_on(self, obj: Meeting):
        return obj.record.held_on

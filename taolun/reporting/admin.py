"""Back office for reporting: scoped by the same selectors as the pages.

Briefs, their reviews and events, publications, bulletin issues, league tables and
the summary move through their workflows on the site, so here they are read only.
Staff correct the wording of a typical case or an outcome (sanitised as the services
do), set the quotas and points of their campaign, and keep the list of channels.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from taolun.core.admin import (
    ReadOnlyAdminMixin,
    ScopedAdminMixin,
    ScopedInlineMixin,
    covers,
    is_unrestricted,
)
from taolun.core.sanitize import clean_html
from taolun.org.selectors import scope_for
from taolun.reporting.models import (
    Brief,
    BriefEvent,
    BriefIssue,
    BriefIssueItem,
    BriefPhoto,
    BriefPoints,
    BriefQuota,
    BriefReview,
    CampaignSummary,
    Channel,
    InstitutionalOutcome,
    LeagueTable,
    Publication,
    TypicalCase,
)
from taolun.reporting.selectors import (
    briefs_q,
    cases_for_user,
    outcomes_for_user,
    publications_for_user,
    reviews_for_user,
)


class SelectorScopedAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Rows are those the model's reading selector gives the user, so the back office
    never shows more than the pages (a leader never sees a unit's draft brief here)."""

    def readable(self, request: HttpRequest) -> QuerySet:
        raise NotImplementedError

    def scope_queryset(self, request: HttpRequest, qs: QuerySet) -> QuerySet:
        if is_unrestricted(request):
            return qs
        return qs.filter(pk__in=self.readable(request).values("pk"))


class ReadOnlyInline(ScopedInlineMixin, admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# ---------------------------------------------------------------- briefs (read only)


class BriefPhotoInline(ReadOnlyInline):
    model = BriefPhoto
    fields = ("original_name", "caption", "content_type", "size", "order")
    readonly_fields = fields


class BriefReviewInline(ReadOnlyInline):
    model = BriefReview
    fields = ("level", "campaign", "state", "received_at", "decided_by", "decided_at", "comment")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("campaign", "decided_by")


class BriefEventInline(ReadOnlyInline):
    model = BriefEvent
    fields = ("at", "level", "verb", "actor", "comment")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Brief)
class BriefAdmin(ReadOnlyAdminMixin, SelectorScopedAdmin):
    """Briefs are written, signed off, submitted and reviewed on the site."""

    list_display = ("title", "unit", "campaign", "kind", "state", "submitted_at")
    list_filter = ("state", "kind", ("campaign", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("unit", "campaign")
    search_fields = ("title",)
    date_hierarchy = "submitted_at"
    fields = (
        "campaign",
        "unit",
        "kind",
        "title",
        "body",
        "action",
        "meeting",
        "author",
        "byline",
        "phone",
        "state",
        "signed_by",
        "signed_at",
        "submitted_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    inlines = (BriefPhotoInline, BriefReviewInline, BriefEventInline)

    def readable(self, request):
        return Brief.objects.filter(briefs_q(request.user))


@admin.register(BriefReview)
class BriefReviewAdmin(ReadOnlyAdminMixin, SelectorScopedAdmin):
    scope_field = "brief__unit"
    list_display = ("brief", "level", "campaign", "state", "received_at", "decided_at")
    list_filter = ("state", "level", ("campaign", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("brief", "campaign")
    search_fields = ("brief__title", "title")
    fields = (
        "brief",
        "campaign",
        "level",
        "state",
        "sent_by",
        "received_at",
        "decided_by",
        "decided_at",
        "comment",
        "title",
        "body",
        "forwarded",
    )
    readonly_fields = fields

    def readable(self, request):
        user = request.user
        return BriefReview.objects.filter(brief__in=Brief.objects.filter(briefs_q(user))) | (
            reviews_for_user(user)
        )


# ---------------------------------------------------------------- the office's settings


class CampaignOfficeAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """A campaign's own settings: read by anyone whose roles reach the campaign's owner
    unit, written by its office."""

    scope_field = "campaign__owner_unit"


@admin.register(BriefQuota)
class BriefQuotaAdmin(CampaignOfficeAdmin):
    list_display = ("campaign", "unit_kind", "count", "period", "measure")
    list_filter = (("campaign", admin.RelatedOnlyFieldListFilter), "period", "measure")
    list_select_related = ("campaign", "unit_kind")


@admin.register(BriefPoints)
class BriefPointsAdmin(CampaignOfficeAdmin):
    list_display = ("campaign", "level", "points")
    list_filter = (("campaign", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("campaign",)


@admin.register(LeagueTable)
class LeagueTableAdmin(ReadOnlyAdminMixin, CampaignOfficeAdmin):
    """A published ranking is a snapshot: what was announced stays as it was."""

    list_display = ("title", "campaign", "starts_on", "ends_on", "published_at")
    list_select_related = ("campaign",)
    fields = ("campaign", "title", "starts_on", "ends_on", "rows", "published_by", "published_at")
    readonly_fields = fields


@admin.register(CampaignSummary)
class CampaignSummaryAdmin(ReadOnlyAdminMixin, CampaignOfficeAdmin):
    """Assembled, edited and finalised on the summary page."""

    list_display = ("title", "campaign", "state", "updated_at", "finalised_at")
    list_filter = ("state",)
    list_select_related = ("campaign",)
    fields = (
        "campaign",
        "title",
        "body",
        "state",
        "assembled_at",
        "updated_by",
        "updated_at",
        "finalised_by",
        "finalised_at",
    )
    readonly_fields = fields


class BriefIssueItemInline(ReadOnlyInline):
    model = BriefIssueItem
    fields = ("order", "brief")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("brief")


@admin.register(BriefIssue)
class BriefIssueAdmin(ReadOnlyAdminMixin, CampaignOfficeAdmin):
    """Bulletin issues are put together and issued on the bulletin page."""

    list_display = ("masthead", "number", "campaign", "issued_on", "state")
    list_filter = ("state", ("campaign", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("campaign",)
    fields = (
        "campaign",
        "masthead",
        "number",
        "editor",
        "issued_on",
        "recipients",
        "state",
        "created_by",
        "created_at",
    )
    readonly_fields = fields
    inlines = (BriefIssueItemInline,)


# ---------------------------------------------------------------- channels


@admin.register(Channel)
class ChannelAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """A unit's own channels are kept by its office; the shared ones (no unit), offered to
    every office, by superusers. Everyone with the model permission reads the shared ones
    and those of units in scope; nobody deletes one that was published on (PROTECT)."""

    list_display = ("name", "code", "kind", "unit", "is_public", "active", "order")
    list_filter = ("kind", "is_public", "active")
    list_select_related = ("unit",)
    search_fields = ("name", "code")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def scope_queryset(self, request: HttpRequest, qs: QuerySet) -> QuerySet:
        if is_unrestricted(request):
            return qs
        return qs.filter(Q(unit__isnull=True) | scope_for(request.user).q())

    def can_write(self, request: HttpRequest, obj: Channel) -> bool:
        return obj.unit is not None and super().can_write(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if not is_unrestricted(request) and "unit" in form.base_fields:
            form.base_fields["unit"].required = True
        return form


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdminMixin, SelectorScopedAdmin):
    """Marked, prepared and published on the publicity page."""

    scope_field = "campaign__owner_unit"

    list_display = ("title", "channel", "campaign", "state", "published_on")
    list_filter = ("state", "channel", ("campaign", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("channel", "campaign")
    search_fields = ("title",)
    date_hierarchy = "published_on"
    fields = (
        "campaign",
        "channel",
        "brief",
        "case",
        "title",
        "digest",
        "body",
        "state",
        "marked_by",
        "marked_at",
        "published_on",
        "published_by",
        "link",
    )
    readonly_fields = fields

    def readable(self, request):
        return publications_for_user(request.user)


# ---------------------------------------------------------------- cases and outcomes


@admin.register(TypicalCase)
class TypicalCaseAdmin(SelectorScopedAdmin):
    """The office corrects a case's wording; nominations and decisions are on the site."""

    list_display = ("name", "kind", "unit", "campaign", "state", "nominated_at")
    list_filter = ("state", "kind", ("campaign", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("unit", "campaign")
    search_fields = ("name", "summary")
    date_hierarchy = "nominated_at"
    fields = (
        "campaign",
        "unit",
        "kind",
        "name",
        "person",
        "theme",
        "summary",
        "story",
        "original_name",
        "state",
        "nominated_by",
        "nominated_at",
        "decided_by",
        "decided_at",
        "comment",
    )
    readonly_fields = (
        "campaign",
        "unit",
        "kind",
        "person",
        "theme",
        "original_name",
        "state",
        "nominated_by",
        "nominated_at",
        "decided_by",
        "decided_at",
        "comment",
    )

    def has_add_permission(self, request) -> bool:
        return False

    def readable(self, request):
        return cases_for_user(request.user)

    def can_write(self, request, obj) -> bool:
        return covers(request, obj.unit)

    def save_model(self, request, obj, form, change):
        obj.story = clean_html(obj.story)
        super().save_model(request, obj, form, change)


@admin.register(InstitutionalOutcome)
class InstitutionalOutcomeAdmin(SelectorScopedAdmin):
    """The office corrects a rule's record; links to problems are made on the site, where
    the recorder's scope is checked."""

    list_display = ("title", "document_number", "unit", "campaign", "kind", "issued_on")
    list_filter = ("kind", ("campaign", admin.RelatedOnlyFieldListFilter), "issued_on")
    list_select_related = ("unit", "campaign")
    search_fields = ("title", "document_number")
    date_hierarchy = "issued_on"
    fields = (
        "campaign",
        "unit",
        "kind",
        "title",
        "document_number",
        "issued_on",
        "revises",
        "summary",
        "original_name",
        "recorded_by",
        "created_at",
    )
    readonly_fields = ("campaign", "unit", "original_name", "recorded_by", "created_at")

    def has_add_permission(self, request) -> bool:
        return False

    def readable(self, request):
        return outcomes_for_user(request.user)

    def can_write(self, request, obj) -> bool:
        return covers(request, obj.unit)

    def save_model(self, request, obj, form, change):
        obj.summary = clean_html(obj.summary)
        super().save_model(request, obj, form, change)

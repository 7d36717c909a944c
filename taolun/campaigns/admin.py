"""Back office for campaigns, their actions, unit plans and the status table.

Approval of self-selected actions and anything that moves a record's status go through
the pages (and their services); here those fields are read-only. Writes that the
status table depends on (new actions, changed due dates) keep it current.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from taolun.campaigns.models import (
    Action,
    ActionKind,
    ActionStatus,
    Campaign,
    CellStatus,
    LeadingGroupMember,
    Stage,
    Theme,
    UnitPlan,
)
from taolun.campaigns.selectors import campaigns_for_user
from taolun.campaigns.services import (
    _check_within_campaign,
    action_statuses_refresh_due,
    campaign_create,
    campaign_sync_statuses,
)
from taolun.core import clock
from taolun.core.admin import (
    ReadOnlyAdminMixin,
    ScopedAdminMixin,
    ScopedInlineMixin,
    covers,
    is_unrestricted,
)
from taolun.core.sanitize import clean_html
from taolun.org.selectors import scope_for

CAMPAIGN_TEXT_FIELDS = ("general_requirements", "main_tasks", "methods", "organisation")


class CopiedFromParentFormSet(BaseInlineFormSet):
    """A new campaign under a parent copies the parent's rows: extra rows would collide."""

    def clean(self):
        super().clean()
        campaign = self.instance
        if not (campaign._state.adding and campaign.parent_id):
            return
        if any(form.has_changed() for form in self.forms):
            raise ValidationError(
                _(
                    "A campaign under a parent campaign copies its themes and stages; "
                    "add more after saving."
                ),
                code="copied_from_parent",
            )


class ThemeInline(ScopedInlineMixin, admin.TabularInline):
    model = Theme
    formset = CopiedFromParentFormSet
    fields = ("number", "break_with", "focus_on", "adhere_to", "origin")
    readonly_fields = ("origin",)
    extra = 0


class StageInline(ScopedInlineMixin, admin.TabularInline):
    model = Stage
    formset = CopiedFromParentFormSet
    fields = ("number", "name", "directive", "starts_on", "ends_on", "origin")
    readonly_fields = ("origin",)
    extra = 0


class LeadingGroupMemberInline(ScopedInlineMixin, admin.StackedInline):
    model = LeadingGroupMember
    fields = (("role", "order"), "person", "position", "duties")
    autocomplete_fields = ("person",)
    extra = 0


def _check_dates(cleaned: dict, start: str, end: str) -> None:
    # campaign_create makes the same check; a change made here does not pass through it.
    starts_on, ends_on = cleaned.get(start), cleaned.get(end)
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({end: _("The end date must not be before the start date.")})


@admin.register(Campaign)
class CampaignAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "owner_unit", "parent", "starts_on", "ends_on")
    list_filter = ("owner_unit__kind", ("parent", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("owner_unit", "parent")
    search_fields = ("name", "slug", "basis_number", "basis_title")
    autocomplete_fields = ("parent", "owner_unit", "office_unit")
    readonly_fields = ("created_at",)
    date_hierarchy = "starts_on"
    inlines = (ThemeInline, StageInline, LeadingGroupMemberInline)
    fieldsets = (
        (None, {"fields": ("name", "slug", "parent", "owner_unit", "office_unit")}),
        (
            _("Basis and launch"),
            {
                "fields": (
                    "basis_number",
                    "basis_title",
                    "launched_on",
                    "launch_place",
                    ("starts_on", "ends_on"),
                ),
            },
        ),
        (
            _("Implementation plan"),
            {
                "fields": (*CAMPAIGN_TEXT_FIELDS, "leading_group_name"),
            },
        ),
        (_("Record"), {"fields": ("created_at",)}),
    )

    def scope_queryset(self, request, qs):
        if is_unrestricted(request):
            return qs
        return qs & campaigns_for_user(request.user)

    def can_write(self, request, obj):
        # Taking part in a campaign run above is not running it.
        return covers(request, obj.owner_unit)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class CampaignForm(form):
            def clean(self):
                cleaned = super().clean()
                _check_dates(cleaned, "starts_on", "ends_on")
                return cleaned

        return CampaignForm

    def save_model(self, request, obj, form, change):
        # A new campaign, or one under another parent or owner, changes which units act
        # in the parent campaigns (old and new): those re-sync once everything is saved.
        parents: set[int | None] = set()
        if not change or {"parent", "owner_unit"} & set(form.changed_data):
            parents = {obj.parent_id}
            if change:
                parents |= set(
                    Campaign.objects.filter(pk=obj.pk).values_list("parent_id", flat=True)
                )
        obj._parents_to_resync = parents - {None}
        if change:
            for name in CAMPAIGN_TEXT_FIELDS:
                setattr(obj, name, clean_html(getattr(obj, name)))
            obj.save()
            return
        # A new campaign goes through the service: it copies a parent's themes, stages
        # and prescribed actions and creates the status rows.
        fields = {
            f.name: getattr(obj, f.name)
            for f in Campaign._meta.concrete_fields
            if f.editable
            and not f.primary_key
            and f.name not in {"slug", "name", "owner_unit", "starts_on", "ends_on", "parent"}
        }
        created = campaign_create(
            actor=request.user,
            slug=obj.slug,
            name=obj.name,
            owner_unit=obj.owner_unit,
            starts_on=obj.starts_on,
            ends_on=obj.ends_on,
            parent=obj.parent,
            **fields,
        )
        obj.pk = created.pk
        obj.created_at = created.created_at
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        campaign = form.instance
        campaign_sync_statuses(campaign=campaign)
        parents = getattr(campaign, "_parents_to_resync", set())
        for parent in Campaign.objects.filter(pk__in=parents).select_related("owner_unit"):
            campaign_sync_statuses(campaign=parent)


@admin.register(Action)
class ActionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "label_column",
        "name",
        "campaign",
        "stage",
        "kind",
        "unit",
        "approval",
        "due_on",
    )
    list_display_links = ("label_column", "name")
    list_filter = ("kind", "approval", ("campaign", admin.RelatedOnlyFieldListFilter), "unit__kind")
    list_select_related = ("campaign", "stage", "unit")
    search_fields = ("name", "campaign__name", "unit__name", "unit__short_name")
    autocomplete_fields = ("campaign",)
    readonly_fields = (
        "kind",
        "unit",
        "approval",
        "proposed_by",
        "decided_by",
        "decided_at",
        "decision_comment",
        "origin",
    )
    fieldsets = (
        (None, {"fields": ("campaign", "stage", "number", "name", "description", "due_on")}),
        (
            _("Self-selected action"),
            {
                "fields": (
                    "kind",
                    "unit",
                    "approval",
                    "proposed_by",
                    "decided_by",
                    "decided_at",
                    "decision_comment",
                ),
            },
        ),
        (_("Record"), {"fields": ("origin",)}),
    )
    ordering = ("campaign", "kind", "unit__path", "number")

    @admin.display(description=_("number"), ordering="number")
    def label_column(self, obj: Action) -> str:
        return obj.label

    def scope_queryset(self, request, qs):
        if is_unrestricted(request):
            return qs
        scope = scope_for(request.user)
        return qs.filter(campaign__in=campaigns_for_user(request.user)).filter(
            Q(unit__isnull=True) | scope.q("unit")
        )

    def can_write(self, request, obj):
        return covers(request, obj.unit if obj.unit_id else obj.campaign.owner_unit)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "campaign") if obj is not None else fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "stage" and not is_unrestricted(request):
            kwargs["queryset"] = Stage.objects.filter(
                campaign__in=campaigns_for_user(request.user)
            ).select_related("campaign")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class ActionAdminForm(form):
            def clean(self):
                cleaned = super().clean()
                campaign = cleaned.get("campaign") or getattr(self.instance, "campaign", None)
                stage = cleaned.get("stage")
                if campaign is not None and stage is not None:
                    # The service's own check: the stage and due date belong to the campaign.
                    _check_within_campaign(campaign, stage, cleaned.get("due_on"))
                return cleaned

        if obj is None and not is_unrestricted(request):
            # Prescribed actions are added by those who run the campaign.
            field = ActionAdminForm.base_fields["campaign"]
            field.queryset = field.queryset.filter(scope_for(request.user).q("owner_unit"))
        return ActionAdminForm

    def save_model(self, request, obj, form, change):
        obj.description = clean_html(obj.description)
        if not change:
            obj.kind = ActionKind.PRESCRIBED
        super().save_model(request, obj, form, change)
        if change:
            action_statuses_refresh_due(action=obj)
        else:
            campaign_sync_statuses(campaign=obj.campaign)


@admin.register(UnitPlan)
class UnitPlanAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("title", "campaign", "unit", "updated_by", "updated_at")
    list_filter = (("campaign", admin.RelatedOnlyFieldListFilter), "unit__kind")
    list_select_related = ("campaign", "unit", "updated_by")
    search_fields = ("title", "unit__name", "unit__short_name", "campaign__name")
    autocomplete_fields = ("campaign", "unit")
    readonly_fields = ("updated_by", "updated_at")

    def save_model(self, request, obj, form, change):
        obj.body = clean_html(obj.body)
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ActionStatus)
class ActionStatusAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """The status table is kept by the services; the back office only reads it."""

    list_display = (
        "unit",
        "action",
        "campaign",
        "stage",
        "due_on",
        "record_state",
        "status_today",
        "completed_on",
        "records_count",
    )
    list_filter = ("record_state", ("campaign", admin.RelatedOnlyFieldListFilter), "unit__kind")
    list_select_related = ("unit", "action", "campaign", "stage")
    search_fields = ("unit__name", "unit__short_name", "action__name")
    ordering = ("campaign", "unit__path", "action__kind", "action__number")

    @admin.display(description=_("status today"))
    def status_today(self, obj: ActionStatus) -> str:
        return CellStatus(obj.status(clock.today())).label

"""Back office for the unit tree, people, posts and roles (scoped: see taolun.core.admin).

Only the office writes here, and never above itself: a person is managed only by an
office whose scope holds every role that person has, and the office role is granted
only beneath the units one is the office of. Changes to the tree (a unit added, moved
or given another kind, a kind that stops or starts taking part) keep the status table
of the campaigns concerned current.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from taolun.campaigns.models import Campaign
from taolun.campaigns.services import campaign_sync_statuses, unit_statuses_ensure
from taolun.core.admin import (
    WRITE_ROLES,
    ScopedAdminMixin,
    covers,
    is_unrestricted,
    office_paths,
    strictly_below_office,
)
from taolun.org.duties import DUTY_USER_FIELDS, duty_of
from taolun.org.models import Post, RoleAssignment, Unit, UnitKind, User
from taolun.org.roles import AdminDuty, Role
from taolun.org.selectors import scope_for, units_for_user

CHILD_POSITIONS = frozenset({"first-child", "sorted-child", "last-child"})


def campaigns_over(unit: Unit) -> set[int]:
    """The campaigns run at ``unit`` or above it (those whose units it may be among)."""
    return set(
        Campaign.objects.filter(owner_unit__path__in=unit.ancestor_paths()).values_list(
            "pk", flat=True
        )
    )


def resync(campaign_ids: set[int]) -> None:
    """Bring the status rows of these campaigns in line with the tree as it now is."""
    for campaign in Campaign.objects.filter(pk__in=campaign_ids).select_related("owner_unit"):
        campaign_sync_statuses(campaign=campaign)


@admin.register(UnitKind)
class UnitKindAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_field = None  # reference data: every staff member may read the kinds
    list_display = ("name", "code", "takes_part", "order")
    list_editable = ("order",)
    list_filter = ("takes_part",)
    search_fields = ("name", "code")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "takes_part" in form.changed_data:
            # Units of this kind join or leave every campaign above them.
            units = Unit.objects.filter(kind=obj)
            resync(
                {
                    campaign.pk
                    for campaign in Campaign.objects.select_related("owner_unit")
                    if units.filter(path__startswith=campaign.owner_unit.path).exists()
                }
            )


class UnitForm(movenodeform_factory(Unit, fields=["name", "short_name", "slug", "kind"])):
    """Placement in the tree; for scoped staff, only under a unit in their scope."""

    scope_request: HttpRequest | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.scope_request
        if request is None or is_unrestricted(request):
            return
        field = self.fields["treebeard_ref_node"]
        allowed = units_for_user(request.user, roles=WRITE_ROLES).values("pk")
        current = self.initial.get("treebeard_ref_node")
        current_pk = getattr(current, "pk", current)
        if current_pk:
            field.queryset = field.queryset.filter(pk__in=allowed) | field.queryset.filter(
                pk=current_pk
            )
        else:
            field.queryset = field.queryset.filter(pk__in=allowed)
        field.required = True
        field.empty_label = None

    def clean(self):
        cleaned = super().clean()
        request = self.scope_request
        moving = {"treebeard_ref_node", "treebeard_position"} & set(self.changed_data)
        # The campaigns over the unit where it stands now: after a move, they re-sync too.
        self.campaigns_before = (
            campaigns_over(self.instance) if moving and not self.instance._state.adding else set()
        )
        if request is None or is_unrestricted(request):
            return cleaned
        if not (moving or self.instance._state.adding):
            return cleaned
        ref = cleaned.get("treebeard_ref_node")
        position = cleaned.get("treebeard_position")
        if ref is None or position is None:
            return cleaned
        parent = ref if position in CHILD_POSITIONS else Unit.objects.get_parent(ref)
        if not covers(request, parent):
            self.add_error(
                "treebeard_ref_node",
                _("The unit must be placed under a unit you manage."),
            )
        return cleaned


@admin.register(Unit)
class UnitAdmin(ScopedAdminMixin, TreeAdmin):
    scope_field = ""
    form = UnitForm
    list_display = ("name", "short_name", "slug", "kind")
    list_filter = ("kind",)
    list_select_related = ("kind",)
    search_fields = ("name", "short_name", "slug")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"scope_request": request})

    def has_delete_permission(self, request, obj=None) -> bool:
        """An office removes units beneath it, never its own unit (and all below it)."""
        allowed = super().has_delete_permission(request, obj)
        if not allowed or obj is None or request.user.is_superuser:
            return allowed
        return strictly_below_office(request, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        unit = form.instance
        if not change:
            unit_statuses_ensure(unit=unit)
            return
        before = getattr(form, "campaigns_before", set())
        if before or "kind" in form.changed_data:
            unit.refresh_from_db()
            resync(before | campaigns_over(unit))

    def get_search_results(self, request, queryset, search_term):
        qs, distinct = super().get_search_results(request, queryset, search_term)
        match = getattr(request, "resolver_match", None)
        if match and match.url_name == "autocomplete" and not is_unrestricted(request):
            # Autocomplete fills a form: offer the units the user may place things in.
            qs = qs.filter(scope_for(request.user).q(unit_field="", roles=WRITE_ROLES))
        return qs, distinct

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        at_top = (
            hasattr(request, "_treebeard_parent_id")
            and not request._treebeard_parent_id
            and not getattr(request, "_ignore_treebeard_filters", False)
            and not self.is_filtered(request)
        )
        if at_top and not is_unrestricted(request):
            # The tree of a scoped user starts at the units their roles are held over.
            qs = Unit.objects.filter(path__in=scope_for(request.user).paths)
        return qs

    def children_view(self, request, parent_id):
        if not self.get_queryset(request).filter(pk=parent_id).exists():
            raise Http404
        return super().children_view(request, parent_id)

    @transaction.atomic
    def move_node(self, request):
        """Drag-and-drop moves stay inside the scope: both nodes, and the new parent.

        The campaigns over the old place and over the new one re-sync their status rows.
        """
        node = _unit_posted(Unit.objects.all(), request.POST.get("node"))
        if not is_unrestricted(request):
            visible = units_for_user(request.user)
            target = _unit_posted(visible, request.POST.get("target"))
            if node is None or target is None or not visible.filter(pk=node.pk).exists():
                raise Http404
            parent = (
                target
                if request.POST.get("relation") == "child"
                else Unit.objects.get_parent(target)
            )
            if not covers(request, parent):
                raise Http404
        before = campaigns_over(node) if node is not None else set()
        response = super().move_node(request)
        if node is not None and response.status_code == 200:
            node.refresh_from_db()
            resync(before | campaigns_over(node))
        return response


def _unit_posted(qs, value: str | None) -> Unit | None:
    try:
        return qs.filter(pk=int(value or 0)).first()
    except ValueError:
        return None


# The names other models' relations to a person use in lookups (opinions, reflections …).
_REVERSE_RELATIONS = frozenset(
    f.name for f in User._meta.get_fields() if f.auto_created and not f.concrete
)


class SetPasswordForHolder(AdminPasswordChangeForm):
    """A password set in the back office is someone else's choice: its holder must change
    it at their next sign-in."""

    def save(self, commit: bool = True):
        self.user.must_change_password = self.cleaned_data.get("set_usable_password", True)
        return super().save(commit=commit)


@admin.register(User)
class UserAdmin(ScopedAdminMixin, DjangoUserAdmin):
    change_password_form = SetPasswordForHolder
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("name", "unit", "email", "phone")}),
        (
            _("Permissions"),
            {
                "fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions"),
            },
        ),
        (_("Administrator duty"), {"fields": ("admin_duty",)}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "name",
                    "unit",
                    "email",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    list_display = ("username", "name", "unit", "email", "is_staff", "is_active")
    list_filter = ("is_staff", "is_superuser", "is_active", "unit__kind", "roles__role")
    list_select_related = ("unit",)
    search_fields = ("username", "name", "email", "phone")
    ordering = ("username",)
    autocomplete_fields = ("unit",)
    readonly_fields = ("last_login", "date_joined")

    def lookup_allowed(self, lookup, value, request=None):
        """No filtering people through what points at them (``?opinions=<pk>``): that
        would name the author of an anonymous opinion. The roles filter stays."""
        first = lookup.split(LOOKUP_SEP)[0]
        if first in _REVERSE_RELATIONS and first != "roles":
            return False
        return super().lookup_allowed(lookup, value, request)

    def scope_queryset(self, request, qs):
        if request.user.is_superuser:
            return qs
        # Only superusers manage superusers, whatever unit those sit in.
        return super().scope_queryset(request, qs).filter(is_superuser=False)

    def has_change_permission(self, request, obj=None) -> bool:
        """An administrator's account is not another administrator's to change (三员分立):
        the security administrator may change its access (active, duty, permissions), the
        system administrator nothing; each changes their own password on their own page."""
        allowed = super().has_change_permission(request, obj)
        if not allowed or obj is None or request.user.is_superuser or not obj.admin_duty:
            return allowed
        return duty_of(request.user) == AdminDuty.SECURITY and obj.pk != request.user.pk

    def user_change_password(self, request, id, form_url=""):
        """Nobody but a superuser sets an administrator's password (it would hand over the
        duty); the rest as the change permission says."""
        target = self.get_object(request, id)
        if not request.user.is_superuser and (
            target.admin_duty or duty_of(request.user) == AdminDuty.SECURITY
        ):
            raise Http404
        return super().user_change_password(request, id, form_url)

    def can_write(self, request, obj):
        """A person's details and password belong to an office that holds all their reach.

        The office of the person's unit may manage them only if every role they hold is
        over a unit in its office scope (an office role strictly below its own), and,
        if they use the back office, their permissions are no wider than its own.
        Otherwise changing their password would hand over a wider reach.
        """
        if obj.is_superuser or not covers(request, obj.unit):
            return False
        offices = office_paths(request)
        for role, path in obj.roles.values_list("role", "unit__path"):
            if role == Role.OFFICE:
                if not any(path.startswith(p) and path != p for p in offices):
                    return False
            elif not any(path.startswith(p) for p in offices):
                return False
        # A back-office user is managed only by someone holding at least their permissions.
        return not obj.is_staff or obj.get_all_permissions() <= request.user.get_all_permissions()

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if request.user.is_superuser:
            return fields
        duty = duty_of(request.user)
        if duty:
            # Each duty changes its own fields of an account, and nobody makes a superuser.
            mine = DUTY_USER_FIELDS[duty]
            every = [f for _name, opts in self.fieldsets for f in opts["fields"]]
            return (*fields, *(f for f in every if f not in mine and f not in fields))
        if is_unrestricted(request):
            return fields
        # Who may use the back office, and with what rights, is the security administrator's.
        return (*fields, "is_staff", "is_superuser", "groups", "user_permissions", "admin_duty")

    def save_model(self, request, obj, form, change):
        if not change:
            # The office chose the first password: the person chooses their own.
            obj.must_change_password = obj.has_usable_password()
        super().save_model(request, obj, form, change)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not is_unrestricted(request) and "unit" in form.base_fields:
            # A person without a unit would fall out of the scope that created them.
            form.base_fields["unit"].required = True
        return form


@admin.register(Post)
class PostAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("title", "unit", "holder", "order")
    list_filter = ("unit__kind",)
    list_select_related = ("unit", "holder")
    search_fields = ("title", "unit__name", "unit__short_name", "holder__name")
    autocomplete_fields = ("unit", "holder")
    ordering = ("unit__path", "order", "id")


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("user", "role", "unit")
    list_filter = ("role", "unit__kind")
    list_select_related = ("user", "unit")
    search_fields = ("user__name", "user__username", "unit__name", "unit__short_name")
    autocomplete_fields = ("user", "unit")
    ordering = ("unit__path", "role", "user__username")

    def can_write(self, request, obj):
        return _may_grant(request, obj.role, obj.unit)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class RoleAssignmentForm(form):
            def clean(self):
                cleaned = super().clean()
                role, unit = cleaned.get("role"), cleaned.get("unit")
                holder = cleaned.get("user")
                if holder is not None and (holder.admin_duty or holder.pk == request.user.pk):
                    raise ValidationError(
                        {
                            "user": _(
                                "Administrators hold no role in campaigns, and nobody grants "
                                "a role to themselves."
                            )
                        }
                    )
                if role and unit and not _may_grant(request, role, unit):
                    raise ValidationError(
                        {
                            "unit": _(
                                "The office role can only be granted over units below "
                                "those whose office you are."
                            )
                        }
                    )
                return cleaned

        return RoleAssignmentForm


def _may_grant(request: HttpRequest, role: str, unit: Unit | None) -> bool:
    """Roles over units in the office scope; the office role only strictly below one's own."""
    if is_unrestricted(request):
        return True
    if role == Role.OFFICE:
        return strictly_below_office(request, unit)
    return covers(request, unit)

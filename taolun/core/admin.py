"""The back office is scoped like the pages: staff see and choose only what lies in scope.

Superusers see everything. Any other staff member needs Django model permissions to
see a model at all, and then sees only the rows of the units their roles reach (the
same selector the pages use). An object outside that scope answers 404, whether its
change, delete, history or password URL is asked for, and foreign-key and many-to-many
choices offer only objects in scope.

Reading is not writing: whatever their model permissions, staff change, add or delete
only where they hold the campaign office role over the object's unit (leaders,
contacts, members and supervisors read). Units offered as choices on a form are
therefore those of the office scope, and reference data (``scope_field = None``) is
written by superusers only.

Deleting here is deleting on the pages: campaign business goes to the recycle bin (see
:class:`ScopedAdminMixin`), so the office can put it back.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import ngettext

from taolun.core.models import AuditEvent
from taolun.core.recycle import recycle, retention_days
from taolun.org.models import Unit
from taolun.org.roles import AdminDuty, Role
from taolun.org.selectors import scope_for, scoped

# The roles that write in the back office; every other role only reads there.
WRITE_ROLES: tuple[str, ...] = (Role.OFFICE,)
# Apps whose rows are deleted outright, never into the recycle bin: the organisation is the
# administrators' to keep (三员分立), not the offices' to put back (see ScopedAdminMixin).
OUTSIDE_THE_BIN: frozenset[str] = frozenset({"org"})
# Where to look, after ``scope_field``, for the unit whose bin takes a row that belongs to a
# whole campaign (the campaign itself, a prescribed action): its owner unit, which runs it.
CAMPAIGN_UNIT_FIELDS: tuple[str, ...] = ("campaign__owner_unit", "owner_unit")


def is_unrestricted(request: HttpRequest) -> bool:
    """Not scoped by roles: a superuser, or a system or security administrator — whose
    duty gives them the models of their duty only (``org.duties``), but all of their rows."""
    user = request.user
    return bool(
        user.is_active
        and (user.is_superuser or user.admin_duty in (AdminDuty.SYSTEM, AdminDuty.SECURITY))
    )


def office_paths(request: HttpRequest) -> tuple[str, ...]:
    """The paths of the units the user holds the office role over (collapsed)."""
    return scope_for(request.user).paths_for(WRITE_ROLES)


def may_write_somewhere(request: HttpRequest) -> bool:
    return is_unrestricted(request) or bool(office_paths(request))


class ScopedChoicesMixin:
    """Limit foreign-key and many-to-many choices to what the related model's admin shows.

    The related model's scope is the one its registered :class:`ScopedAdminMixin`
    admin defines, so each model's scope is written once.
    """

    def scoped_choices(self, request: HttpRequest, model: type[Model], qs: QuerySet) -> QuerySet:
        """Restrict ``qs`` (of ``model``) to what the request's user may choose."""
        related_admin = self.admin_site._registry.get(model)
        if isinstance(related_admin, ScopedAdminMixin):
            return related_admin.scope_queryset(request, qs)
        return qs

    def _limited_kwargs(self, db_field, request: HttpRequest, kwargs: dict) -> dict:
        if "queryset" in kwargs or is_unrestricted(request):
            return kwargs
        model = db_field.remote_field.model
        qs = self.get_field_queryset(None, db_field, request)
        if qs is None:
            qs = model._default_manager.all()
        if issubclass(model, Unit):
            # Placing anything in a unit is a write: only units of the office scope.
            office = scope_for(request.user).q(unit_field="", roles=WRITE_ROLES)
            return {**kwargs, "queryset": qs.filter(office)}
        return {**kwargs, "queryset": self.scoped_choices(request, model, qs)}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = self._limited_kwargs(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs = self._limited_kwargs(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ScopedAdminMixin(ScopedChoicesMixin):
    """A ModelAdmin whose rows are scoped to the user's units through the scoping selector.

    ``scope_field`` is the path from the model to its unit ("unit", "record__unit";
    "" for Unit itself; None for reference data every staff member may read).
    Override :meth:`scope_queryset` where scope is not a single unit field.

    Deleting (the delete page and the bulk action alike) follows the pages: a business
    record goes to the recycle bin of the offices over its unit (``core.recycle.recycle``),
    whole, with the rows that go with it; its stored files stay until the bin is purged;
    django-auditlog records the deletion of each row under the same actor and address as a
    deletion on the pages, and the office restores it from the bin. The bin is scoped by
    unit and is the offices', so it takes what belongs to a unit and is theirs to put
    back (:meth:`bin_unit`). Deleted outright instead, as before:

    - reference data (``scope_field = None``, and rows without a unit such as a shared
      channel): no unit, no office whose bin could hold it;
    - the organisation (the ``org`` app): a unit takes its subtree with it by path, which
      the bin cannot rebuild, and accounts, posts and role assignments are the
      administrators' duty (三员分立): an office restoring one would give back an account or
      a role that an administrator withdrew.
    """

    scope_field: str | None = "unit"

    def scope_queryset(self, request: HttpRequest, qs: QuerySet) -> QuerySet:
        if self.scope_field is None or is_unrestricted(request):
            return qs
        return scoped(qs, request.user, unit_field=self.scope_field)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return self.scope_queryset(request, super().get_queryset(request))

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None):
        """Missing and out-of-scope objects both answer 404, never a redirect."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def unit_of(self, obj: Model) -> Unit | None:
        """The unit ``obj`` belongs to, following ``scope_field``."""
        if self.scope_field is None:
            return None
        if self.scope_field == "":
            return obj
        for name in self.scope_field.split("__"):
            if obj is None:
                return None
            obj = getattr(obj, name)
        return obj

    def bin_unit(self, obj: Model) -> Unit | None:
        """The unit whose offices' recycle bin takes ``obj`` when it is deleted here, or
        None when it is deleted outright: the unit ``scope_field`` names or, for what
        belongs to a whole campaign, the campaign's owner unit (as ``can_write`` asks)."""
        if self.scope_field is None or obj._meta.app_label in OUTSIDE_THE_BIN:
            return None
        for path in (self.scope_field, *CAMPAIGN_UNIT_FIELDS):
            unit = _follow(obj, path)
            if isinstance(unit, Unit):
                return unit
        return None

    def can_write(self, request: HttpRequest, obj: Model) -> bool:
        """Whether the user may change or delete this (visible) object.

        Only the office of the object's unit writes; subclasses may narrow this further.
        """
        return covers(request, self.unit_of(obj))

    def has_add_permission(self, request, *args) -> bool:
        allowed = super().has_add_permission(request, *args)
        if not allowed or is_unrestricted(request):
            return allowed
        return self.scope_field is not None and may_write_somewhere(request)

    def has_change_permission(self, request, obj=None) -> bool:
        allowed = super().has_change_permission(request, obj)
        if not allowed or is_unrestricted(request):
            return allowed
        if obj is None:
            return self.scope_field is not None and may_write_somewhere(request)
        return self.can_write(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        if not allowed or is_unrestricted(request):
            return allowed
        if obj is None:
            return self.scope_field is not None and may_write_somewhere(request)
        return self.can_write(request, obj)

    def delete_model(self, request, obj):
        """Into the recycle bin when it can hold ``obj`` (see the class), else outright."""
        unit = self.bin_unit(obj)
        if unit is None:
            super().delete_model(request, obj)
            return
        recycle(obj, actor=request.user, unit=unit)
        self.tell_recycled(request, 1)

    def delete_queryset(self, request, queryset):
        """Bulk deletion asks about each object, as the delete page does, and sends each
        to the recycle bin as the delete page does, all or none."""
        objs = list(queryset)
        if not is_unrestricted(request) and not all(self.can_write(request, obj) for obj in objs):
            raise PermissionDenied
        outright: list = []
        recycled = 0
        with transaction.atomic(using=router.db_for_write(self.model)):
            for obj in objs:
                unit = self.bin_unit(obj)
                if unit is None:
                    outright.append(obj.pk)
                elif type(obj)._base_manager.filter(pk=obj.pk).exists():
                    # Not taken already by the deletion of another selected row.
                    recycle(obj, actor=request.user, unit=unit)
                    recycled += 1
            if outright:
                super().delete_queryset(request, queryset.filter(pk__in=outright))
        if recycled:
            self.tell_recycled(request, recycled)

    def tell_recycled(self, request: HttpRequest, count: int) -> None:
        """Say where the deleted records went, and for how long they can come back."""
        message = ngettext(
            "%(n)s deleted record is in the recycle bin: the office over its unit can "
            "restore it there for %(days)s days.",
            "%(n)s deleted records are in the recycle bin: the office over their unit can "
            "restore them there for %(days)s days.",
            count,
        ) % {"n": count, "days": retention_days()}
        self.message_user(request, message, messages.INFO, fail_silently=True)


def _follow(obj: Model | None, path: str) -> object:
    """The object at the end of ``path`` ("record__unit"), or None where a link is empty."""
    for name in path.split("__") if path else ():
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return obj


class ScopedInlineMixin(ScopedChoicesMixin):
    """Inlines show the rows of a parent already in scope; their choices are scoped too."""


def covers(request: HttpRequest, unit, roles: Iterable[str] | None = WRITE_ROLES) -> bool:
    """Whether the user may write for ``unit`` (a Unit or None): office over it by default.

    Pass ``roles=None`` to ask whether any role reaches it (reading).
    """
    return unit is not None and scope_for(request.user).covers(unit, roles)


def strictly_below_office(request: HttpRequest, unit: Unit | None) -> bool:
    """Whether ``unit`` lies strictly below a unit the user holds the office role over.

    Nobody makes a peer or a superior: the office role is granted (and its holders
    managed) only beneath the offices one holds.
    """
    if unit is None:
        return False
    if is_unrestricted(request):
        return True
    return any(unit.path.startswith(p) and unit.path != p for p in office_paths(request))


class ReadOnlyAdminMixin:
    """Derived or evidence rows: viewable in the back office, changed only by the services."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# -- The audit trail: read by the audit administrator only, changed by no one -------------


def reads_audit_trail(request: HttpRequest) -> bool:
    """The audit administrator's duty (三员分立): not a system or security administrator's,
    nor a superuser's without it."""
    user = request.user
    return bool(user.is_active and user.is_staff and user.admin_duty == AdminDuty.AUDIT)


class AuditTrailAdmin(ReadOnlyAdminMixin):
    """Audit records are read, never added, changed or deleted, in the back office."""

    def has_module_permission(self, request) -> bool:
        return reads_audit_trail(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return reads_audit_trail(request)

    def get_actions(self, request):
        return {}


class LogEntryReadOnlyAdmin(AuditTrailAdmin, LogEntryAdmin):
    """auditlog's own admin, without the deletion it allows while another object is deleted."""


admin.site.unregister(LogEntry)
admin.site.register(LogEntry, LogEntryReadOnlyAdmin)


@admin.register(AuditEvent)
class AuditEventAdmin(AuditTrailAdmin, admin.ModelAdmin):
    list_display = ("at", "kind", "username", "address", "path", "detail")
    list_filter = ("kind",)
    list_select_related = ("actor",)
    search_fields = ("username", "address", "path")
    date_hierarchy = "at"

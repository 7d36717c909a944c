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
"""

from __future__ import annotations

from collections.abc import Iterable

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from taolun.core.models import AuditEvent
from taolun.org.models import Unit
from taolun.org.roles import AdminDuty, Role
from taolun.org.selectors import scope_for, scoped

# The roles that write in the back office; every other role only reads there.
WRITE_ROLES: tuple[str, ...] = (Role.OFFICE,)


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

    def delete_queryset(self, request, queryset):
        """Bulk deletion asks about each object, as the delete page does."""
        if not is_unrestricted(request) and not all(
            self.can_write(request, obj) for obj in queryset
        ):
            raise PermissionDenied
        super().delete_queryset(request, queryset)


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

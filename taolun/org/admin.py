"""Back office for the unit tree, people, posts and roles (scoped: see taolun.core.admin)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from taolun.core.admin import ScopedAdminMixin, covers, is_unrestricted
from taolun.org.models import Post, RoleAssignment, Unit, UnitKind, User
from taolun.org.selectors import scope_for, units_for_user

CHILD_POSITIONS = frozenset({"first-child", "sorted-child", "last-child"})


@admin.register(UnitKind)
class UnitKindAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_field = None  # reference data: every staff member may read the kinds
    list_display = ("name", "code", "takes_part", "order")
    list_editable = ("order",)
    list_filter = ("takes_part",)
    search_fields = ("name", "code")


class UnitForm(movenodeform_factory(Unit, fields=["name", "short_name", "slug", "kind"])):
    """Placement in the tree; for scoped staff, only under a unit in their scope."""

    scope_request: HttpRequest | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.scope_request
        if request is None or is_unrestricted(request):
            return
        field = self.fields["treebeard_ref_node"]
        allowed = units_for_user(request.user).values("pk")
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

    def move_node(self, request):
        """Drag-and-drop moves stay inside the scope: both nodes, and the new parent."""
        if not is_unrestricted(request):
            visible = units_for_user(request.user)
            node = visible.filter(pk=request.POST.get("node") or 0).first()
            target = visible.filter(pk=request.POST.get("target") or 0).first()
            if node is None or target is None:
                raise Http404
            parent = (
                target
                if request.POST.get("relation") == "child"
                else Unit.objects.get_parent(target)
            )
            if not covers(request, parent):
                raise Http404
        return super().move_node(request)


@admin.register(User)
class UserAdmin(ScopedAdminMixin, DjangoUserAdmin):
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("name", "unit", "email", "phone")}),
        (
            _("Permissions"),
            {
                "fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions"),
            },
        ),
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

    def scope_queryset(self, request, qs):
        if is_unrestricted(request):
            return qs
        # Scoped staff never manage superusers, whatever unit those sit in.
        return super().scope_queryset(request, qs).filter(is_superuser=False)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if is_unrestricted(request):
            return fields
        # Who may use the back office, and with what rights, is a superuser's decision.
        return (*fields, "is_staff", "is_superuser", "groups", "user_permissions")

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

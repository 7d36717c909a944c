"""The unit tree, the people in it, their posts and the roles they hold over units."""

from __future__ import annotations

from auditlog.registry import auditlog
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from taolun.org.roles import Role

slug_validator = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    _("Use lower-case letters, digits and single hyphens, e.g. “branch-1”."),
)


class UnitKind(models.Model):
    """Kinds of unit are data: a site adds its own (township, village …) without code."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    takes_part = models.BooleanField(
        _("carries out campaign actions"),
        default=True,
        help_text=_(
            "Units of this kind get a row per action in the campaign matrix; "
            "grouping units (an organ, a department) do not."
        ),
    )

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("unit kind")
        verbose_name_plural = _("unit kinds")

    def __str__(self) -> str:
        return self.name


class Unit(MP_Node):
    """A node of the organisation. ``path`` is the materialised path used for scoping."""

    name = models.CharField(_("name"), max_length=120)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    slug = models.CharField(_("slug"), max_length=60, unique=True, validators=[slug_validator])
    kind = models.ForeignKey(
        UnitKind, on_delete=models.PROTECT, related_name="units", verbose_name=_("kind")
    )

    node_order_by = None

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("org:unit_detail", kwargs={"slug": self.slug})

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def ancestor_paths(self) -> list[str]:
        """Paths of this unit and all its ancestors, root first (no query)."""
        return [self.path[: i * self.steplen] for i in range(1, self.depth + 1)]


class User(AbstractUser):
    """A person. People the records name but who never log in have no usable password."""

    name = models.CharField(_("name"), max_length=60)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("unit"),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [models.Index(Lower("name"), name="org_user_name_lower")]

    def __str__(self) -> str:
        return self.name or self.username

    def get_full_name(self) -> str:
        return self.name or super().get_full_name()

    def get_short_name(self) -> str:
        return self.name or self.username


class Post(models.Model):
    """A post in a unit (党支部书记, 主任 …). The holder may be unknown."""

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="posts", verbose_name=_("unit")
    )
    title = models.CharField(_("title"), max_length=80)
    holder = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name=_("holder"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["unit", "order", "id"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")

    def __str__(self) -> str:
        holder = self.holder.name if self.holder_id else _("(vacant or unknown)")
        return f"{self.unit.display_name} {self.title}: {holder}"


class RoleAssignment(models.Model):
    """A role held over a unit; it reaches the unit's whole subtree."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="roles", verbose_name=_("person")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("unit")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="org_role_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit.display_name}"


auditlog.register(UnitKind)
auditlog.register(Unit)
auditlog.register(User, exclude_fields=["password", "last_login"])
auditlog.register(Post)
auditlog.register(RoleAssignment)

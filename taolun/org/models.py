"""The unit tree, the people in it, their posts and the roles they hold over units."""

from __future__ import annotations

from auditlog.registry import auditlog
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from taolun.org.roles import AdminDuty, Role

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
    # Set when someone else chose the password (a new account, a reset by an administrator):
    # the person must choose their own before doing anything else.
    must_change_password = models.BooleanField(_("must change password"), default=False)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    # Part of the session hash: raising it ends every session of the person ("log out
    # everywhere") without touching the password.
    session_epoch = models.PositiveIntegerField(_("session generation"), default=0, editable=False)
    # Whether the person has a confirmed second factor (django-otp's TOTP device); kept on
    # the row so that checking it costs no query per request.
    second_factor = models.BooleanField(_("second factor set up"), default=False, editable=False)
    admin_duty = models.CharField(
        _("administrator duty"), max_length=10, choices=AdminDuty.choices, blank=True
    )

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

    def save(self, *args, **kwargs) -> None:
        if self.admin_duty:
            self.is_staff = True  # the duties are carried out in the back office
        super().save(*args, **kwargs)

    def _get_session_auth_hash(self, secret=None) -> str:
        """Django's hash of the password, and of the session generation once it has been
        raised: "sign out everywhere" ends every session as a password change does."""
        if not self.session_epoch:
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac(
            "taolun.org.User.session_auth_hash",
            f"{self.password}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


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


class DisabilityCategory(models.TextChoices):
    """The categories of the national disability certificate (残疾人证)."""

    VISUAL = "visual", _("Visual")
    HEARING = "hearing", _("Hearing")
    SPEECH = "speech", _("Speech")
    PHYSICAL = "physical", _("Physical")
    INTELLECTUAL = "intellectual", _("Intellectual")
    MENTAL = "mental", _("Mental")
    MULTIPLE = "multiple", _("Multiple")


class DisabilityRecord(models.Model):
    """A person's disability, as far as their work needs it: sensitive personal data.

    Seen by the person, and by the campaign office over their home unit (who arranges
    meetings and study for them); every view by someone else is written to the audit
    trail, and the certificate number never enters the change log in clear."""

    person = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="disability", verbose_name=_("person")
    )
    category = models.CharField(
        _("category of disability"), max_length=20, choices=DisabilityCategory.choices
    )
    grade = models.PositiveSmallIntegerField(
        _("grade"), choices=[(n, str(n)) for n in (1, 2, 3, 4)], null=True, blank=True
    )
    certificate_number = models.CharField(_("certificate number"), max_length=30, blank=True)
    # What the person needs to take part: a sign-language interpreter, large print, a
    # room without steps, screen-reader friendly documents …
    accommodations = models.TextField(_("support needed to take part"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("disability record")
        verbose_name_plural = _("disability records")

    def __str__(self) -> str:
        # No category here: the change log keeps this text as the record's name.
        return str(self.person)


auditlog.register(UnitKind)
auditlog.register(Unit)
auditlog.register(User, exclude_fields=["password", "last_login"])
auditlog.register(Post)
auditlog.register(RoleAssignment)
# The change log says that the record changed and who changed it, never the values.
auditlog.register(
    DisabilityRecord,
    exclude_fields=["category", "grade", "certificate_number", "accommodations"],
)

"""The role names, in one place."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICE = "office", _("Campaign office")
    LEADER = "leader", _("Leader")
    CONTACT = "contact", _("Unit contact")
    MEMBER = "member", _("Member")
    SUPERVISOR = "supervisor", _("Supervisor")


# Roles that review, approve and sign off.
REVIEWING_ROLES = frozenset({Role.OFFICE})
APPROVING_ROLES = frozenset({Role.OFFICE, Role.LEADER})


class AdminDuty(models.TextChoices):
    """The three administrator duties kept apart (三员分立): one field on the account, so no
    account can hold two of them."""

    SYSTEM = "system", _("System administrator")
    SECURITY = "security", _("Security administrator")
    AUDIT = "audit", _("Audit administrator")

"""Writes for the organisation: units, people, posts and roles."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from taolun.core.audit import audited
from taolun.org.models import Post, RoleAssignment, Unit, UnitKind, User


@transaction.atomic
def unit_add(
    *,
    actor: User | None,
    name: str,
    slug: str,
    kind: UnitKind,
    parent: Unit | None = None,
    short_name: str = "",
    sync: bool = True,
) -> Unit:
    """Add a unit under ``parent`` (or as a root); the tree keeps its materialised path.

    With ``sync`` the unit gets its status rows in the running campaigns at once; bulk
    loaders pass ``sync=False`` and run ``campaign_sync_statuses`` once at the end.
    """
    fields = {"name": name, "slug": slug, "kind": kind, "short_name": short_name}
    Unit(path="0" * Unit.steplen, depth=1, **fields).full_clean(
        exclude=["path", "depth", "numchild"]
    )
    with audited(actor):
        if parent is None:
            unit = Unit.objects.add_root(fields)
        else:
            parent.refresh_from_db()
            unit = Unit.objects.add_child(parent, fields)
    if sync:
        from taolun.campaigns.services import unit_statuses_ensure

        unit_statuses_ensure(unit=unit)
    return unit


@transaction.atomic
def post_set(
    *, actor: User | None, unit: Unit, title: str, holder: User | None, order: int = 0
) -> Post:
    """Create or update the post ``title`` of ``unit``; the holder may be unknown (None)."""
    with audited(actor):
        post, _created = Post.objects.update_or_create(
            unit=unit, title=title, defaults={"holder": holder, "order": order}
        )
    return post


@transaction.atomic
def role_grant(*, actor: User | None, user: User, unit: Unit, role: str) -> RoleAssignment:
    if user.admin_duty:
        # 三员分立: an administrator reads no campaign business, so holds no role in it.
        raise ValidationError(
            {"user": _("Administrators hold no role in campaigns: use another account.")}
        )
    with audited(actor):
        assignment, _created = RoleAssignment.objects.get_or_create(user=user, unit=unit, role=role)
    return assignment


@transaction.atomic
def role_revoke(*, actor: User | None, user: User, unit: Unit, role: str) -> int:
    with audited(actor):
        deleted, _rows = RoleAssignment.objects.filter(user=user, unit=unit, role=role).delete()
    return deleted


# What a campaign office's staff may do in the back office (always within their scope).
OFFICE_STAFF_PERMISSIONS = (
    "org.view_unitkind",
    *(
        f"org.{verb}_{model}"
        for model in ("unit", "user", "post", "roleassignment")
        for verb in ("view", "add", "change")
    ),
    *(
        f"campaigns.{verb}_{model}"
        for model in ("campaign", "theme", "stage", "leadinggroupmember", "action", "unitplan")
        for verb in ("view", "add", "change")
    ),
    "campaigns.view_actionstatus",
    "activities.view_activityrecord",
    "activities.change_activityrecord",
    "activities.view_attachment",
    *(
        f"rectification.view_{model}"
        for model in (
            "problem",
            "measure",
            "progressupdate",
            "progressattachment",
            "extensionrequest",
            "satisfactionvote",
            "ledgerimport",
        )
    ),
    "rectification.change_problem",
)
OFFICE_STAFF_GROUP = "campaign office staff"


@transaction.atomic
def office_staff_group_ensure() -> Group:
    """The group that gives office staff the back office, scoped by their roles."""
    group, _created = Group.objects.get_or_create(name=OFFICE_STAFF_GROUP)
    wanted = Q()
    for dotted in OFFICE_STAFF_PERMISSIONS:
        app_label, codename = dotted.split(".")
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    group.permissions.add(*Permission.objects.filter(wanted))
    return group

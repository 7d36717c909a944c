"""Who may do what with study materials, logs and reflections (django ``rules``).

Objects: a Campaign for ``publish_material`` and ``take_part``; a StudyMaterial,
StudyLog or Reflection otherwise; an ``InCampaign(unit, campaign)`` for
``view_completion``. Reading lists is the selectors' work; these answer the
questions a page asks before it offers a button. Names avoid Django's model
permissions (``change_reflection`` …) so a back-office grant never answers them; the
services test the predicates themselves, so a superuser is no exception to
"one's own account only".
"""

from __future__ import annotations

import rules

from taolun.org.predicates import InCampaign, is_campaign_office, role_over
from taolun.org.roles import Role
from taolun.study.models import StudyMode

# Roles that read other people's logs and submitted reflections in their subtree.
READER_ROLES: tuple[str, ...] = (Role.CONTACT, Role.OFFICE, Role.LEADER, Role.SUPERVISOR)


def takes_part_in(user, campaign) -> bool:
    """A person takes part when their home unit lies in the campaign owner's subtree."""
    if user is None or not user.is_authenticated or not user.is_active or campaign is None:
        return False
    unit = user.unit
    return unit is not None and unit.path.startswith(campaign.owner_unit.path)


@rules.predicate
def takes_part(user, campaign) -> bool:
    return takes_part_in(user, campaign)


@rules.predicate
def is_office_of_campaign(user, campaign) -> bool:
    """The campaign's own office (a role held at or below its owner, over the owner)."""
    return campaign is not None and is_campaign_office.test(
        user, InCampaign(campaign.owner_unit, campaign)
    )


@rules.predicate
def is_material_office(user, material) -> bool:
    return material is not None and is_office_of_campaign.test(user, material.campaign)


@rules.predicate
def is_own(user, obj) -> bool:
    """The log's person or the reflection's author."""
    owner_id = getattr(obj, "person_id", None) or getattr(obj, "author_id", None)
    return obj is not None and owner_id == user.pk


@rules.predicate
def is_alone_log(user, log) -> bool:
    return log is not None and log.mode == StudyMode.ALONE and log.meeting_id is None


@rules.predicate
def is_excellent(user, reflection) -> bool:
    return reflection is not None and reflection.excellent


@rules.predicate
def is_submitted(user, reflection) -> bool:
    return reflection is not None and reflection.is_submitted


is_reader = role_over(*READER_ROLES, name="is_study_reader")
# A submitted reflection stays its author's to edit until the office marks it excellent.
may_edit_reflection = is_own & ~is_excellent
may_delete_log = is_own & is_alone_log

rules.add_perm("study.add_material", is_office_of_campaign)
rules.add_perm("study.change_material", is_material_office)
rules.add_perm("study.take_part", takes_part)
rules.add_perm("study.remove_log", may_delete_log)
rules.add_perm("study.edit_reflection", may_edit_reflection)
rules.add_perm("study.mark_reflection", is_campaign_office & is_submitted)
rules.add_perm("study.view_completion", is_reader)

"""A campaign shaped like the demo's: the seed's plan text, six themes, four stages with
their ten prescribed actions, and a leading group with an unnamed member."""

from __future__ import annotations

import datetime as dt

import pytest

from taolun.campaigns.models import Action, LeadingGroupMember, LeadingGroupRole, Stage, Theme
from taolun.core.demo import ACTIONS, FEDERATION_PLAN, LEADING_GROUP, STAGES, THEMES


@pytest.fixture
def demo_campaign(org):
    campaign = org.campaign
    Theme.objects.filter(campaign=campaign).delete()
    Action.objects.filter(campaign=campaign).delete()
    Stage.objects.filter(campaign=campaign).delete()
    for number, (break_with, focus_on, adhere_to) in enumerate(THEMES, 1):
        Theme.objects.create(
            campaign=campaign,
            number=number,
            break_with=break_with,
            focus_on=focus_on,
            adhere_to=adhere_to,
        )
    stages = {}
    for number, (name, directive, description, start, end) in enumerate(STAGES, 1):
        stages[number] = Stage.objects.create(
            campaign=campaign,
            number=number,
            name=name,
            directive=directive,
            description=description,
            starts_on=start,
            ends_on=end,
        )
    for number, (stage, name, description, due) in enumerate(ACTIONS, 1):
        Action.objects.create(
            campaign=campaign,
            stage=stages[stage],
            number=number,
            name=name,
            description=description,
            due_on=due,
        )
    people = {"weiguo": org.leader, "lijunwen": org.office}
    for order, (role, username, position, duties) in enumerate(LEADING_GROUP, 1):
        LeadingGroupMember.objects.create(
            campaign=campaign,
            role=role,
            order=order,
            position=position,
            duties=duties,
            person=people.get(username, org.contact1) if username else None,
        )
    LeadingGroupMember.objects.create(
        campaign=campaign,
        role=LeadingGroupRole.OFFICE_DIRECTOR,
        order=99,
        position="机关党委专职副书记",
        person=org.contact2,
    )
    campaign.general_requirements = FEDERATION_PLAN["general_requirements"]
    campaign.main_tasks = FEDERATION_PLAN["main_tasks"]
    campaign.methods = FEDERATION_PLAN["methods"]
    campaign.organisation = FEDERATION_PLAN["organisation"]
    campaign.launched_on = dt.date(2019, 2, 22)
    campaign.leading_group_name = "省残联大讨论领导小组"
    campaign.office_unit = org.organ
    campaign.save()
    return campaign

import datetime as dt

from taolun.campaigns.models import Action, Campaign, Stage, Theme
from taolun.campaigns.services import campaign_create, campaign_sync_statuses
from taolun.org.models import Unit


def make_campaign(
    owner: Unit,
    slug: str = "camp",
    *,
    stages: int = 2,
    actions_per_stage: int = 2,
    parent: Campaign | None = None,
    start: dt.date = dt.date(2019, 2, 18),
) -> Campaign:
    """A small campaign: ``stages`` stages of 30 days, each with actions due at its end."""
    campaign = campaign_create(
        actor=None,
        slug=slug,
        name=f"{slug} 大讨论",
        owner_unit=owner,
        starts_on=start,
        ends_on=start + dt.timedelta(days=30 * max(stages, 1)),
        parent=parent,
    )
    if parent is not None:
        return campaign
    number = 0
    for s in range(stages):
        stage = Stage.objects.create(
            campaign=campaign,
            number=s + 1,
            name=f"阶段{s + 1}",
            starts_on=start + dt.timedelta(days=30 * s),
            ends_on=start + dt.timedelta(days=30 * (s + 1) - 1),
        )
        for _ in range(actions_per_stage):
            number += 1
            Action.objects.create(
                campaign=campaign,
                stage=stage,
                number=number,
                name=f"规定动作{number}",
                due_on=stage.ends_on,
            )
    Theme.objects.create(
        campaign=campaign,
        number=1,
        break_with="破除僵化保守",
        focus_on="着力解决改革意识不强问题",
        adhere_to="坚持以改革破解发展难题",
    )
    campaign_sync_statuses(campaign=campaign)
    return campaign

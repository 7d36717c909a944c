"""The records the text side's rows stand for: which a person may open, and where.

Search and the copies page both show texts read from derived rows; each links back to its
record only through that record's own app selectors, so the rules live in one place.
"""

from __future__ import annotations

from collections.abc import Collection

from django.apps import apps
from django.db.models import Q, QuerySet
from django.urls import reverse

from taolun.activities.meeting_selectors import meetings_for_user
from taolun.activities.models import RecordStatus, Statement
from taolun.activities.selectors import records_for_user
from taolun.campaigns.models import UnitPlan
from taolun.campaigns.selectors import campaigns_for_user
from taolun.discussion.selectors import opinions_for_user
from taolun.org.models import User
from taolun.org.selectors import scope_for
from taolun.rectification.selectors import problems_for_user
from taolun.reporting.models import BriefState
from taolun.reporting.selectors import briefs_for_user
from taolun.study.models import Reflection
from taolun.study.selectors import reflections_visible_q


def _not_draft(prefix: str = "") -> Q:
    return ~Q(**{f"{prefix}status": RecordStatus.DRAFT})


def readable(label: str, user: User) -> QuerySet:
    """The records of model ``label`` that ``user`` may open, by that app's own rules; a
    draft (a record, a meeting's statements, a brief) only by its author, since a search
    box reaches further than a list page and half-written text is the author's."""
    if label == "study.Reflection":
        qs = Reflection.objects.filter(campaign__in=campaigns_for_user(user)).filter(
            reflections_visible_q(user)
        )
    elif label == "discussion.Opinion":
        qs = opinions_for_user(user)
    elif label == "reporting.Brief":
        qs = briefs_for_user(user).filter(~Q(state=BriefState.DRAFT) | Q(author=user))
    elif label == "activities.ActivityRecord":
        qs = records_for_user(user).filter(_not_draft() | Q(created_by=user))
    elif label == "activities.Meeting":
        qs = meetings_for_user(user).filter(_not_draft("record__") | Q(record__created_by=user))
    elif label == "activities.Statement":
        meetings = meetings_for_user(user).filter(
            _not_draft("record__") | Q(record__created_by=user)
        )
        qs = Statement.objects.filter(meeting__in=meetings.values("pk"))
    elif label == "rectification.Problem":
        qs = problems_for_user(user)
    elif label == "campaigns.UnitPlan":
        # Read on the unit's page: a unit in scope, in a campaign the user sees.
        qs = UnitPlan.objects.filter(scope_for(user).q()).filter(
            campaign__in=campaigns_for_user(user)
        )
    elif label == "campaigns.Campaign":
        qs = campaigns_for_user(user)
    else:  # a kind added without a rule here is opened by nobody
        return apps.get_model(label)._default_manager.none()
    return qs.order_by()


# Kinds whose page is found from the record's own number.
_BY_PK = {
    "study.Reflection": "study:reflection_detail",
    "discussion.Opinion": "discussion:opinion",
    "reporting.Brief": "reporting:brief_detail",
    "activities.ActivityRecord": "activities:detail",
    "activities.Meeting": "meetings:detail",
    "rectification.Problem": "rectification:problem",
}


def urls(label: str, pks: Collection[int], among: QuerySet | None = None) -> dict[int, str]:
    """The page of each record ``pks`` of model ``label``: of all of them, or only of those
    in ``among`` (``readable(label, user)``). One query at most; none for a kind whose page
    needs only the number, when ``among`` is not given."""
    rows = (among if among is not None else apps.get_model(label)._default_manager).filter(
        pk__in=pks
    )
    if label in _BY_PK:
        found = pks if among is None else rows.values_list("pk", flat=True)
        return {pk: reverse(_BY_PK[label], kwargs={"pk": pk}) for pk in found}
    if label == "activities.Statement":
        return {
            pk: reverse("meetings:detail", kwargs={"pk": meeting}) + f"#statement-{pk}"
            for pk, meeting in rows.values_list("pk", "meeting_id")
        }
    if label == "campaigns.UnitPlan":
        return {
            pk: reverse("org:unit_detail", kwargs={"slug": unit}) + f"?campaign={campaign}"
            for pk, unit, campaign in rows.values_list("pk", "unit__slug", "campaign__slug")
        }
    if label == "campaigns.Campaign":
        return {
            pk: reverse("campaigns:detail", kwargs={"slug": slug})
            for pk, slug in rows.values_list("pk", "slug")
        }
    return {}

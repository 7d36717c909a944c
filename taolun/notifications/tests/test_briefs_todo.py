"""Briefs on the to-do page and in the header counter: sign-off, the office's review (one
line per campaign) and briefs returned to their writer."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse

from taolun.notifications.selectors import briefs_todo_count, todo_count, todo_for
from taolun.reporting.models import BriefState, ReviewState
from taolun.reporting.tests.conftest import levels  # noqa: F401 (fixture)
from taolun.reporting.tests.factories import make_brief

A, P, R = ReviewState.ADOPTED, ReviewState.PENDING, ReviewState.RETURNED
D = dt.date


def everything(levels):  # noqa: F811
    fed, prov = levels.campaign, levels.prov
    levels.signing = make_brief(
        fed, levels.branch1, levels.contact1, title="待签发", state=BriefState.SIGNING
    )
    make_brief(fed, levels.branch1, levels.contact1, title="草稿")
    make_brief(fed, levels.branch1, levels.contact1, title="待审一", reviews=[(fed, P)])
    make_brief(fed, levels.branch2, levels.contact2, title="待审二", reviews=[(fed, P)])
    levels.returned = make_brief(
        fed, levels.branch1, levels.contact1, title="退回", reviews=[(fed, R)]
    )
    make_brief(fed, levels.branch2, levels.contact2, title="上报", reviews=[(fed, A), (prov, P)])
    return levels


def test_who_has_which_brief_to_do(levels):  # noqa: F811
    everything(levels)
    # The branch's head and the campaign's leader sign off; the writer does not.
    assert todo_for(levels.head1).briefs_to_sign == [levels.signing]
    assert todo_for(levels.leader).briefs_to_sign == [levels.signing]
    assert todo_for(levels.contact1).briefs_to_sign == []
    assert todo_for(levels.office).briefs_to_sign == []
    # The federation's office: two briefs in one line; the province: the forwarded one.
    [fed_line] = todo_for(levels.office).briefs_to_review
    assert (fed_line.campaign_slug, fed_line.count) == ("fed", 2)
    [prov_line] = todo_for(levels.prov_office).briefs_to_review
    assert (prov_line.campaign_slug, prov_line.count) == ("prov", 1)
    assert todo_for(levels.leader).briefs_to_review == []
    assert todo_for(levels.supervisor).briefs_to_review == []
    # Returned to its writer only.
    assert todo_for(levels.contact1).briefs_returned == [levels.returned]
    assert todo_for(levels.contact2).briefs_returned == []
    assert todo_for(levels.member1).total == 0


def test_the_office_does_not_review_its_own_brief(levels):  # noqa: F811
    make_brief(levels.campaign, levels.fed, levels.office, reviews=[(levels.campaign, P)])
    assert todo_for(levels.office).briefs_to_review == []
    assert briefs_todo_count(levels.office) == 0


def test_the_counter_agrees_and_costs_one_query(levels, django_assert_num_queries):  # noqa: F811
    everything(levels)
    expected = {"head1": 1, "leader": 1, "office": 1, "prov_office": 1, "contact1": 1}
    for who in ("head1", "leader", "office", "prov_office", "contact1", "contact2", "member1"):
        user = getattr(levels, who)
        todo = todo_for(user)
        brief_items = (
            len(todo.briefs_to_sign) + len(todo.briefs_to_review) + len(todo.briefs_returned)
        )
        assert briefs_todo_count(user) == brief_items == expected.get(who, 0), who
        assert todo_count(user) == todo.total, who
        with django_assert_num_queries(1):
            briefs_todo_count(user)
    # One line per campaign: more briefs at the same office keep the count at one line.
    for i in range(3):
        make_brief(
            levels.campaign,
            levels.branch2,
            levels.contact2,
            title=f"更多{i}",
            reviews=[(levels.campaign, P)],
        )
    assert briefs_todo_count(levels.office) == 1


def test_the_todo_page_lists_briefs(levels, client):  # noqa: F811
    everything(levels)
    client.force_login(levels.office)
    page = client.get(reverse("notifications:todo")).content.decode()
    assert "Briefs awaiting your office's review" in page
    assert re.search(r"2 briefs wait for review", page)
    assert reverse("reporting:briefs", args=["fed"]) + "?state=pending" in page
    client.force_login(levels.head1)
    page = client.get(reverse("notifications:todo")).content.decode()
    assert "Briefs awaiting your sign-off" in page and "待签发" in page
    assert levels.signing.get_absolute_url() in page
    client.force_login(levels.contact1)
    page = client.get(reverse("notifications:todo")).content.decode()
    assert "Briefs returned to you" in page and levels.returned.get_absolute_url() in page


def test_nobody_is_asked_to_pass_what_they_wrote_or_signed(levels):  # noqa: F811
    """The to-do lists agree with ``sign_brief`` and ``decide_review``."""
    from taolun.reporting.models import BriefEvent
    from taolun.reporting.tests.factories import at

    signing = make_brief(
        levels.campaign, levels.branch1, levels.contact1, title="改写过", state=BriefState.SIGNING
    )
    BriefEvent.objects.create(brief=signing, verb="edit", actor=levels.head1, at=at(D(2019, 3, 2)))
    assert todo_for(levels.head1).briefs_to_sign == []
    assert not levels.head1.has_perm("reporting.sign_brief", signing)
    pending = make_brief(
        levels.campaign,
        levels.branch1,
        levels.contact1,
        title="已签",
        reviews=[(levels.campaign, P)],
    )
    pending.signed_by = levels.office
    pending.save()
    assert todo_for(levels.office).briefs_to_review == []
    assert not levels.office.has_perm("reporting.decide_review", pending.reviews.get())

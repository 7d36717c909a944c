"""The read scope every reporting page relies on (selectors.briefs_for_user)."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.utils.timezone import localdate

from taolun.reporting.models import BriefState, ReviewState
from taolun.reporting.selectors import briefs_for_user, get_brief_for_user, public_publications
from taolun.reporting.tests.factories import make_brief, make_publication


def visible(user) -> set[str]:
    return set(briefs_for_user(user).values_list("title", flat=True))


def test_a_unit_sees_only_its_own_briefs_and_offices_what_reached_them(levels):
    make_brief(levels.campaign, levels.branch1, levels.contact1, title="draft1")
    make_brief(
        levels.campaign, levels.branch1, levels.contact1, title="signing1", state=BriefState.SIGNING
    )
    make_brief(
        levels.campaign,
        levels.branch1,
        levels.contact1,
        title="adopted1",
        reviews=[(levels.campaign, ReviewState.ADOPTED)],
    )
    make_brief(
        levels.campaign,
        levels.branch2,
        levels.contact2,
        title="forwarded2",
        reviews=[(levels.campaign, ReviewState.ADOPTED), (levels.prov, ReviewState.PENDING)],
    )
    assert visible(levels.contact1) == {"draft1", "signing1", "adopted1"}
    assert visible(levels.head1) == {"draft1", "signing1", "adopted1"}
    assert visible(levels.contact2) == {"forwarded2"}
    assert visible(levels.leader) == {"signing1", "adopted1", "forwarded2"}
    assert visible(levels.office) == {"adopted1", "forwarded2"}
    assert visible(levels.supervisor) == {"adopted1", "forwarded2"}
    # The province office reads the federation's units but sees only what was forwarded.
    assert visible(levels.prov_office) == {"forwarded2"}
    assert visible(levels.member1) == set()
    assert visible(levels.outsider) == set()


def test_a_brief_outside_scope_answers_404(levels):
    brief = make_brief(levels.campaign, levels.branch1, levels.contact1)
    assert get_brief_for_user(levels.contact1, brief.pk) == brief
    with pytest.raises(Http404):
        get_brief_for_user(levels.contact2, brief.pk)
    with pytest.raises(Http404):
        get_brief_for_user(levels.prov_office, brief.pk)


def test_only_published_items_on_public_channels_are_public(levels):
    adopted = [(levels.campaign, ReviewState.ADOPTED)]
    brief = make_brief(levels.campaign, levels.branch1, levels.contact1, reviews=adopted)
    make_publication(brief, "portal", levels.office)  # planned only
    make_publication(brief, "bulletin", levels.office, published_on=localdate(brief.submitted_at))
    assert not public_publications().exists()
    make_publication(brief, "wechat", levels.office, published_on=localdate(brief.submitted_at))
    assert list(public_publications().values_list("channel__code", flat=True)) == ["wechat"]


def test_an_office_decides_only_at_its_own_campaigns_level(levels):
    """The federation's office sits inside the province's tree, yet the province's review
    of a forwarded brief is the province office's alone, and the other way round."""
    brief = make_brief(
        levels.campaign,
        levels.branch1,
        levels.contact1,
        reviews=[(levels.campaign, ReviewState.ADOPTED), (levels.prov, ReviewState.PENDING)],
    )
    own, above = brief.reviews.order_by("level")
    assert not levels.office.has_perm("reporting.decide_review", above)
    assert levels.prov_office.has_perm("reporting.decide_review", above)
    assert not levels.prov_office.has_perm("reporting.forward_review", own)
    assert not levels.contact1.has_perm("reporting.decide_review", above)

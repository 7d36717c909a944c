"""Who acts at which level, and what stays as it went out: an office works for its own
campaign only, nobody passes what they wrote or signed, an issued bulletin keeps its text,
and each level publishes an item on its own channels."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from taolun.org.models import Post
from taolun.org.predicates import InCampaign
from taolun.org.roles import Role
from taolun.org.tests.factories import UserFactory, grant
from taolun.reporting import briefs, bulletin, cases, publicity
from taolun.reporting.models import CaseKind, CaseState, Channel, ReviewState
from taolun.reporting.tests.factories import make_brief, make_case


def signed_brief(levels, *, signer=None):
    brief = briefs.brief_create(
        actor=levels.contact1,
        campaign=levels.campaign,
        unit=levels.branch1,
        title="支部开展专题学习",
        body="<p>支部组织党员集中学习。</p>",
        phone="0351-1234567",
    )
    briefs.brief_send_for_signoff(actor=levels.contact1, brief=brief)
    briefs.brief_sign(actor=signer or levels.head1, brief=brief)
    return brief


def test_the_federation_office_does_not_act_in_the_province_campaign(levels):
    for perm in ("reporting.nominate_case", "reporting.add_outcome", "reporting.add_brief"):
        assert not levels.office.has_perm(perm, InCampaign(levels.branch1, levels.prov))
        assert levels.office.has_perm(perm, InCampaign(levels.branch1, levels.campaign))
    assert not cases.units_for_reporting(levels.prov, levels.office).exists()
    assert levels.branch1 in cases.units_for_reporting(levels.campaign, levels.office)
    assert levels.prov_office.has_perm(
        "reporting.nominate_case", InCampaign(levels.branch1, levels.prov)
    )
    with pytest.raises(PermissionDenied):
        cases.case_nominate(
            actor=levels.office,
            campaign=levels.prov,
            unit=levels.branch1,
            kind=CaseKind.PRACTICE,
            name="一站式服务",
            story="<p>窗口服务。</p>",
        )


def test_whoever_signed_a_brief_does_not_adopt_it(levels):
    # The branch's secretary also works in the campaign office.
    grant(levels.head1, levels.fed, Role.OFFICE)
    brief = signed_brief(levels)
    review = briefs.brief_submit(actor=levels.contact1, brief=brief)
    assert not levels.head1.has_perm("reporting.decide_review", review)
    with pytest.raises(PermissionDenied):
        briefs.review_decide(actor=levels.head1, review=review, adopt=True)
    assert levels.office.has_perm("reporting.decide_review", review)


def test_a_contact_who_rewrote_a_colleagues_draft_does_not_sign_it(levels):
    rewriter = UserFactory(username="contact1b", name="联络员乙", unit=levels.branch1)
    grant(rewriter, levels.branch1, Role.CONTACT)
    Post.objects.create(unit=levels.branch1, title="组织委员", holder=rewriter, order=2)
    brief = briefs.brief_create(
        actor=levels.contact1,
        campaign=levels.campaign,
        unit=levels.branch1,
        title="初稿",
        body="<p>初稿正文。</p>",
        phone="0351-1234567",
    )
    briefs.brief_send_for_signoff(actor=levels.contact1, brief=brief)
    assert rewriter.has_perm("reporting.sign_brief", brief)  # a post holder, not the writer
    briefs.brief_send_back(actor=rewriter, brief=brief, comment="请补充数据")
    briefs.brief_update(
        actor=rewriter,
        brief=brief,
        title="改写稿",
        body="<p>改写后的正文。</p>",
        phone="0351-1234567",
        kind=brief.kind,
        action=None,
        meeting=None,
        byline="",
    )
    briefs.brief_send_for_signoff(actor=rewriter, brief=brief)
    assert not rewriter.has_perm("reporting.sign_brief", brief)
    assert levels.head1.has_perm("reporting.sign_brief", brief)


def test_whoever_nominates_a_case_again_does_not_approve_it(levels):
    second_office = UserFactory(username="office2", name="办公室二", unit=levels.fed)
    grant(second_office, levels.fed, Role.OFFICE)
    case = make_case(levels.campaign, levels.branch1, levels.contact1)
    cases.case_decide(actor=levels.office, case=case, approve=False, comment="请充实事迹")
    cases.case_update(
        actor=second_office, case=case, nominate_again=True, story="<p>充实后的事迹。</p>"
    )
    case.refresh_from_db()
    assert case.state == CaseState.NOMINATED and case.nominated_by == second_office
    with pytest.raises(PermissionDenied):
        cases.case_decide(actor=second_office, case=case, approve=True)
    cases.case_decide(actor=levels.office, case=case, approve=True)


def test_an_issued_bulletin_keeps_the_text_it_went_out_with(levels):
    brief = make_brief(
        levels.campaign,
        levels.branch1,
        levels.contact1,
        title="原题",
        reviews=[(levels.campaign, ReviewState.ADOPTED), (levels.prov, ReviewState.RETURNED)],
    )
    issue = bulletin.issue_create(actor=levels.office, campaign=levels.campaign)
    bulletin.issue_set_items(actor=levels.office, issue=issue, brief_ids=[brief.pk])
    bulletin.issue_publish(actor=levels.office, issue=issue)
    own = brief.reviews.get(level=1)
    briefs.review_edit_text(actor=levels.office, review=own, title="新题", body="<p>全新</p>")
    issue.refresh_from_db()
    [item] = bulletin.issue_items(issue)
    assert item.title == "原题"
    draft = bulletin.issue_create(actor=levels.office, campaign=levels.campaign)
    bulletin.issue_set_items(actor=levels.office, issue=draft, brief_ids=[brief.pk])
    assert bulletin.issue_items(draft)[0].title == "新题"


def test_each_level_publishes_on_its_own_channels(levels, travel):
    travel(levels.prov.starts_on.replace(month=4, day=20))
    brief = make_brief(
        levels.campaign,
        levels.branch1,
        levels.contact1,
        reviews=[(levels.campaign, ReviewState.ADOPTED), (levels.prov, ReviewState.ADOPTED)],
    )
    theirs = Channel.objects.create(
        code="prov-portal", name="省委网站", kind="portal", unit=levels.province
    )
    portal = Channel.objects.get(code="portal")
    assert theirs not in publicity.active_channels(levels.campaign)
    assert theirs in publicity.active_channels(levels.prov)
    [ours] = publicity.publication_mark(
        actor=levels.office, campaign=levels.campaign, item=brief, channels=[portal]
    )
    # The province carries the same brief on the shared portal too, and on its own site.
    marked = publicity.publication_mark(
        actor=levels.prov_office, campaign=levels.prov, item=brief, channels=[portal, theirs]
    )
    assert len(marked) == 2
    for publication in (ours, *marked):
        publicity.publication_publish(actor=publication.marked_by, publication=publication)
    assert [p.brief for p in publicity.public_items(levels.campaign)] == [brief]
    assert [p.brief for p in publicity.public_items(levels.prov)] == [brief]
    assert publicity.public_items().count() == 1

"""The reporting demo, loaded once for the class: briefs at every state of both levels,
typical cases and outcomes, quotas, points and a league table, an item per channel, an
issued bulletin and a draft summary; a second run of each part adds nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.timezone import localdate

from taolun.campaigns.models import Campaign
from taolun.core import clock
from taolun.core.demo import DEMO_TODAY, FEDERATION_SLUG, _Loader
from taolun.core.tests.test_demo import demo, demo_loaded  # noqa: F401 (fixtures)
from taolun.reporting import demo_briefs, demo_cases, demo_publicity, demo_stats, demo_summary
from taolun.reporting.briefs import adopted_text
from taolun.reporting.bulletin import issue_items
from taolun.reporting.models import (
    Brief,
    BriefEvent,
    BriefIssue,
    BriefPoints,
    BriefQuota,
    BriefReview,
    BriefState,
    CampaignSummary,
    CaseState,
    InstitutionalOutcome,
    IssueState,
    LeagueTable,
    OutcomeKind,
    Publication,
    PublicationState,
    ReviewState,
    SummaryState,
    TypicalCase,
)
from taolun.reporting.stats import quota_shortfalls
from taolun.reporting.summary import summary_facts, summary_html


def _load_area(part) -> _Loader:
    """One part of the reporting demo run again over the loaded demo."""
    loader = _Loader()
    with clock.travel(DEMO_TODAY):
        loader.load_org()  # finds the demo's units and people; adds nothing
        part.load(loader, Campaign.objects.get(slug=FEDERATION_SLUG))
    return loader


@pytest.mark.usefixtures("demo")
class TestReportingDemo:
    def test_briefs_at_every_state_once(self):
        briefs = {b.title: b for b in Brief.objects.filter(campaign__slug=FEDERATION_SLUG)}
        states = {
            demo_briefs.TITLE_DRAFT: BriefState.DRAFT,
            demo_briefs.TITLE_SIGNING: BriefState.SIGNING,
            demo_briefs.TITLE_SIGNED: BriefState.SIGNED,
            demo_briefs.TITLE_SUBMITTED: BriefState.SUBMITTED,
            demo_briefs.TITLE_RETURNED: BriefState.RETURNED,
            demo_briefs.TITLE_ADOPTED: BriefState.ADOPTED,
            demo_briefs.TITLE_ADOPTED_EDITED: BriefState.ADOPTED,
            demo_briefs.TITLE_PROVINCE_PENDING: BriefState.ADOPTED,
            demo_briefs.TITLE_PROVINCE_ADOPTED: BriefState.ADOPTED,
            demo_briefs.TITLE_PROVINCE_RETURNED: BriefState.ADOPTED,
        }
        assert {t: briefs[t].state for t in states} == states
        province = {
            r.brief.title: r.state
            for r in BriefReview.objects.filter(level=2).select_related("brief", "campaign")
        }
        assert province == {
            demo_briefs.TITLE_PROVINCE_PENDING: ReviewState.PENDING,
            demo_briefs.TITLE_PROVINCE_ADOPTED: ReviewState.ADOPTED,
            demo_briefs.TITLE_PROVINCE_RETURNED: ReviewState.RETURNED,
        }
        edited = briefs[demo_briefs.TITLE_ADOPTED_EDITED]
        assert adopted_text(edited)[0] == demo_briefs.EDITED_TITLE
        assert edited.title == demo_briefs.TITLE_ADOPTED_EDITED  # the original is kept
        assert adopted_text(briefs[demo_briefs.TITLE_PROVINCE_PENDING])[0] == (
            demo_briefs.FORWARD_TITLE_PENDING
        )
        mobilisation = briefs[demo_briefs.TITLE_PROVINCE_ADOPTED]
        assert mobilisation.meeting is not None and mobilisation.action.number == 1
        assert mobilisation.photos.get().content_type == "image/png"
        days = BriefEvent.objects.values_list("at", flat=True)
        assert localdate(min(days)).month == 3 and localdate(max(days)) <= DEMO_TODAY

        before = (Brief.objects.count(), BriefReview.objects.count(), BriefEvent.objects.count())
        loader = _load_area(demo_briefs)
        assert loader.result.created["briefs"] == 0
        after = (Brief.objects.count(), BriefReview.objects.count(), BriefEvent.objects.count())
        assert after == before

    def test_cases_and_outcomes_once(self):
        cases = {c.name: c for c in TypicalCase.objects.filter(campaign__slug=FEDERATION_SLUG)}
        approved = cases[demo_cases.CASE_APPROVED]
        assert approved.state == CaseState.APPROVED
        assert approved.decided_by.username == "lijunwen"
        assert localdate(approved.decided_at).isoformat() == "2019-04-25"
        assert approved.theme.number == 6
        assert cases[demo_cases.CASE_NOMINATED].state == CaseState.NOMINATED
        outcomes = {
            o.title: o for o in InstitutionalOutcome.objects.filter(campaign__slug=FEDERATION_SLUG)
        }
        conduct = outcomes[demo_cases.OUTCOME_CONDUCT]
        assert conduct.has_file and conduct.content_type == "application/pdf"
        assert conduct.problems.count() == 3
        assert [t.number for t in conduct.themes.all()] == [6]
        revised = outcomes[demo_cases.OUTCOME_DECISIONS]
        assert revised.kind == OutcomeKind.REVISED and revised.revises
        assert revised.problems.count() == 1
        again = _load_area(demo_cases)
        assert not again.result.created
        assert TypicalCase.objects.count() == len(cases)
        assert InstitutionalOutcome.objects.count() == len(outcomes)

    def test_quotas_points_and_a_league_table_once(self):
        campaign = Campaign.objects.get(slug=FEDERATION_SLUG)
        quotas = {
            (q.unit_kind.code, q.period, q.measure, q.count)
            for q in BriefQuota.objects.filter(campaign=campaign)
        }
        assert quotas == {
            ("branch", "month", "submitted", 2),
            ("department", "month", "submitted", 1),
        }
        assert dict(
            BriefPoints.objects.filter(campaign=campaign).values_list("level", "points")
        ) == {
            1: 1,
            2: 3,
        }
        table = LeagueTable.objects.get(campaign=campaign)
        assert table.title == demo_stats.LEAGUE_TITLE
        assert localdate(table.published_at) == demo_stats.LEAGUE_PUBLISHED_ON
        assert table.rows and table.rows[0]["rank"] == 1
        assert float(table.rows[0]["points"]) > 0
        # Something to flag: some units fell short in the demo's months.
        assert quota_shortfalls(campaign, DEMO_TODAY)
        again = _load_area(demo_stats)
        assert not again.result.created

    def test_an_item_published_per_channel_once(self, client):
        rows = Publication.objects.filter(campaign__slug=FEDERATION_SLUG).select_related(
            "channel", "brief"
        )
        published = {p.channel.code for p in rows if p.state == PublicationState.PUBLISHED}
        assert {"portal", "wechat", "weibo", "bulletin"} <= published
        planned = [p for p in rows if p.state == PublicationState.PLANNED]
        assert [p.brief.title for p in planned] == [demo_briefs.TITLE_PROVINCE_PENDING]
        assert all(p.published_on is None or p.published_on <= DEMO_TODAY for p in rows)
        case = TypicalCase.objects.filter(
            campaign__slug=FEDERATION_SLUG, state=CaseState.APPROVED
        ).first()
        if case is not None:
            assert case.publications.filter(
                channel__code="portal", state=PublicationState.PUBLISHED
            ).exists()

        page = client.get(reverse("public:index")).content.decode()
        edited = next(p for p in rows if p.channel.code == "weibo")
        assert edited.title == demo_briefs.EDITED_TITLE  # the office's adopted text
        assert edited.title in page
        assert demo_briefs.TITLE_PROVINCE_PENDING not in page
        assert demo_briefs.TITLE_DRAFT not in page

        before = Publication.objects.count()
        assert sum(_load_area(demo_publicity).result.created.values()) == 0
        assert Publication.objects.count() == before

    def test_an_issued_bulletin_and_a_draft_summary_once(self):
        campaign = Campaign.objects.get(slug=FEDERATION_SLUG)
        issue = BriefIssue.objects.get(campaign=campaign, number=1)
        assert issue.state == IssueState.ISSUED
        assert issue.issued_on == dt.date(2019, 4, 26)
        assert len(issue_items(issue)) == 2
        summary = CampaignSummary.objects.get(campaign=campaign)
        assert summary.state == SummaryState.DRAFT
        assert localdate(summary.assembled_at) == DEMO_TODAY
        facts = summary_facts(campaign)
        assert facts.records_accepted > 0
        # The draft is the assembly of the demo's data, as the demo's Chinese UI words it.
        with translation.override("zh-hans"):
            assert summary.body == summary_html(campaign, facts)
        assert f"审核通过 {facts.records_accepted} 条" in summary.body

        again = _Loader()
        again.load_org()
        with clock.travel(DEMO_TODAY):
            demo_summary.load(again, campaign)
        assert not again.result.created.get("bulletin issues")
        assert not again.result.created.get("campaign summaries")
        assert BriefIssue.objects.filter(campaign=campaign).count() == 1

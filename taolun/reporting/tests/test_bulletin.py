"""The bulletin (简报): issues made by the office from briefs adopted at its level, ordered,
issued, then read by everyone taking part (drafts by the office only)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import translation

from taolun.reporting.bulletin import (
    adoptable_briefs,
    get_issue_for_user,
    issue_create,
    issue_items,
    issue_publish,
    issue_set_items,
    issue_update,
    issues_for_user,
)
from taolun.reporting.models import BriefIssue, BriefReview, IssueState, ReviewState
from taolun.reporting.tests.factories import make_brief

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def briefs(levels):
    """Two briefs adopted by the federation's office (one forwarded and adopted above with
    an edited text), one still pending, one returned."""
    fed, prov = levels.campaign, levels.prov
    levels.one = make_brief(
        fed, levels.branch1, levels.contact1, title="一支部动员", reviews=[(fed, "adopted")]
    )
    levels.two = make_brief(
        fed,
        levels.branch2,
        levels.contact2,
        title="二支部学习",
        reviews=[(fed, "adopted"), (prov, "adopted")],
    )
    BriefReview.objects.filter(brief=levels.two, level=1).update(title="二支部集中学习（办公室改）")
    BriefReview.objects.filter(brief=levels.two, level=2).update(body="<p>省委办公室改写的正文</p>")
    levels.pending = make_brief(
        fed, levels.branch1, levels.contact1, title="待审", reviews=[(fed, ReviewState.PENDING)]
    )
    levels.returned = make_brief(
        fed, levels.branch1, levels.contact1, title="退回", reviews=[(fed, ReviewState.RETURNED)]
    )
    return levels


def test_a_new_issue_takes_the_next_number_and_the_campaigns_defaults(briefs, travel):
    travel(dt.date(2019, 4, 15))
    first = issue_create(actor=briefs.office, campaign=briefs.campaign)
    assert first.number == 1
    assert first.masthead == "fed 大讨论简报"
    assert first.editor == "省残联"
    assert first.issued_on == dt.date(2019, 4, 15)
    assert first.recipients.splitlines()[0] == "报：省委"
    assert first.state == IssueState.DRAFT
    second = issue_create(actor=briefs.office, campaign=briefs.campaign, masthead="信息快报")
    assert (second.number, second.masthead) == (2, "信息快报")


def test_a_long_campaign_name_gets_the_generic_masthead(briefs):
    briefs.campaign.name = "省残联“改革创新、奋发有为”大讨论活动"
    issue = issue_create(actor=briefs.office, campaign=briefs.campaign)
    assert issue.masthead == "大讨论简报"


def test_a_taken_number_or_an_empty_field_is_refused_and_named(briefs):
    issue_create(actor=briefs.office, campaign=briefs.campaign)
    with pytest.raises(ValidationError) as caught:
        issue_create(actor=briefs.office, campaign=briefs.campaign, number=1)
    assert "number" in caught.value.error_dict
    issue = BriefIssue.objects.get()
    with pytest.raises(ValidationError) as caught:
        issue_update(
            actor=briefs.office,
            issue=issue,
            masthead=" ",
            editor="",
            issued_on=None,
            recipients="",
            number=1,
        )
    assert set(caught.value.error_dict) == {"masthead", "editor", "issued_on"}


def test_only_the_office_makes_issues(briefs):
    for who in (briefs.leader, briefs.contact1, briefs.supervisor, briefs.prov_office):
        with pytest.raises(PermissionDenied):
            issue_create(actor=who, campaign=briefs.campaign)


def test_only_briefs_adopted_at_this_office_can_be_picked(briefs):
    assert set(adoptable_briefs(briefs.campaign)) == {briefs.one, briefs.two}
    # The province's office sees only what was forwarded and adopted there.
    assert list(adoptable_briefs(briefs.prov)) == [briefs.two]
    issue = issue_create(actor=briefs.office, campaign=briefs.campaign)
    for wrong in (briefs.pending, briefs.returned):
        with pytest.raises(ValidationError):
            issue_set_items(actor=briefs.office, issue=issue, brief_ids=[briefs.one.pk, wrong.pk])
    assert not issue.items.exists()
    up = issue_create(actor=briefs.prov_office, campaign=briefs.prov)
    with pytest.raises(ValidationError):
        issue_set_items(actor=briefs.prov_office, issue=up, brief_ids=[briefs.one.pk])


def test_items_keep_the_order_given_and_print_the_text_adopted_at_this_level(briefs):
    issue = issue_create(actor=briefs.office, campaign=briefs.campaign)
    issue_set_items(actor=briefs.office, issue=issue, brief_ids=[briefs.two.pk, briefs.one.pk])
    items = issue_items(issue)
    assert [i.brief for i in items] == [briefs.two, briefs.one]
    # The federation's office edited the title; the province's edit is not its text.
    assert items[0].title == "二支部集中学习（办公室改）"
    assert "省委办公室" not in items[0].body
    issue_set_items(actor=briefs.office, issue=issue, brief_ids=[briefs.one.pk, briefs.two.pk])
    assert [i.brief for i in issue_items(issue)] == [briefs.one, briefs.two]
    # At the province, the federation's title carries up and the province's text wins.
    up = issue_create(actor=briefs.prov_office, campaign=briefs.prov)
    issue_set_items(actor=briefs.prov_office, issue=up, brief_ids=[briefs.two.pk])
    (item,) = issue_items(up)
    assert item.title == "二支部集中学习（办公室改）"
    assert item.body == "<p>省委办公室改写的正文</p>"


def test_an_issue_needs_items_and_once_issued_is_no_longer_changed(briefs):
    issue = issue_create(actor=briefs.office, campaign=briefs.campaign)
    with pytest.raises(ValidationError):
        issue_publish(actor=briefs.office, issue=issue)
    issue_set_items(actor=briefs.office, issue=issue, brief_ids=[briefs.one.pk])
    with pytest.raises(PermissionDenied):
        issue_publish(actor=briefs.contact1, issue=issue)
    issue = issue_publish(actor=briefs.office, issue=issue)
    assert issue.state == IssueState.ISSUED
    with pytest.raises(ValidationError):
        issue_set_items(actor=briefs.office, issue=issue, brief_ids=[briefs.two.pk])
    with pytest.raises(ValidationError):
        issue_update(
            actor=briefs.office,
            issue=issue,
            masthead="x",
            editor="y",
            issued_on=dt.date(2019, 4, 1),
            recipients="",
            number=1,
        )
    with pytest.raises(ValidationError):
        issue_publish(actor=briefs.office, issue=issue)


def test_drafts_are_read_by_the_office_issued_ones_by_everyone_taking_part(briefs):
    draft = issue_create(actor=briefs.office, campaign=briefs.campaign)
    issued = issue_create(actor=briefs.office, campaign=briefs.campaign)
    issue_set_items(actor=briefs.office, issue=issued, brief_ids=[briefs.one.pk])
    issue_publish(actor=briefs.office, issue=issued)
    assert list(issues_for_user(briefs.office, briefs.campaign)) == [issued, draft]
    for who in (briefs.contact1, briefs.member1, briefs.leader):
        assert list(issues_for_user(who, briefs.campaign)) == [issued]
        with pytest.raises(Http404):
            get_issue_for_user(who, briefs.campaign, draft.number)


# ---------------------------------------------------------------- pages


def list_url(slug: str = "fed") -> str:
    return reverse("reporting:bulletins", args=[slug])


def issue_url(number: int, name: str = "bulletin", slug: str = "fed") -> str:
    return reverse(f"reporting:{name}", args=[slug, number])


FIELDS = {
    "masthead": "大讨论简报",
    "number": "1",
    "editor": "省残联机关党委",
    "issued_on": "2019-04-15",
    "recipients": "报：省委\n发：各支部",
}


def test_the_office_makes_orders_and_issues_an_issue_through_the_pages(client, briefs):
    client.force_login(briefs.office)
    page = client.get(list_url()).content.decode()
    assert "Start a new issue" in page and 'value="fed 大讨论简报"' in page
    response = client.post(list_url(), FIELDS)
    assert response.status_code == 302 and response["Location"] == issue_url(1)
    page = client.get(issue_url(1)).content.decode()
    assert "一支部动员" in page and "待审" not in page
    response = client.post(
        issue_url(1, "bulletin_items"),
        {f"pos_{briefs.one.pk}": "2", f"pos_{briefs.two.pk}": "1"},
    )
    assert response.status_code == 302
    issue = BriefIssue.objects.get()
    assert [i.brief for i in issue_items(issue)] == [briefs.two, briefs.one]
    assert client.post(issue_url(1, "bulletin_issue")).status_code == 302
    issue.refresh_from_db()
    assert issue.state == IssueState.ISSUED
    page = client.get(issue_url(1)).content.decode()
    assert "Save the items" not in page
    assert 'href="/campaigns/fed/documents/brief.docx?issue=1"' in page


def test_a_refused_issue_keeps_what_was_typed(client, briefs):
    issue_create(actor=briefs.office, campaign=briefs.campaign)
    client.force_login(briefs.office)
    response = client.post(list_url(), {**FIELDS, "editor": "我的编辑部"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Issue 1 exists already." in html
    assert 'value="我的编辑部"' in html
    assert BriefIssue.objects.count() == 1
    response = client.post(issue_url(1, "bulletin_items"), {f"pos_{briefs.one.pk}": "zero"})
    assert response.status_code == 200
    assert 'value="zero"' in response.content.decode()


def test_a_contact_reads_issued_issues_only_and_an_outsider_nothing(client, briefs):
    draft = issue_create(actor=briefs.office, campaign=briefs.campaign)
    client.force_login(briefs.contact1)
    page = client.get(list_url()).content.decode()
    assert "Start a new issue" not in page and "No issue of the bulletin yet." in page
    assert client.get(issue_url(draft.number)).status_code == 404
    assert client.post(list_url(), FIELDS).status_code == 403
    issue_set_items(actor=briefs.office, issue=draft, brief_ids=[briefs.one.pk])
    issue_publish(actor=briefs.office, issue=draft)
    page = client.get(issue_url(draft.number)).content.decode()
    assert "一支部动员" in page
    assert client.post(issue_url(draft.number, "bulletin_items"), {}).status_code == 403
    client.force_login(briefs.outsider)
    assert client.get(list_url()).status_code == 404
    assert client.get(issue_url(draft.number)).status_code == 404


@pytest.mark.parametrize("page", ["list", "issue"])
def test_bulletin_pages_do_not_grow_with_rows(client, briefs, page, django_assert_max_num_queries):
    def add_issue():
        issue = issue_create(actor=briefs.office, campaign=briefs.campaign)
        extra = [
            make_brief(
                briefs.campaign,
                briefs.branch1,
                briefs.contact1,
                title=f"加{n}",
                reviews=[(briefs.campaign, "adopted")],
            ).pk
            for n in range(3)
        ]
        issue_set_items(
            actor=briefs.office, issue=issue, brief_ids=[briefs.one.pk, briefs.two.pk, *extra]
        )
        return issue

    first = add_issue()
    target = list_url() if page == "list" else issue_url(first.number)
    client.force_login(briefs.office)
    client.get(target)
    with django_assert_max_num_queries(25) as few:
        assert client.get(target).status_code == 200
    for _ in range(3):
        add_issue()
    extra_issue = BriefIssue.objects.get(number=1)
    issue_set_items(
        actor=briefs.office,
        issue=extra_issue,
        brief_ids=list(adoptable_briefs(briefs.campaign).values_list("pk", flat=True)),
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(target).status_code == 200

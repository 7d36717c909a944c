"""The back office for reporting: scoped like the pages; workflows read-only there."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.admin.sites import site

from taolun.campaigns.tests.factories import make_campaign
from taolun.core.tests.admin_utils import make_staff, url
from taolun.org.roles import Role
from taolun.org.tests.factories import UserFactory, grant, make_unit
from taolun.reporting import models
from taolun.reporting.models import (
    Brief,
    BriefState,
    CaseState,
    Channel,
    InstitutionalOutcome,
    Publication,
    ReviewState,
    TypicalCase,
)
from taolun.reporting.tests.factories import (
    make_brief,
    make_case,
    make_outcome,
    make_publication,
)

pytestmark = pytest.mark.django_db


def test_every_reporting_model_with_its_own_page_is_registered():
    inline_only = {models.BriefPhoto, models.BriefEvent, models.BriefIssueItem}
    for model in apps.get_app_config("reporting").get_models():
        assert model in site._registry or model in inline_only, model


def test_staff_of_a_branch_see_only_their_cases_and_outcomes(levels, client):
    mine = make_case(levels.campaign, levels.branch1, levels.contact1, name="一支部典型")
    theirs = make_case(levels.campaign, levels.branch2, levels.contact2, name="二支部典型")
    shared = make_case(
        levels.campaign, levels.branch2, levels.contact2, name="已审定", state=CaseState.APPROVED
    )
    staff = make_staff(
        levels.contact1, "reporting.view_typicalcase", "reporting.view_institutionaloutcome"
    )
    client.force_login(staff)
    listing = client.get(url(TypicalCase)).content.decode()
    assert "一支部典型" in listing and "已审定" in listing and "二支部典型" not in listing
    assert client.get(url(TypicalCase, "change", theirs.pk)).status_code == 404
    assert client.get(url(TypicalCase, "change", mine.pk)).status_code == 200
    assert client.get(url(TypicalCase, "change", shared.pk)).status_code == 200
    outcome = make_outcome(levels.campaign, levels.branch2, levels.contact2, title="二支部制度")
    assert "二支部制度" in client.get(url(InstitutionalOutcome)).content.decode()
    assert client.get(url(InstitutionalOutcome, "change", outcome.pk)).status_code == 200


def test_briefs_are_read_only_and_drafts_stay_with_their_unit(levels, client):
    draft = make_brief(levels.campaign, levels.branch1, levels.contact1, title="一支部草稿")
    adopted = make_brief(
        levels.campaign,
        levels.branch2,
        levels.contact2,
        title="二支部已采用",
        reviews=[(levels.campaign, ReviewState.ADOPTED)],
    )
    staff = make_staff(
        levels.office,
        "reporting.view_brief",
        "reporting.change_brief",
        "reporting.delete_brief",
    )
    client.force_login(staff)
    listing = client.get(url(Brief)).content.decode()
    assert "二支部已采用" in listing and "一支部草稿" not in listing
    assert client.get(url(Brief, "change", draft.pk)).status_code == 404
    client.post(url(Brief, "change", adopted.pk), {"title": "篡改"})
    adopted.refresh_from_db()
    assert adopted.title == "二支部已采用" and adopted.state == BriefState.ADOPTED
    assert client.post(url(Brief, "delete", adopted.pk), {"post": "yes"}).status_code == 403
    assert Brief.objects.filter(pk=adopted.pk).exists()


def test_the_office_corrects_a_case_and_the_story_is_sanitised(levels, client):
    case = make_case(levels.campaign, levels.branch1, levels.contact1)
    staff = make_staff(levels.office, "reporting.view_typicalcase", "reporting.change_typicalcase")
    client.force_login(staff)
    response = client.post(
        url(TypicalCase, "change", case.pk),
        {
            "name": "改过的名字",
            "summary": "一句话",
            "story": '<p onclick="x()">故事</p><script>x</script>',
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.name == "改过的名字" and case.story == "<p>故事</p>"
    assert case.state == CaseState.NOMINATED  # the state is not the back office's


def test_a_contact_reads_but_does_not_write_in_the_back_office(levels, client):
    case = make_case(levels.campaign, levels.branch1, levels.contact1)
    staff = make_staff(
        levels.contact1, "reporting.view_typicalcase", "reporting.change_typicalcase"
    )
    client.force_login(staff)
    response = client.post(
        url(TypicalCase, "change", case.pk), {"name": "改", "summary": "", "story": "<p>x</p>"}
    )
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.name == "爱岗敬业的康复医生"


def test_publications_are_scoped_to_the_campaigns_offices(levels, client):
    adopted = make_brief(
        levels.campaign,
        levels.branch1,
        levels.contact1,
        reviews=[(levels.campaign, ReviewState.ADOPTED)],
    )
    publication = make_publication(adopted, "portal", levels.office)
    office = make_staff(levels.office, "reporting.view_publication")
    client.force_login(office)
    assert client.get(url(Publication, "change", publication.pk)).status_code == 200
    contact = make_staff(levels.contact1, "reporting.view_publication")
    client.force_login(contact)
    assert client.get(url(Publication, "change", publication.pk)).status_code == 404


def test_a_units_channels_are_kept_by_its_office_and_shared_ones_by_superusers(levels, client):
    perms = ("reporting.view_channel", "reporting.change_channel", "reporting.add_channel")
    shared = Channel.objects.get(code="portal")
    own = Channel.objects.create(
        code="fed-wechat", name="省残联微信", kind="wechat", unit=levels.fed
    )
    theirs = Channel.objects.create(
        code="prov-portal", name="省委网站", kind="portal", unit=levels.province
    )

    def data(channel, name):
        return {
            "code": channel.code,
            "name": name,
            "kind": channel.kind,
            "unit": channel.unit_id or "",
            "is_public": "on",
            "order": 0,
            "active": "on",
        }

    contact = make_staff(levels.contact1, *perms)
    client.force_login(contact)
    listing = client.get(url(Channel)).content.decode()
    assert "门户网站" in listing and "省委网站" not in listing and "省残联微信" not in listing
    assert client.post(url(Channel, "change", own.pk), data(own, "改名")).status_code == 404
    assert client.post(url(Channel, "change", shared.pk), data(shared, "x")).status_code == 403
    client.force_login(make_staff(levels.office, *perms))
    assert client.post(url(Channel, "change", own.pk), data(own, "改名")).status_code == 302
    own.refresh_from_db()
    assert own.name == "改名"
    # The shared channels and another unit's are not the federation office's to change.
    assert client.post(url(Channel, "change", shared.pk), data(shared, "x")).status_code == 403
    assert client.get(url(Channel, "change", theirs.pk)).status_code == 404
    # A channel the office adds is its own unit's: it cannot make a shared one.
    added = {**data(own, "省残联微博"), "code": "fed-weibo", "kind": "weibo", "unit": ""}
    page = client.post(url(Channel, "add"), added)
    assert page.status_code == 200 and not Channel.objects.filter(code="fed-weibo").exists()


def test_the_office_of_another_federation_sees_nothing_of_this_one(levels, client):
    other = make_unit("省工会", "union", levels.province, kind="organisation")
    other_office = UserFactory(username="union_office", name="工会办公室", unit=other)
    grant(other_office, other, Role.OFFICE)
    other_campaign = make_campaign(other, "union", parent=levels.prov)
    theirs = make_case(other_campaign, other, other_office, name="工会典型")
    make_case(levels.campaign, levels.branch1, levels.contact1, name="残联提名")
    make_case(
        levels.campaign, levels.branch2, levels.contact2, name="残联审定", state=CaseState.APPROVED
    )
    make_outcome(levels.campaign, levels.branch1, levels.contact1, title="残联制度")
    perms = ("reporting.view_typicalcase", "reporting.view_institutionaloutcome")
    client.force_login(make_staff(other_office, *perms))
    listing = client.get(url(TypicalCase)).content.decode()
    assert "工会典型" in listing
    assert "残联提名" not in listing and "残联审定" not in listing
    assert "残联制度" not in client.get(url(InstitutionalOutcome)).content.decode()
    client.force_login(make_staff(levels.office, *perms))
    listing = client.get(url(TypicalCase)).content.decode()
    assert "残联提名" in listing and "残联审定" in listing and "工会典型" not in listing
    assert client.get(url(TypicalCase, "change", theirs.pk)).status_code == 404

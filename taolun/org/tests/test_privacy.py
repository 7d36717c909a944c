"""Disability records (sensitive personal data) and a person's data on request."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse

import taolun.urls
from taolun.core.models import AuditEvent, AuditEventKind
from taolun.discussion.tests.factories import OpinionFactory, TopicFactory
from taolun.org.models import DisabilityCategory, DisabilityRecord
from taolun.org.roles import Role
from taolun.org.sensitive import (
    disability_records_for_office,
    people_visible_to,
    sees_personal_data,
)
from taolun.org.tests.factories import UserFactory, grant
from taolun.rectification.tests.factories import evidence, make_problem
from taolun.reporting.tests.factories import make_brief
from taolun.study.tests.factories import LogFactory, ReflectionFactory, attend, make_meeting

# The lead mounts the pages at /people/; until then these tests mount them themselves.
urlpatterns = list(taolun.urls.urlpatterns)
if not any(getattr(p, "namespace", None) == "privacy" for p in urlpatterns):
    urlpatterns.append(path("people/", include("taolun.org.privacy_urls")))
pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db]

CERTIFICATE = "14010119800101123X22"  # hearing (2), grade 2


@pytest.fixture
def people(org):
    """member1 (branch1) with a record; an office over branch2 only; a superuser."""
    org.record = DisabilityRecord.objects.create(
        person=org.member1,
        category=DisabilityCategory.HEARING,
        grade=2,
        certificate_number=CERTIFICATE,
        accommodations="需要手语翻译",
    )
    org.office2 = UserFactory(username="office2", name="二支部办公室", unit=org.branch2)
    grant(org.office2, org.branch2, Role.OFFICE)
    org.admin = UserFactory(username="admin", name="系统管理员", is_superuser=True, is_staff=True)
    return org


def sensitive_views():
    return AuditEvent.objects.filter(kind=AuditEventKind.SENSITIVE_VIEW)


# ---------------------------------------------------------------- the rule

SEES = {"member1": True, "office": True}
DENIED = ("office2", "leader", "contact1", "contact2", "supervisor", "outsider", "admin")


@pytest.mark.parametrize("who", [*SEES, *DENIED])
def test_only_the_person_and_the_office_over_their_unit_see_the_record(client, people, who):
    client.force_login(getattr(people, who))
    pk = people.member1.pk
    urls = [
        reverse("privacy:record", args=[pk]),
        reverse("privacy:record_edit", args=[pk]),
    ]
    expected = 200 if who in SEES else 404
    assert [client.get(url).status_code for url in urls] == [expected] * 2
    # The data file holds records of other units: the person's alone, never an office's.
    own = 200 if who == "member1" else 404
    assert client.get(reverse("privacy:data", args=[pk])).status_code == own
    assert client.post(reverse("privacy:record_delete", args=[pk])).status_code == (
        302 if who in SEES else 404
    )
    assert DisabilityRecord.objects.filter(person=people.member1).exists() == (who not in SEES)


@pytest.mark.parametrize("who", [*SEES, *DENIED])
def test_predicate_and_selector_say_the_same(people, who):
    user = getattr(people, who)
    for person in (people.member1, people.contact2, people.outsider):
        in_selector = people_visible_to(user).filter(pk=person.pk).exists()
        assert sees_personal_data(user, person) == in_selector
    assert sees_personal_data(user, people.member1) == (who in SEES)


def test_a_person_without_a_home_unit_is_seen_by_themself_alone(client, people):
    client.force_login(people.office)
    assert client.get(reverse("privacy:record", args=[people.outsider.pk])).status_code == 404
    client.force_login(people.outsider)
    response = client.get(reverse("privacy:mine"))
    assert response.status_code == 200
    assert "You have no disability record here." in response.content.decode()


# ---------------------------------------------------------------- audit of views


def test_each_office_view_of_a_record_is_audited_with_whose_and_where_from(client, people):
    client.force_login(people.office)
    page = client.get(reverse("privacy:record", args=[people.member1.pk]), REMOTE_ADDR="10.1.2.3")
    assert CERTIFICATE in page.content.decode()
    client.get(reverse("privacy:record_edit", args=[people.member1.pk]))
    events = list(sensitive_views().order_by("id"))
    assert len(events) == 2
    assert events[0].actor == people.office
    assert events[0].address == "10.1.2.3"
    assert "党员一" in events[0].detail and "member1" in events[0].detail
    assert events[0].path == reverse("privacy:record", args=[people.member1.pk])


def test_the_persons_own_views_are_not_audited(client, people):
    client.force_login(people.member1)
    page = client.get(reverse("privacy:mine"))
    assert "需要手语翻译" in page.content.decode()
    client.get(reverse("privacy:record_edit", args=[people.member1.pk]))
    assert not sensitive_views().exists()


def test_a_refused_view_writes_no_event(client, people):
    client.force_login(people.leader)
    client.get(reverse("privacy:record", args=[people.member1.pk]))
    assert not sensitive_views().exists()


# ---------------------------------------------------------------- the office's list


def test_the_list_shows_support_needed_but_never_the_certificate_number(client, people):
    other = UserFactory(username="member2", name="党员二", unit=people.branch2)
    DisabilityRecord.objects.create(person=other, category=DisabilityCategory.PHYSICAL)
    client.force_login(people.office)
    html = client.get(reverse("privacy:records")).content.decode()
    assert "党员一" in html and "需要手语翻译" in html and "党员二" in html
    assert CERTIFICATE not in html and CERTIFICATE[:10] not in html
    [event] = sensitive_views()
    assert event.detail == "list: 省残联"
    assert event.actor == people.office


def test_the_list_of_an_office_holds_its_own_subtree_only(client, people):
    client.force_login(people.office2)
    response = client.get(reverse("privacy:records"))
    html = response.content.decode()
    assert "党员一" not in html
    assert "No one of this unit has a record." in html
    assert sensitive_views().get().detail == "list: 机关第二党支部"


def test_an_office_cannot_list_a_unit_it_does_not_hold(client, people):
    with pytest.raises(Http404):
        disability_records_for_office(people.office2, people.root)
    client.force_login(people.office2)
    response = client.get(reverse("privacy:records"), {"unit": "root"})
    assert response.context["filters"].errors["unit"]
    assert response.context["unit"] == people.branch2
    assert "党员一" not in response.content.decode()


def test_the_list_costs_the_same_queries_however_many_people(client, people):
    client.force_login(people.office)
    url = reverse("privacy:records")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(5):
        person = UserFactory(username=f"p{n}", unit=people.branch2)
        DisabilityRecord.objects.create(person=person, category=DisabilityCategory.VISUAL)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["page_obj"].object_list) == 6
    assert len(many) == len(few)


@pytest.mark.parametrize("who", ["leader", "contact1", "member1", "supervisor", "admin"])
def test_the_list_is_for_offices(client, people, who):
    client.force_login(getattr(people, who))
    assert client.get(reverse("privacy:records")).status_code == 404
    assert not sensitive_views().exists()


def test_the_office_opens_the_record_of_a_person_of_its_units_by_user_name(client, people):
    client.force_login(people.office)
    url = reverse("privacy:records")
    found = client.get(url, {"username": "contact2"})
    assert found.status_code == 302
    assert found["Location"] == reverse("privacy:record", args=[people.contact2.pk])
    missing = client.get(url, {"username": "outsider"})
    assert missing.status_code == 200
    assert "No one with this user name has their home unit in your units." in (
        missing.content.decode()
    )


# ---------------------------------------------------------------- edits


def test_the_office_records_what_the_person_told_it_and_the_change_log_keeps_no_value(
    client, people
):
    client.force_login(people.office)
    url = reverse("privacy:record_edit", args=[people.contact2.pk])
    number = "140101199001011234" + "41"
    response = client.post(
        url,
        {
            "category": "physical",
            "grade": "1",
            "certificate_number": number[:10] + " " + number[10:],
            "accommodations": "无台阶的会议室",
        },
    )
    assert response.status_code == 302
    record = DisabilityRecord.objects.get(person=people.contact2)
    assert (record.category, record.grade, record.certificate_number) == ("physical", 1, number)
    assert record.updated_by == people.office
    entry = LogEntry.objects.get_for_object(record).get()
    assert entry.actor == people.office
    logged = json.dumps([entry.changes, entry.object_repr], ensure_ascii=False)
    assert "updated_by" in entry.changes
    for secret in (number[:10], number[10:], "无台阶", "physical"):
        assert secret not in logged


def test_the_person_adds_and_removes_their_own_record(client, people):
    client.force_login(people.contact1)
    url = reverse("privacy:record_edit", args=[people.contact1.pk])
    response = client.post(url, {"category": "visual", "grade": "", "accommodations": "大字版"})
    assert response["Location"] == reverse("privacy:mine")
    assert DisabilityRecord.objects.get(person=people.contact1).grade is None
    client.post(reverse("privacy:record_delete", args=[people.contact1.pk]))
    assert not DisabilityRecord.objects.filter(person=people.contact1).exists()
    assert LogEntry.objects.filter(action=LogEntry.Action.DELETE, actor=people.contact1).exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"category": "", "grade": "2"}, "category", "This field is required."),
        ({"category": "deaf", "grade": "2"}, "category", "Select a valid choice."),
        ({"category": "hearing", "grade": "7"}, "grade", "Select a valid choice."),
        (
            {"category": "hearing", "grade": "2", "certificate_number": "12345"},
            "certificate_number",
            "A certificate number has 20 characters",
        ),
        (
            {"category": "visual", "grade": "2", "certificate_number": CERTIFICATE},
            "certificate_number",
            "This certificate number is for the category “Hearing”",
        ),
        (
            {"category": "hearing", "grade": "3", "certificate_number": CERTIFICATE},
            "certificate_number",
            "This certificate number is for grade 2",
        ),
    ],
)
def test_bad_input_names_the_field_keeps_what_was_typed_and_changes_nothing(
    client, people, data, field, message
):
    client.force_login(people.member1)
    typed = {"certificate_number": "", "accommodations": "请提供字幕 <b>谢谢</b>", **data}
    response = client.post(reverse("privacy:record_edit", args=[people.member1.pk]), typed)
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert message in " ".join(form.errors[field])
    html = response.content.decode()
    assert "请提供字幕 &lt;b&gt;谢谢&lt;/b&gt;" in html
    assert f'<a href="#id_{field}"' in html
    people.record.refresh_from_db()
    assert (people.record.category, people.record.grade) == ("hearing", 2)
    assert people.record.accommodations == "需要手语翻译"
    assert (
        not LogEntry.objects.get_for_object(people.record)
        .exclude(action=LogEntry.Action.CREATE)
        .exists()
    )


# ---------------------------------------------------------------- data on request


def _archive(response) -> dict[str, dict]:
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name: (
                json.loads(archive.read(name))
                if name.endswith(".json")
                else archive.read(name).decode()
            )
            for name in archive.namelist()
        }


def _texts(files: dict) -> str:
    return json.dumps(files, ensure_ascii=False)


@pytest.fixture
def written(people):
    """What member1 wrote or is named in, and a few rows of other people."""
    org = people
    topic = TopicFactory(campaign=org.campaign, created_by=org.office)
    OpinionFactory(topic=topic, author=org.member1, body="署名意见：多开座谈会")
    OpinionFactory(topic=topic, author=org.member1, body="匿名意见：领导作风", anonymous=True)
    OpinionFactory(topic=topic, author=org.contact1, body="别人的意见")
    LogFactory(campaign=org.campaign, person=org.member1, other_title="我读的文章")
    LogFactory(campaign=org.campaign, person=org.contact1, other_title="别人读的文章")
    ReflectionFactory(campaign=org.campaign, author=org.member1, title="我的心得")
    meeting = make_meeting(org)
    attend(meeting, org.member1, org.contact1)
    make_brief(org.campaign, org.branch1, org.member1, title="我写的简报")
    problem = make_problem(org, person_in_charge=org.member1, description="我负责的问题")
    evidence(problem, org.member1, text="我的整改进展")
    return org


def test_the_person_downloads_their_own_rows_and_no_one_elses(client, written):
    client.force_login(written.member1)
    response = client.post(reverse("privacy:my_data"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    files = _archive(response)
    assert files["account.json"]["rows"][0]["username"] == "member1"
    assert files["disability.json"]["rows"][0]["certificate_number"] == CERTIFICATE
    assert files["disability.json"]["rows"][0]["category"] == "Hearing"
    assert [r["other_title"] for r in files["study_logs.json"]["rows"]] == ["我读的文章"]
    assert [r["title"] for r in files["reflections.json"]["rows"]] == ["我的心得"]
    assert [r["title"] for r in files["briefs.json"]["rows"]] == ["我写的简报"]
    [problem] = files["problems.json"]["rows"]
    assert "我负责的问题" in problem["description"]
    assert len(files["attendance.json"]["rows"]) == 1
    assert files["roles.json"]["rows"] == [{"role": "Member", "unit__name": "机关第一党支部"}]
    text = _texts(files)
    assert "署名意见：多开座谈会" in text and "我的整改进展" in text
    assert "别人读的文章" not in text and "别人的意见" not in text
    assert written.member1.password not in text
    assert "password" not in files["account.json"]["fields"]


def test_an_anonymous_opinion_is_never_in_the_export(client, written):
    for who, url in (
        ("member1", reverse("privacy:my_data")),
        ("member1", reverse("privacy:data", args=[written.member1.pk])),
    ):
        client.force_login(getattr(written, who))
        files = _archive(client.post(url))
        assert "匿名意见" not in _texts(files)
        assert [r["body"] for r in files["opinions.json"]["rows"]] == ["署名意见：多开座谈会"]


def test_the_export_is_audited_naming_whose(client, written):
    client.force_login(written.office)
    assert client.post(reverse("privacy:data", args=[written.member1.pk])).status_code == 404
    client.force_login(written.member1)
    response = client.post(reverse("privacy:my_data"))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    [event] = AuditEvent.objects.filter(kind=AuditEventKind.EXPORT)
    assert event.actor == written.member1
    assert "member1" in event.detail


def test_the_data_page_itself_downloads_nothing(client, written):
    client.force_login(written.member1)
    response = client.get(reverse("privacy:my_data"))
    assert response.status_code == 200
    assert not AuditEvent.objects.filter(kind=AuditEventKind.EXPORT).exists()


def _export_queries(client, person) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("privacy:my_data"))
        assert response.status_code == 200
    return len(queries)


def test_the_export_costs_the_same_queries_however_many_rows(client, written):
    org = written
    client.force_login(org.member1)
    few = _export_queries(client, org.member1)
    topic = TopicFactory(campaign=org.campaign, created_by=org.office)
    for n in range(4):
        OpinionFactory(topic=topic, author=org.member1)
        LogFactory(campaign=org.campaign, person=org.member1, studied_on=dt.date(2019, 3, n + 2))
        ReflectionFactory(campaign=org.campaign, author=org.member1)
        attend(make_meeting(org), org.member1)
        make_brief(org.campaign, org.branch1, org.member1)
    many = _export_queries(client, org.member1)
    assert many == few
    assert few < 40

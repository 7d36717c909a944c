import datetime as dt
import re

import pytest
from django.urls import reverse

from taolun.activities.models import Attendance
from taolun.activities.tests.files import fake_pdf, pdf
from taolun.org.roles import Role
from taolun.org.tests.factories import UserFactory, grant
from taolun.study.models import Reflection, StudyLog, StudyMaterial
from taolun.study.tests.factories import (
    LogFactory,
    MaterialFactory,
    ReflectionFactory,
    make_meeting,
)

D = dt.date


@pytest.fixture
def march(travel):
    return travel(D(2019, 3, 10))


def as_user(client, user):
    client.force_login(user)
    return client


def material(org, **kw):
    return MaterialFactory(campaign=org.campaign, created_by=org.office, **kw)


def member_of(unit):
    """A person of ``unit`` holding the member role there (so they see the campaign)."""
    person = UserFactory(unit=unit)
    grant(person, unit, Role.MEMBER)
    return person


def url(name, *args):
    return reverse(f"study:{name}", args=args)


# ---------------------------------------------------------------- materials


def test_index_shows_published_materials_and_whether_i_studied_them(org, client, march):
    done = material(org, title="实施方案")
    material(org, title="讲话精神", due_on=D(2019, 3, 1))
    material(org, title="草稿材料", published_at=None)
    LogFactory(campaign=org.campaign, person=org.member1, material=done)
    page = as_user(client, org.member1).get(url("index", "camp")).content.decode()
    assert "实施方案" in page and "讲话精神" in page and "草稿材料" not in page
    assert "Studied" in page and "Not studied — overdue" in page
    assert "New material" not in page and "Completion in" not in page
    assert url("log_create", "camp") in page and url("me", "camp") in page

    office = as_user(client, org.office).get(url("index", "camp")).content.decode()
    assert "草稿材料" in office and "New material" in office
    assert url("unit_completion", "camp", "root") in office


def test_pages_of_a_campaign_out_of_sight_answer_404(org, client):
    as_user(client, org.outsider)
    for name in ("index", "reflections", "me", "log_create", "reflection_create"):
        assert client.get(url(name, "camp")).status_code == 404, name


def test_office_creates_and_publishes_a_material_with_a_file(org, client, march):
    as_user(client, org.office)
    assert client.get(url("material_create", "camp")).status_code == 200
    response = client.post(
        url("material_create", "camp"),
        {
            "title": "实施方案",
            "order": "1",
            "required": "on",
            "for_units": [org.branch1.pk],
            "body": '<p>正文</p><script>alert(1)</script><a href="javascript:x">x</a>',
            "upload": pdf(),
            "publish": "1",
        },
    )
    m = StudyMaterial.objects.get()
    assert response.status_code == 302 and response["Location"] == m.get_absolute_url()
    assert m.is_published and list(m.for_units.all()) == [org.branch1]
    page = client.get(m.get_absolute_url()).content.decode()
    assert "正文" in page and "<script>alert" not in page and "javascript:x" not in page
    download = as_user(client, org.member1).get(url("material_file", m.pk))
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert as_user(client, org.outsider).get(url("material_file", m.pk)).status_code == 404


def test_material_form_errors_keep_what_was_typed(org, client):
    as_user(client, org.office)
    response = client.post(
        url("material_create", "camp"),
        {
            "title": "实施方案",
            "order": "0",
            "body": "",
            "source": "省委办公厅",
            "upload": fake_pdf(),
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and not StudyMaterial.objects.exists()
    assert 'value="实施方案"' in page and 'value="省委办公厅"' in page
    assert "is not an accepted file" in page
    response = client.post(url("material_create", "camp"), {"title": "实施方案", "order": "0"})
    assert "Give the text of the material or attach it as a file." in response.content.decode()


def test_only_the_office_writes_materials_and_drafts_stay_hidden(org, client):
    draft = material(org, published_at=None)
    for who in ("member1", "contact1", "leader"):
        as_user(client, getattr(org, who))
        assert client.get(url("material_create", "camp")).status_code == 403
        assert client.get(draft.get_absolute_url()).status_code == 404
        assert client.get(url("material_edit", draft.pk)).status_code == 404
        assert client.post(url("material_publish", draft.pk)).status_code == 404
    published = material(org)
    assert client.get(url("material_edit", published.pk)).status_code == 403
    as_user(client, org.office)
    assert client.get(url("material_publish", draft.pk)).status_code == 405
    assert client.post(url("material_publish", draft.pk)).status_code == 302
    draft.refresh_from_db()
    assert draft.is_published


def test_office_edits_a_material(org, client):
    m = material(org, title="旧")
    as_user(client, org.office)
    page = client.get(url("material_edit", m.pk)).content.decode()
    assert 'value="旧"' in page
    response = client.post(
        url("material_edit", m.pk), {"title": "新", "order": "3", "body": "<p>改</p>"}
    )
    assert response.status_code == 302
    m.refresh_from_db()
    assert (m.title, m.order, m.required) == ("新", 3, False)


# ---------------------------------------------------------------- logs


def test_member_logs_study_of_a_preselected_material(org, client, march):
    m = material(org, title="实施方案")
    as_user(client, org.member1)
    page = client.get(url("log_create", "camp") + f"?material={m.pk}").content.decode()
    assert f'<option value="{m.pk}" selected>' in page
    assert 'value="2019-03-10"' in page
    response = client.post(
        url("log_create", "camp"),
        {"material": m.pk, "studied_on": "2019-03-09", "minutes": "40", "note": "精读"},
    )
    assert response.status_code == 302 and response["Location"] == url("me", "camp")
    log = StudyLog.objects.get()
    assert (log.person, log.material, log.minutes) == (org.member1, m, 40)
    me = client.get(url("me", "camp")).content.decode()
    assert "实施方案" in me and "40" in me


def test_log_errors_name_the_field_and_keep_input(org, client, march):
    as_user(client, org.member1)
    response = client.post(
        url("log_create", "camp"),
        {"other_title": "党章", "studied_on": "2019-03-11", "minutes": "30", "note": "笔记"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and not StudyLog.objects.exists()
    assert "The date cannot be in the future." in page
    assert 'value="党章"' in page and "笔记" in page
    page = client.post(
        url("log_create", "camp"), {"studied_on": "2019-03-01", "minutes": "30"}
    ).content.decode()
    assert "Choose a material, or name what you studied." in page
    page = client.post(
        url("log_create", "camp"), {"other_title": "x", "studied_on": "2019-03-01", "minutes": "0"}
    ).content.decode()
    assert 'href="#id_minutes"' in page


def test_log_delete_own_only(org, client):
    mine = LogFactory(campaign=org.campaign, person=org.member1)
    as_user(client, org.contact1)
    assert client.post(url("log_delete", mine.pk)).status_code == 404
    as_user(client, org.member1)
    assert client.get(url("log_delete", mine.pk)).status_code == 405
    assert client.post(url("log_delete", mine.pk)).status_code == 302
    assert not StudyLog.objects.exists()


# ---------------------------------------------------------------- reflections


def test_reflection_draft_then_submit_sanitised(org, client):
    m = material(org)
    as_user(client, org.member1)
    page = client.get(url("reflection_create", "camp") + f"?material={m.pk}").content.decode()
    assert "Save draft" in page and 'name="submit"' in page
    body = '<p onclick="steal()">体会</p><script>alert(1)</script><a href="javascript:x">链</a>'
    response = client.post(
        url("reflection_create", "camp"),
        {"title": "心得", "material": m.pk, "body": body, "save": "1"},
    )
    r = Reflection.objects.get()
    assert response.status_code == 302 and r.submitted_at is None and r.material == m
    detail = client.get(r.get_absolute_url()).content.decode()
    assert "体会" in detail and "steal()" not in detail and "<script>alert" not in detail
    assert "javascript:x" not in detail and "Draft" in detail
    edit = client.get(url("reflection_edit", r.pk)).content.decode()
    assert 'value="心得"' in edit and "Save draft" in edit
    client.post(url("reflection_edit", r.pk), {"title": "心得", "body": "体会", "submit": "1"})
    r.refresh_from_db()
    assert r.is_submitted
    edit = client.get(url("reflection_edit", r.pk)).content.decode()
    assert "Save draft" not in edit and "has been submitted" in edit


def test_a_long_reflection_is_never_lost_to_an_error(org, client):
    long_body = "学" * 4990 + "最后一句话。"
    assert len(long_body) >= 4996
    as_user(client, org.member1)
    response = client.post(
        url("reflection_create", "camp"), {"title": "", "body": long_body, "submit": "1"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and not Reflection.objects.exists()
    assert long_body in page
    assert 'href="#id_title"' in page


def test_a_reflection_marked_excellent_while_edited_keeps_the_typed_text(org, client):
    reflection = ReflectionFactory(campaign=org.campaign, author=org.member1, title="初稿")
    as_user(client, org.member1)
    assert client.get(url("reflection_edit", reflection.pk)).status_code == 200
    reflection.excellent = True  # the office marks it meanwhile
    reflection.save()
    typed = "改" * 3000 + "新增的体会。"
    response = client.post(
        url("reflection_edit", reflection.pk), {"title": "修改稿", "body": typed, "submit": "1"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and typed in page
    assert "marked excellent" in page or "优秀" in page
    reflection.refresh_from_db()
    assert reflection.title == "初稿" and typed not in reflection.body
    # Nobody else gets that far, and a locked reflection has no edit form to open.
    assert client.get(url("reflection_edit", reflection.pk)).status_code == 403
    as_user(client, org.contact1)
    response = client.post(url("reflection_edit", reflection.pk), {"title": "x", "body": "y"})
    assert response.status_code in (403, 404)


@pytest.mark.parametrize("body", ["<p> </p>", "<p>&nbsp;</p>", "<p><br></p>", "<script>x</script>"])
def test_a_reflection_needs_words(org, client, body):
    as_user(client, org.member1)
    response = client.post(
        url("reflection_create", "camp"), {"title": "体会", "body": body, "submit": "1"}
    )
    assert response.status_code == 200 and not Reflection.objects.exists()
    assert 'href="#id_body"' in response.content.decode()


def test_reflection_pages_scope(org, client):
    peer = member_of(org.branch1)
    draft = ReflectionFactory(campaign=org.campaign, author=org.member1, submitted_at=None)
    submitted = ReflectionFactory(campaign=org.campaign, author=org.member1, title="我的心得")
    as_user(client, peer)
    for r in (draft, submitted):
        assert client.get(r.get_absolute_url()).status_code == 404
        assert client.get(url("reflection_edit", r.pk)).status_code == 404
    as_user(client, org.contact2)
    assert client.get(submitted.get_absolute_url()).status_code == 404
    as_user(client, org.contact1)
    assert client.get(submitted.get_absolute_url()).status_code == 200
    assert client.get(url("reflection_edit", submitted.pk)).status_code == 403
    assert client.get(draft.get_absolute_url()).status_code == 404
    listing = client.get(url("reflections", "camp")).content.decode()
    assert "我的心得" in listing


def test_office_marks_excellent_and_peers_then_read_it(org, client):
    r = ReflectionFactory(campaign=org.campaign, author=org.member1, title="优秀心得")
    peer = member_of(org.branch2)
    as_user(client, org.contact1)
    assert "Mark as excellent" not in client.get(r.get_absolute_url()).content.decode()
    assert client.post(url("reflection_mark", r.pk), {"excellent": "1"}).status_code == 403
    as_user(client, org.office)
    assert client.get(url("reflection_mark", r.pk)).status_code == 405
    assert client.post(url("reflection_mark", r.pk), {"excellent": "1"}).status_code == 302
    r.refresh_from_db()
    assert r.excellent
    as_user(client, peer)
    assert client.get(r.get_absolute_url()).status_code == 200
    assert "优秀心得" in client.get(url("reflections", "camp")).content.decode()
    as_user(client, org.member1)
    assert client.get(url("reflection_edit", r.pk)).status_code == 403


def test_reflections_filter_by_unit_and_excellent(org, client):
    ReflectionFactory(campaign=org.campaign, author=org.member1, title="一支部心得")
    ReflectionFactory(
        campaign=org.campaign, author=org.contact2, title="二支部心得", excellent=True
    )
    as_user(client, org.office)
    page = client.get(url("reflections", "camp"), {"unit": "branch1"}).content.decode()
    assert "一支部心得" in page and "二支部心得" not in page
    page = client.get(url("reflections", "camp"), {"excellent": "yes"}).content.decode()
    assert "一支部心得" not in page and "二支部心得" in page
    page = client.get(url("reflections", "camp"), {"unit": "nowhere"}).content.decode()
    assert "No unit with this code is within your reach." in page and "心得</a>" not in page


# ---------------------------------------------------------------- completion and my page


def test_unit_completion_page(org, client):
    material(org)
    ReflectionFactory(campaign=org.campaign, author=org.member1)
    as_user(client, org.contact1)
    page = client.get(url("unit_completion", "camp", "branch1")).content.decode()
    assert "<caption>" in page and '<th scope="col">' in page
    assert "1 of 2 people have submitted a reflection (50%)." in page
    assert "None written" in page and "Written (1)" in page and "0 of 1" in page
    filtered = client.get(
        url("unit_completion", "camp", "branch1"), {"without_reflection": "on"}
    ).content.decode()
    assert "联络员一" in filtered and "党员一" not in filtered
    assert client.get(url("unit_completion", "camp", "branch2")).status_code == 404
    assert client.get(url("unit_completion", "camp", "root")).status_code == 404
    as_user(client, org.member1)
    assert client.get(url("unit_completion", "camp", "branch1")).status_code == 404
    as_user(client, org.leader)
    page = client.get(url("unit_completion", "camp", "organ")).content.decode()
    assert url("unit_completion", "camp", "branch2") in page  # children link down


def test_my_page_shows_meetings_and_opinions(org, client, march):
    from taolun.discussion.models import Opinion, Topic

    meeting = make_meeting(org)
    Attendance.objects.create(
        meeting=meeting, person=org.member1, present=False, absence_reason="出差"
    )
    topic = Topic.objects.create(
        campaign=org.campaign,
        unit=org.root,
        question="如何破除僵化保守？",
        opens_on=D(2019, 3, 1),
        closes_on=D(2019, 3, 31),
        created_by=org.office,
    )
    Opinion.objects.create(topic=topic, author=org.member1, unit=org.branch1, body="x")
    page = as_user(client, org.member1).get(url("me", "camp")).content.decode()
    assert "集中学习研讨" in page and "absent" in page and "出差" in page
    assert "如何破除僵化保守？" in page and "not answered yet" in page


# ---------------------------------------------------------------- query counts


def _count(client, path, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def _grow(org, n):
    for i in range(n):
        person = UserFactory(unit=org.branch1 if i % 2 else org.branch2)
        m = material(org, for_units=[org.branch1] if i % 2 else [])
        LogFactory(campaign=org.campaign, person=person, material=m)
        LogFactory(campaign=org.campaign, person=org.member1, material=m)
        ReflectionFactory(campaign=org.campaign, author=person, excellent=i % 3 == 0)
        ReflectionFactory(campaign=org.campaign, author=org.member1)
        meeting = make_meeting(org)
        Attendance.objects.create(meeting=meeting, person=org.member1)


@pytest.mark.parametrize(
    ("who", "path", "limit"),
    [
        ("member1", "/study/camp/", 14),
        ("office", "/study/camp/", 14),
        ("member1", "/study/camp/reflections/", 14),
        ("office", "/study/camp/reflections/", 14),
        ("office", "/study/camp/units/root/", 18),
        ("member1", "/study/camp/me/", 16),
    ],
)
def test_list_pages_query_count_does_not_grow(
    org, client, march, django_assert_max_num_queries, who, path, limit
):
    _grow(org, 1)
    as_user(client, getattr(org, who))
    few = _count(client, path, django_assert_max_num_queries, limit)
    _grow(org, 8)
    assert _count(client, path, django_assert_max_num_queries, limit) == few


def test_completion_paginates_by_fifty(org, client):
    for _ in range(55):
        UserFactory(unit=org.branch2)
    as_user(client, org.office)
    page = client.get(url("unit_completion", "camp", "root")).content.decode()
    assert "Next page" in page
    assert len(re.findall(r'<th scope="row"', page)) == 50

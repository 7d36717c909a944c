import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from taolun.activities.tests.files import fake_pdf, pdf
from taolun.org.roles import Role
from taolun.org.tests.factories import UserFactory, grant
from taolun.study import services
from taolun.study.models import Reflection, StudyLog, StudyMaterial, StudyMode
from taolun.study.tests.factories import (
    LogFactory,
    MaterialFactory,
    ReflectionFactory,
    attend,
    make_meeting,
)

D = dt.date


@pytest.fixture
def march(travel):
    return travel(D(2019, 3, 10))


def material(org, **kw):
    return MaterialFactory(campaign=org.campaign, created_by=org.office, **kw)


def errors_of(exc: pytest.ExceptionInfo) -> dict:
    return {k: [str(m) for e in v for m in e.messages] for k, v in exc.value.error_dict.items()}


# ---------------------------------------------------------------- group sessions


def test_session_materials_set_logs_each_present_attendee_once_per_material(org):
    meeting = make_meeting(org, duration_minutes=90)
    a, b = material(org), material(org)
    attend(meeting, org.member1, org.contact1)
    attend(meeting, org.contact2, present=False)
    services.session_materials_set(actor=org.contact1, meeting=meeting, materials=[a, b])

    assert set(meeting.materials.all()) == {a, b}
    logs = StudyLog.objects.filter(meeting=meeting)
    assert sorted((log.person.username, log.material_id) for log in logs) == sorted(
        [("member1", a.pk), ("member1", b.pk), ("contact1", a.pk), ("contact1", b.pk)]
    )
    for log in logs:
        assert (log.mode, log.studied_on, log.minutes) == (StudyMode.GROUP, D(2019, 3, 5), 45)
        assert log.unit == org.branch1 and log.campaign == org.campaign


def test_session_sync_follows_attendance_and_materials_without_duplicates(org):
    meeting = make_meeting(org)
    a, b = material(org), material(org)
    (member,) = attend(meeting, org.member1)
    services.session_materials_set(actor=org.office, meeting=meeting, materials=[a])
    assert StudyLog.objects.get(meeting=meeting).minutes == 60  # no length: an hour

    attend(meeting, org.contact1)
    services.session_logs_sync(meeting=meeting)
    services.session_logs_sync(meeting=meeting)  # idempotent
    assert StudyLog.objects.filter(meeting=meeting).count() == 2

    member.present = False
    member.save()
    services.session_materials_set(actor=org.office, meeting=meeting, materials=[a, b])
    assert sorted(
        StudyLog.objects.filter(meeting=meeting).values_list("person__username", "material_id")
    ) == sorted([("contact1", a.pk), ("contact1", b.pk)])
    assert set(StudyLog.objects.filter(meeting=meeting).values_list("minutes", flat=True)) == {30}

    services.session_materials_set(actor=org.office, meeting=meeting, materials=[])
    assert not StudyLog.objects.filter(meeting=meeting).exists()


def test_session_sync_skips_people_without_unit_and_leaves_own_logs_alone(org):
    meeting = make_meeting(org)
    a = material(org)
    own = LogFactory(campaign=org.campaign, person=org.member1, material=a)
    attend(meeting, org.outsider, org.member1)
    services.session_materials_set(actor=org.contact1, meeting=meeting, materials=[a])
    assert list(StudyLog.objects.filter(meeting=meeting).values_list("person", flat=True)) == [
        org.member1.pk
    ]
    assert StudyLog.objects.filter(pk=own.pk).exists()


def test_session_sync_query_count_does_not_grow_with_attendees(org, django_assert_max_num_queries):
    def count(meeting, materials) -> int:
        with django_assert_max_num_queries(20) as ctx:
            services.session_materials_set(actor=org.contact1, meeting=meeting, materials=materials)
        return len(ctx.captured_queries)

    a, b = material(org), material(org)
    small = make_meeting(org)
    attend(small, org.member1)
    few = count(small, [a, b])
    big = make_meeting(org)
    attend(big, *[UserFactory(unit=org.branch1) for _ in range(30)])
    assert count(big, [a, b]) <= few
    assert StudyLog.objects.filter(meeting=big).count() == 60
    with django_assert_max_num_queries(6):
        services.session_logs_sync(meeting=big)


def test_session_materials_refused_outside_scope_or_campaign(org):
    from taolun.campaigns.tests.factories import make_campaign

    meeting = make_meeting(org)
    with pytest.raises(PermissionDenied):
        services.session_materials_set(
            actor=org.contact2, meeting=meeting, materials=[material(org)]
        )
    with pytest.raises(PermissionDenied):
        services.session_materials_set(actor=org.member1, meeting=meeting, materials=[])
    other = make_campaign(org.root, "other")
    foreign = MaterialFactory(campaign=other, created_by=org.office)
    draft = material(org, published_at=None)
    for bad in (foreign, draft):
        with pytest.raises(ValidationError) as exc:
            services.session_materials_set(actor=org.contact1, meeting=meeting, materials=[bad])
        assert "materials" in exc.value.error_dict
    assert not meeting.materials.exists()


# ---------------------------------------------------------------- materials


def test_office_creates_a_draft_material_and_publishes_it(org):
    m = services.material_create(
        actor=org.office,
        campaign=org.campaign,
        title=" 实施方案 ",
        body=(
            '<p onclick="x()">要求</p><script>alert(1)</script>'
            '<a href="javascript:alert(1)">链接</a>'
        ),
        for_units=[org.branch1],
    )
    assert m.title == "实施方案" and not m.is_published
    assert "script" not in m.body and "onclick" not in m.body and "javascript" not in m.body
    assert list(m.for_units.all()) == [org.branch1]
    services.material_publish(actor=org.office, material=m)
    assert StudyMaterial.objects.get(pk=m.pk).is_published
    with pytest.raises(ValidationError):
        services.material_publish(actor=org.office, material=m)


@pytest.mark.parametrize("who", ["leader", "contact1", "member1", "supervisor", "outsider"])
def test_only_the_campaign_office_writes_materials(org, who):
    with pytest.raises(PermissionDenied):
        services.material_create(
            actor=getattr(org, who), campaign=org.campaign, title="x", body="y"
        )
    m = material(org)
    with pytest.raises(PermissionDenied):
        services.material_update(actor=getattr(org, who), material=m, title="改")


def test_material_validation_names_fields(org):
    from taolun.campaigns.tests.factories import make_campaign

    other = make_campaign(org.root, "other")
    with pytest.raises(ValidationError) as exc:
        services.material_create(
            actor=org.office,
            campaign=org.campaign,
            title=" ",
            stage=other.stages.first(),
            theme=other.themes.first(),
            due_on=D(2019, 1, 1),
        )
    assert set(errors_of(exc)) == {"title", "body", "stage", "theme", "due_on"}
    assert not StudyMaterial.objects.exists()


def test_material_for_units_must_lie_in_the_campaign(org):
    from taolun.campaigns.tests.factories import make_campaign
    from taolun.org.tests.factories import make_unit

    elsewhere = make_unit("别处", "elsewhere", kind="organisation")
    sub = make_campaign(org.branch2, "sub")
    grant(org.contact2, org.branch2, Role.OFFICE)
    with pytest.raises(ValidationError) as exc:
        services.material_create(
            actor=org.contact2, campaign=sub, title="x", body="y", for_units=[org.branch1]
        )
    assert "for_units" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        services.material_create(
            actor=org.office, campaign=org.campaign, title="x", body="y", for_units=[elsewhere]
        )
    assert "for_units" in errors_of(exc)


def test_material_file_is_checked_by_content_and_stored_under_a_generated_name(org):
    with pytest.raises(ValidationError) as exc:
        services.material_create(
            actor=org.office, campaign=org.campaign, title="x", upload=fake_pdf()
        )
    assert "upload" in errors_of(exc)
    m = services.material_create(actor=org.office, campaign=org.campaign, title="x", upload=pdf())
    assert (m.original_name, m.content_type) == ("会议纪要.pdf", "application/pdf")
    assert "会议纪要" not in m.file.name and m.file.name.startswith("study/")


def test_material_update_changes_fields_and_units_and_keeps_them_on_error(org):
    m = material(org, for_units=[org.branch1])
    services.material_update(
        actor=org.office, material=m, title="新标题", required=False, for_units=[org.branch2]
    )
    m.refresh_from_db()
    assert (m.title, m.required, list(m.for_units.all())) == ("新标题", False, [org.branch2])
    with pytest.raises(ValidationError):
        services.material_update(actor=org.office, material=m, title="", body="")
    m.refresh_from_db()
    assert m.title == "新标题"
    with pytest.raises(TypeError):
        services.material_update(actor=org.office, material=m, campaign=None)


# ---------------------------------------------------------------- logs


def test_member_logs_study_for_own_account(org, march):
    m = material(org)
    log = services.log_add(
        actor=org.member1,
        campaign=org.campaign,
        material=m,
        other_title="ignored",
        studied_on=D(2019, 3, 9),
        minutes=45,
        note=" 认真读 ",
    )
    assert (log.person, log.unit, log.mode, log.other_title, log.note) == (
        org.member1,
        org.branch1,
        StudyMode.ALONE,
        "",
        "认真读",
    )


def test_log_validation_names_each_field(org, march):
    draft = material(org, published_at=None)
    cases = [
        ({"material": draft}, "material"),
        ({"other_title": " "}, "other_title"),
        ({"other_title": "x", "studied_on": D(2019, 3, 11)}, "studied_on"),
        ({"other_title": "x", "studied_on": D(2019, 2, 1)}, "studied_on"),
        ({"other_title": "x", "minutes": 0}, "minutes"),
        ({"other_title": "x", "minutes": 1441}, "minutes"),
    ]
    for kw, field in cases:
        kw = {"studied_on": D(2019, 3, 1), "minutes": 30, **kw}
        with pytest.raises(ValidationError) as exc:
            services.log_add(actor=org.member1, campaign=org.campaign, **kw)
        assert list(errors_of(exc)) == [field], kw
    assert not StudyLog.objects.exists()


def test_people_outside_the_campaign_cannot_log(org, march):
    from taolun.campaigns.tests.factories import make_campaign

    sub = make_campaign(org.branch2, "sub")
    for actor, campaign in ((org.outsider, org.campaign), (org.member1, sub)):
        with pytest.raises(PermissionDenied):
            services.log_add(
                actor=actor, campaign=campaign, other_title="x", studied_on=D(2019, 3, 1), minutes=5
            )


def test_log_delete_own_alone_only(org):
    mine = LogFactory(campaign=org.campaign, person=org.member1)
    with pytest.raises(PermissionDenied):
        services.log_delete(actor=org.contact1, log=mine)
    meeting = make_meeting(org)
    group = LogFactory(
        campaign=org.campaign,
        person=org.member1,
        material=material(org),
        mode=StudyMode.GROUP,
        meeting=meeting,
    )
    with pytest.raises(PermissionDenied):
        services.log_delete(actor=org.member1, log=group)
    services.log_delete(actor=org.member1, log=mine)
    assert list(StudyLog.objects.all()) == [group]


# ---------------------------------------------------------------- reflections


def test_reflection_draft_then_submit_then_locked_once_excellent(org):
    body = '<p>体会</p><script>x</script><a href="javascript:1" onclick="y">a</a>'
    r = services.reflection_save(actor=org.member1, campaign=org.campaign, title="心得", body=body)
    assert (r.author, r.unit, r.submitted_at) == (org.member1, org.branch1, None)
    assert "script" not in r.body and "javascript" not in r.body and "onclick" not in r.body
    r = services.reflection_save(
        actor=org.member1, campaign=org.campaign, title="心得", body="改", reflection=r, submit=True
    )
    submitted = r.submitted_at
    assert submitted is not None
    r = services.reflection_save(
        actor=org.member1, campaign=org.campaign, title="再改", body="改", reflection=r
    )
    assert r.submitted_at == submitted  # saving again never withdraws it

    with pytest.raises(PermissionDenied):
        services.reflection_mark(actor=org.contact1, reflection=r, excellent=True)
    services.reflection_mark(actor=org.office, reflection=r, excellent=True)
    r.refresh_from_db()
    assert r.excellent and r.marked_by == org.office and r.marked_at
    with pytest.raises(PermissionDenied):
        services.reflection_save(
            actor=org.member1, campaign=org.campaign, title="x", body="y", reflection=r
        )
    services.reflection_mark(actor=org.office, reflection=r, excellent=False)
    r.refresh_from_db()
    assert not r.excellent and r.marked_by is None


def test_reflection_of_another_cannot_be_edited_and_drafts_cannot_be_marked(org):
    r = ReflectionFactory(campaign=org.campaign, author=org.member1, submitted_at=None)
    for actor in (org.contact1, org.office):
        with pytest.raises(PermissionDenied):
            services.reflection_save(
                actor=actor, campaign=org.campaign, title="x", body="y", reflection=r
            )
    with pytest.raises(PermissionDenied):
        services.reflection_mark(actor=org.office, reflection=r, excellent=True)
    with pytest.raises(PermissionDenied):
        services.reflection_save(actor=org.outsider, campaign=org.campaign, title="x", body="y")


def test_reflection_validation_names_fields(org):
    from taolun.campaigns.tests.factories import make_campaign

    other = make_campaign(org.root, "other")
    with pytest.raises(ValidationError) as exc:
        services.reflection_save(
            actor=org.member1,
            campaign=org.campaign,
            title=" ",
            body="<script>only</script>",
            material=MaterialFactory(campaign=other, created_by=org.office),
            theme=other.themes.first(),
        )
    assert set(errors_of(exc)) == {"title", "body", "material", "theme"}
    assert not Reflection.objects.exists()


def test_writes_are_audited_with_the_actor(org, march):
    from auditlog.models import LogEntry

    r = services.reflection_save(actor=org.member1, campaign=org.campaign, title="t", body="b")
    entry = LogEntry.objects.get_for_object(r).get()
    assert entry.actor == org.member1


def test_contact_role_alone_does_not_make_an_office(org):
    grant(org.contact1, org.root, Role.MEMBER)
    with pytest.raises(PermissionDenied):
        services.material_create(actor=org.contact1, campaign=org.campaign, title="x", body="y")


def test_a_superuser_without_unit_takes_part_in_nothing(org, march):
    admin_user = UserFactory(username="root-admin", is_superuser=True, is_staff=True)
    with pytest.raises(PermissionDenied):
        services.reflection_save(actor=admin_user, campaign=org.campaign, title="t", body="b")
    r = ReflectionFactory(campaign=org.campaign, author=org.member1)
    with pytest.raises(PermissionDenied):
        services.reflection_save(
            actor=admin_user, campaign=org.campaign, title="t", body="b", reflection=r
        )
    with pytest.raises(PermissionDenied):
        services.log_add(
            actor=admin_user,
            campaign=org.campaign,
            other_title="x",
            studied_on=D(2019, 3, 1),
            minutes=5,
        )

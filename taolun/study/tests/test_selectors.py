import datetime as dt

import pytest
from django.http import Http404

from taolun.activities.models import Attendance
from taolun.discussion.models import Opinion, Topic
from taolun.org.tests.factories import UserFactory
from taolun.study import selectors
from taolun.study.tests.factories import (
    LogFactory,
    MaterialFactory,
    ReflectionFactory,
    make_meeting,
)

D = dt.date


def material(org, **kw):
    return MaterialFactory(campaign=org.campaign, created_by=org.office, **kw)


def test_materials_for_units_follow_subtrees(org):
    everyone = material(org)
    organ = material(org, for_units=[org.organ])
    b2 = material(org, for_units=[org.branch2])
    both = material(org, for_units=[org.branch1, org.branch2])
    q = selectors.materials_for_paths_q
    from taolun.study.models import StudyMaterial

    def for_paths(*paths):
        return set(StudyMaterial.objects.filter(q(paths)))

    assert for_paths(org.branch1.path) == {everyone, organ, both}
    assert for_paths(org.root.path) == {everyone}
    assert for_paths() == {everyone}
    assert for_paths(org.root.path, org.branch2.path) == {everyone, organ, b2, both}
    for m in (everyone, organ, b2, both):
        assert selectors.is_for(m, [org.branch1.path]) == (m in for_paths(org.branch1.path))


def test_a_member_of_a_branch_studies_what_the_branch_must_though_their_desk_is_elsewhere(org):
    """A party member works in a department (home unit) and belongs to a branch (member
    role): the branch's materials are theirs, and the branch's contact counts them."""
    from taolun.org.roles import Role
    from taolun.org.tests.factories import grant

    branch_only = material(org, for_units=[org.branch2])
    person = UserFactory(unit=org.branch1, name="支部党员")
    grant(person, org.branch2, Role.MEMBER)
    assert branch_only in [row.material for row in selectors.my_study(person, org.campaign)]
    completion = selectors.unit_completion(org.contact2, org.campaign, org.branch2)
    row = next(r for r in completion.rows if r.person == person)
    assert row.required_total == 1
    assert completion.summary.people == len(completion.rows)


def test_drafts_are_seen_by_the_office_only(org):
    draft = material(org, published_at=None)
    published = material(org)
    assert set(selectors.materials_for_user(org.office, org.campaign)) == {draft, published}
    for who in ("member1", "contact1", "leader"):
        assert list(selectors.materials_for_user(getattr(org, who), org.campaign)) == [published]
        with pytest.raises(Http404):
            selectors.get_material_for_user(getattr(org, who), draft.pk)
    assert selectors.get_material_for_user(org.office, draft.pk) == draft
    with pytest.raises(Http404):
        selectors.get_material_for_user(org.outsider, published.pk)


def test_my_study_required_first_with_done_minutes_and_overdue(org, travel):
    travel(D(2019, 3, 10))
    optional = material(org, required=False, order=0)
    late = material(org, due_on=D(2019, 3, 1), order=2)
    done = material(org, due_on=D(2019, 3, 1), order=1)
    material(org, for_units=[org.branch2])  # not for member1
    LogFactory(campaign=org.campaign, person=org.member1, material=done, minutes=20)
    LogFactory(campaign=org.campaign, person=org.member1, material=done, minutes=25)
    LogFactory(campaign=org.campaign, person=org.contact1, material=late, minutes=99)
    rows = selectors.my_study(org.member1, org.campaign)
    assert [(r.material, r.done, r.minutes, r.overdue) for r in rows] == [
        (done, True, 45, False),
        (late, False, 0, True),
        (optional, False, 0, False),
    ]


def test_reflections_scope(org):
    draft = ReflectionFactory(campaign=org.campaign, author=org.member1, submitted_at=None)
    submitted = ReflectionFactory(campaign=org.campaign, author=org.member1)
    peer = UserFactory(unit=org.branch1)
    excellent = ReflectionFactory(campaign=org.campaign, author=peer, excellent=True)
    other_branch = ReflectionFactory(campaign=org.campaign, author=org.contact2)

    def seen(who):
        return set(selectors.reflections_for_user(who, org.campaign))

    assert seen(org.member1) == {draft, submitted, excellent}
    assert seen(peer) == {excellent}
    assert seen(org.contact1) == {submitted, excellent}
    assert seen(org.contact2) == {other_branch, excellent}
    for who in (org.office, org.leader, org.supervisor):
        assert seen(who) == {submitted, excellent, other_branch}
    with pytest.raises(Http404):
        selectors.get_reflection_for_user(org.office, draft.pk)
    with pytest.raises(Http404):
        selectors.get_reflection_for_user(peer, submitted.pk)
    with pytest.raises(Http404):
        selectors.get_reflection_for_user(org.outsider, excellent.pk)
    assert selectors.get_reflection_for_user(org.contact2, excellent.pk) == excellent


def test_logs_scope(org):
    mine = LogFactory(campaign=org.campaign, person=org.member1)
    b2 = LogFactory(campaign=org.campaign, person=org.contact2)
    assert set(selectors.logs_for_user(org.member1, org.campaign)) == {mine}
    assert set(selectors.logs_for_user(org.contact1, org.campaign)) == {mine}
    assert set(selectors.logs_for_user(org.supervisor, org.campaign)) == {mine, b2}


def test_unit_completion_numbers(org):
    a = material(org)
    material(org, for_units=[org.branch1])
    material(org, for_units=[org.branch2])
    material(org, required=False)
    material(org, published_at=None)
    LogFactory(campaign=org.campaign, person=org.member1, material=a, minutes=30)
    LogFactory(campaign=org.campaign, person=org.member1, material=a, minutes=15)
    LogFactory(campaign=org.campaign, person=org.contact2, material=a, minutes=10)
    ReflectionFactory(campaign=org.campaign, author=org.member1)
    ReflectionFactory(campaign=org.campaign, author=org.member1)
    ReflectionFactory(campaign=org.campaign, author=org.contact1, submitted_at=None)
    UserFactory(unit=org.branch1, is_active=False)

    result = selectors.unit_completion(org.office, org.campaign, org.organ)
    rows = {r.person.username: r for r in result.rows}
    assert list(rows) == ["member1", "contact1", "contact2"]  # unit path, then name
    m1 = rows["member1"]
    assert (m1.required_done, m1.required_total, m1.minutes, m1.reflections) == (1, 2, 45, 2)
    c1 = rows["contact1"]
    assert (c1.required_done, c1.required_total, c1.minutes, c1.has_reflection) == (0, 2, 0, False)
    c2 = rows["contact2"]
    assert (c2.required_done, c2.required_total, c2.minutes) == (1, 2, 10)
    assert (result.summary.people, result.summary.with_reflection, result.summary.share) == (
        3,
        1,
        33,
    )
    without = selectors.unit_completion(
        org.office, org.campaign, org.organ, without_reflection=True
    )
    assert [r.person.username for r in without.rows] == ["contact1", "contact2"]
    assert without.summary.people == 3


def test_unit_completion_query_count_is_fixed(org, django_assert_max_num_queries):
    material(org)
    material(org, for_units=[org.branch1])

    def count():
        with django_assert_max_num_queries(8) as ctx:
            selectors.unit_completion(org.office, org.campaign, org.root)
        return len(ctx.captured_queries)

    few = count()
    for i in range(20):
        person = UserFactory(unit=org.branch1 if i % 2 else org.branch2)
        LogFactory(campaign=org.campaign, person=person)
        ReflectionFactory(campaign=org.campaign, author=person)
    assert count() == few


def test_completion_unit_needs_a_reading_role(org):
    assert selectors.get_completion_unit_for_user(org.contact1, org.campaign, "branch1")
    assert selectors.get_completion_unit_for_user(org.leader, org.campaign, "branch2")
    for who, slug in (("contact1", "branch2"), ("member1", "branch1"), ("outsider", "root")):
        with pytest.raises(Http404):
            selectors.get_completion_unit_for_user(getattr(org, who), org.campaign, slug)
    assert not selectors.is_reader_in(org.member1, org.campaign)
    assert selectors.is_reader_in(org.contact1, org.campaign)
    assert list(selectors.reader_units(org.contact1, org.campaign)) == [org.branch1]
    assert list(selectors.reader_units(org.office, org.campaign)) == [org.root]


def test_member_page_collects_everything_of_mine(org, travel):
    travel(D(2019, 3, 10))
    m = material(org)
    LogFactory(campaign=org.campaign, person=org.member1, material=m, minutes=40)
    ReflectionFactory(campaign=org.campaign, author=org.member1, submitted_at=None)
    topic = Topic.objects.create(
        campaign=org.campaign,
        unit=org.root,
        question="如何破除僵化保守？",
        opens_on=D(2019, 3, 1),
        closes_on=D(2019, 3, 31),
        created_by=org.office,
    )
    opinion = Opinion.objects.create(topic=topic, author=org.member1, unit=org.branch1, body="x")
    Opinion.objects.create(topic=topic, author=org.contact1, unit=org.branch1, body="y")
    meeting = make_meeting(org)
    Attendance.objects.create(meeting=meeting, person=org.member1, present=False)
    page = selectors.member_page(org.member1, org.campaign)
    assert [r.material for r in page.study] == [m] and page.required_left == 0
    assert page.minutes == 40 and len(page.reflections) == 1
    assert page.opinions == [opinion]
    assert [a.meeting for a in page.attendances] == [meeting]
    assert page.takes_part

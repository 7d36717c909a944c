"""Inspections and findings: who records and reads them, the checks, the step to the ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation

from taolun.campaigns.tests.factories import make_campaign
from taolun.core import clock
from taolun.core.tests.test_demo import demo, demo_loaded  # noqa: F401 (fixtures)
from taolun.org.roles import Role
from taolun.org.tests.factories import UserFactory, grant, make_unit
from taolun.rectification.models import Problem, ProblemSource, ProblemState
from taolun.rectification.selectors import get_problem_for_user
from taolun.rectification.sources import source_for_user
from taolun.supervision import inspections as svc
from taolun.supervision.models import Finding, FindingKind, Inspection

D = dt.date


@pytest.fixture(autouse=True)
def _today(travel):
    travel(D(2019, 4, 15))


@pytest.fixture(autouse=True)
def _english():
    """The services' messages are asserted in English (the msgids)."""
    with translation.override("en"):
        yield


@pytest.fixture
def sup1(org):
    """A supervisor over branch1 only."""
    user = UserFactory(username="sup1", name="督导一", unit=org.branch1)
    grant(user, org.branch1, Role.SUPERVISOR)
    return user


def visit(org, actor=None, unit=None, **fields):
    return svc.inspection_create(
        actor=actor or org.supervisor,
        campaign=org.campaign,
        unit=unit or org.branch1,
        visited_on=fields.pop("visited_on", D(2019, 4, 10)),
        checked=fields.pop("checked", "<p>台账、学习记录</p>"),
        **fields,
    )


def find(org, inspection, actor=None, **fields):
    fields.setdefault("text", "<p>学习记录不全</p>")
    return svc.finding_add(actor=actor or org.supervisor, inspection=inspection, **fields)


def errors_of(exc: pytest.ExceptionInfo) -> dict:
    return exc.value.message_dict


# ---------------------------------------------------------------- recording


def test_a_supervisor_records_a_visit_with_numbered_findings(org):
    inspection = visit(org, team_name="第一督导组", members=[org.supervisor], other_members="王某")
    first = find(org, inspection)
    second = find(org, inspection, kind=FindingKind.GOOD_PRACTICE, text="<p>做法好</p>")
    assert (first.number, second.number) == (1, 2)
    assert first.unit == org.branch1  # the unit visited, when none is named
    assert list(inspection.members.all()) == [org.supervisor]
    assert inspection.recorded_by == org.supervisor


def test_html_is_sanitised(org):
    inspection = visit(
        org, checked='<p onclick="x()">查<script>alert(1)</script><a href="javascript:x">链</a></p>'
    )
    finding = find(org, inspection, text="<p>问题<script>bad()</script></p>")
    for html in (inspection.checked, finding.text):
        assert "script" not in html and "onclick" not in html and "javascript" not in html
    assert "查" in inspection.checked


def test_a_supervisor_of_branch1_cannot_record_for_branch2(org, sup1):
    with pytest.raises(ValidationError) as exc:
        visit(org, actor=sup1, unit=org.branch2)
    assert "unit" in errors_of(exc)
    assert visit(org, actor=sup1, unit=org.branch1).unit == org.branch1


@pytest.mark.parametrize("who", ["contact1", "member1", "leader", "outsider"])
def test_only_supervisors_and_the_office_record(org, who):
    with pytest.raises(PermissionDenied):
        visit(org, actor=getattr(org, who))
    assert visit(org, actor=org.office).pk


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"visited_on": D(2019, 4, 16)}, "visited_on"),
        ({"visited_on": D(2019, 1, 1)}, "visited_on"),
        ({"checked": "<script>x</script>"}, "checked"),
        ({"team_name": "组" * 121}, "team_name"),
        ({"other_members": "人" * 301}, "other_members"),
    ],
)
def test_bad_visits_name_the_field_and_change_nothing(org, fields, field):
    with pytest.raises(ValidationError) as exc:
        visit(org, **fields)
    assert field in errors_of(exc)
    assert not Inspection.objects.exists()


def test_team_members_must_be_in_the_recorders_reach(org, sup1):
    with pytest.raises(ValidationError) as exc:
        visit(org, actor=sup1, members=[org.contact2])
    assert "members" in errors_of(exc)
    assert "联络员二" in errors_of(exc)["members"][0]


def test_a_finding_lies_under_the_unit_visited(org):
    inspection = visit(org)
    with pytest.raises(ValidationError) as exc:
        find(org, inspection, unit=org.branch2)
    assert "unit" in errors_of(exc)
    other = make_campaign(org.root, "other")
    with pytest.raises(ValidationError) as exc:
        find(org, inspection, theme=other.themes.get())
    assert "theme" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        find(org, inspection, kind=FindingKind.GOOD_PRACTICE, deduction=Decimal(2))
    assert "deduction" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        find(org, inspection, text="<script>x</script>")
    assert "text" in errors_of(exc)
    assert not Finding.objects.exists()


def test_only_inspectors_over_the_unit_add_or_edit_findings(org, sup1):
    inspection = visit(org, unit=org.branch2)
    for who in (sup1, org.contact2, org.leader):
        with pytest.raises(PermissionDenied):
            find(org, inspection, actor=who)
    finding = find(org, inspection)
    with pytest.raises(PermissionDenied):
        svc.finding_update(actor=sup1, finding=finding, text="改")
    with pytest.raises(PermissionDenied):
        svc.finding_delete(actor=org.contact2, finding=finding)


def test_edits_are_audited_under_the_actor(org):
    inspection = visit(org)
    finding = find(org, inspection)
    svc.inspection_update(actor=org.office, inspection=inspection, summary="<p>总体较好</p>")
    svc.finding_update(actor=org.office, finding=finding, text="<p>改过</p>")
    entries = LogEntry.objects.filter(actor=org.office)
    assert {e.content_type.model for e in entries} == {"inspection", "finding"}
    history = svc.inspection_history(inspection)
    assert [r.entry.action for r in history] == [
        LogEntry.Action.CREATE,
        LogEntry.Action.CREATE,
        LogEntry.Action.UPDATE,
        LogEntry.Action.UPDATE,
    ]
    svc.finding_delete(actor=org.office, finding=finding)
    # A deleted finding's trail stays on its inspection's page.
    assert svc.inspection_history(inspection)[-1].entry.action == LogEntry.Action.DELETE


def test_the_unit_visited_must_keep_the_findings_below_it(org):
    inspection = visit(org, unit=org.organ)
    find(org, inspection, unit=org.branch2)
    with pytest.raises(ValidationError) as exc:
        svc.inspection_update(actor=org.supervisor, inspection=inspection, unit=org.branch1)
    assert "unit" in errors_of(exc)


# ---------------------------------------------------------------- reading


@pytest.fixture
def visits(org):
    b1 = visit(org, unit=org.branch1)
    find(org, b1)
    organ = visit(org, unit=org.organ)
    find(org, organ, unit=org.branch2, text="二支部的问题")
    find(org, organ, unit=org.organ, text="机关的问题")
    return {"b1": b1, "organ": organ}


@pytest.mark.parametrize(
    ("who", "seen"),
    [
        ("office", {"b1", "organ"}),
        ("leader", {"b1", "organ"}),
        ("supervisor", {"b1", "organ"}),
        ("contact1", {"b1"}),
        ("contact2", {"organ"}),  # a finding about branch2
        ("member1", set()),
        ("outsider", set()),
    ],
)
def test_who_reads_which_inspection(org, visits, who, seen):
    user = getattr(org, who)
    got = {k for k, v in visits.items() if svc.inspections_for_user(user).filter(pk=v.pk).exists()}
    assert got == seen
    for key in visits.keys() - seen:
        with pytest.raises(Http404):
            svc.get_inspection_for_user(user, visits[key].pk)


def test_a_contact_reads_only_the_findings_about_their_unit(org, visits):
    rows = svc.inspection_findings(org.contact2, visits["organ"])
    assert [r.finding.text for r in rows] == ["<p>二支部的问题</p>"]
    row = svc.inspections_for_user(org.contact2).get(pk=visits["organ"].pk)
    assert row.finding_count == 1
    assert svc.inspections_for_user(org.office).get(pk=visits["organ"].pk).finding_count == 2


def test_the_list_filters_by_unit_and_dates(org, visits):
    late = visit(org, unit=org.branch2, visited_on=D(2019, 4, 15))
    qs = svc.inspections_for_user(org.office, org.campaign)
    assert list(svc.inspection_list(qs, under=org.branch2)) == [late]
    assert set(svc.inspection_list(qs, under=org.organ)) == {late, *visits.values()}
    assert list(svc.inspection_list(qs, date_from=D(2019, 4, 11))) == [late]
    assert late not in svc.inspection_list(qs, date_to=D(2019, 4, 14))


# ---------------------------------------------------------------- to the ledger


def test_a_finding_becomes_a_draft_problem_linked_both_ways(org):
    inspection = visit(org, team_name="第一督导组")
    theme = org.campaign.themes.get()
    finding = find(org, inspection, theme=theme, text="<p>整改不到位</p>")
    problem = svc.finding_to_problem(actor=org.office, finding=finding)
    assert problem.campaign == org.campaign
    assert problem.unit == org.branch1
    assert problem.state == ProblemState.DRAFT
    assert problem.source == ProblemSource.SUPERVISION_FINDING
    assert problem.description == "<p>整改不到位</p>"
    assert problem.theme == theme
    assert problem.deadline == org.campaign.ends_on
    assert "第一督导组" in problem.source_note and "1" in problem.source_note
    assert problem.source_object == finding
    assert source_for_user(org.contact1, problem) == finding
    rows = svc.inspection_findings(org.supervisor, inspection)
    assert rows[0].problem == problem and rows[0].on_ledger
    assert svc.inspections_for_user(org.office).get(pk=inspection.pk).problem_count == 1


def test_twice_is_refused(org):
    finding = find(org, visit(org))
    svc.finding_to_problem(actor=org.office, finding=finding)
    with pytest.raises(ValidationError, match="already on the ledger"):
        svc.finding_to_problem(actor=org.office, finding=finding)
    assert Problem.objects.count() == 1


def test_a_finding_on_the_ledger_is_frozen(org):
    finding = find(org, visit(org))
    svc.finding_to_problem(actor=org.contact1, finding=finding)  # the unit's own contact
    with pytest.raises(ValidationError, match="on the ledger"):
        svc.finding_update(actor=org.supervisor, finding=finding, text="改")
    with pytest.raises(ValidationError, match="on the ledger"):
        svc.finding_delete(actor=org.supervisor, finding=finding)
    assert Finding.objects.filter(pk=finding.pk).exists()


def test_good_practice_and_those_who_do_not_keep_the_ledger_are_refused(org):
    inspection = visit(org)
    good = find(org, inspection, kind=FindingKind.GOOD_PRACTICE, text="好")
    with pytest.raises(ValidationError, match="good practice"):
        svc.finding_to_problem(actor=org.office, finding=good)
    problem = find(org, inspection)
    for who in (org.supervisor, org.contact2, org.leader):
        with pytest.raises(PermissionDenied):
            svc.finding_to_problem(actor=who, finding=problem)
    assert not Problem.objects.exists()


def test_a_unit_in_a_child_campaign_gets_the_problem_in_the_child_ledger(org):
    """The province's campaign inspects a federation that runs its own campaign."""
    province = make_unit("省委", "province", kind="organisation")
    type(org.root).objects.move(org.root, province, "first-child")
    org.root.refresh_from_db()
    top = make_campaign(province, "top")
    org.campaign.parent = top
    org.campaign.save()
    office = UserFactory(username="top-office", unit=province)
    grant(office, province, Role.OFFICE)
    branch1 = type(org.branch1).objects.get(pk=org.branch1.pk)
    inspection = visit(org, actor=office, unit=branch1)
    inspection.campaign = top
    inspection.save()
    finding = find(org, inspection, actor=office)
    problem = svc.finding_to_problem(actor=office, finding=finding)
    assert problem.campaign == org.campaign
    assert get_problem_for_user(org.contact1, problem.pk) == problem


def test_the_ledger_is_that_of_the_campaign_the_unit_acts_in_at_any_depth(org):
    """Province → federation → branch1's own campaign; an unrelated campaign is skipped."""
    province = make_unit("省委", "province", kind="organisation")
    type(org.root).objects.move(org.root, province, "first-child")
    top = make_campaign(province, "top")
    org.campaign.parent = top
    org.campaign.save()
    branch1 = type(org.branch1).objects.get(pk=org.branch1.pk)
    branch2 = type(org.branch2).objects.get(pk=org.branch2.pk)
    own = make_campaign(branch1, "b1camp", parent=org.campaign)
    make_campaign(type(org.organ).objects.get(pk=org.organ.pk), "stray")  # no kin of top
    office = UserFactory(username="top-office", unit=province)
    grant(office, province, Role.OFFICE)
    inspection = svc.inspection_create(
        actor=office,
        campaign=top,
        unit=type(org.organ).objects.get(pk=org.organ.pk),
        visited_on=D(2019, 4, 10),
        checked="<p>台账</p>",
    )
    in_b1 = find(org, inspection, actor=office, unit=branch1)
    in_b2 = find(org, inspection, actor=office, unit=branch2)
    assert svc.ledger_campaign(in_b1) == own
    assert svc.ledger_campaign(in_b2) == org.campaign
    problem = svc.finding_to_problem(actor=office, finding=in_b1)
    assert problem.campaign == own
    assert get_problem_for_user(org.contact1, problem.pk) == problem
    assert svc.finding_to_problem(actor=office, finding=in_b2).campaign == org.campaign


def test_the_problem_column_counts_the_visits_own_findings_on_the_ledger(org):
    from taolun.rectification.tests.factories import make_problem

    for _i in range(3):  # ids of problems and visits no longer coincide
        make_problem(org)
    quiet = visit(org, unit=org.branch2)
    find(org, quiet, unit=org.branch2)
    busy = visit(org)
    svc.finding_to_problem(actor=org.office, finding=find(org, busy))
    find(org, busy)
    for who in ("office", "supervisor"):
        rows = {i.pk: i for i in svc.inspections_for_user(getattr(org, who))}
        assert (rows[busy.pk].finding_count, rows[busy.pk].problem_count) == (2, 1)
        assert (rows[quiet.pk].finding_count, rows[quiet.pk].problem_count) == (1, 0)
    # A contact counts only what is about their unit.
    assert svc.inspections_for_user(org.contact2).get(pk=quiet.pk).problem_count == 0
    assert svc.inspections_for_user(org.contact1).get(pk=busy.pk).problem_count == 1


def test_a_reader_of_a_unit_below_sees_only_their_findings_trail(org, visits):
    organ = visits["organ"]
    assert svc.reads_whole_visit(org.supervisor, organ)
    assert not svc.reads_whole_visit(org.contact2, organ)
    svc.inspection_update(actor=org.supervisor, inspection=organ, summary="<p>总体</p>")
    rows = svc.inspection_findings(org.contact2, organ)
    mine = rows[0].finding
    history = svc.inspection_history(organ, [r.finding.pk for r in rows])
    assert {h.entry.content_type.model for h in history} == {"finding"}
    assert {int(h.entry.object_id) for h in history} == {mine.pk}
    whole = svc.inspection_history(organ)
    assert len(whole) == len(history) + 3  # the visit's two entries, the other finding


# ---------------------------------------------------------------- demo


def test_demo_inspections_load_once(demo):  # noqa: F811
    """The demo (which runs this part) holds the visits; a second run adds nothing."""
    from taolun.campaigns.models import Campaign
    from taolun.core.demo import DEMO_TODAY, FEDERATION_SLUG, _Loader
    from taolun.supervision import demo_inspections

    assert Inspection.objects.filter(campaign__slug=FEDERATION_SLUG).count() == 2
    assert Finding.objects.filter(inspection__campaign__slug=FEDERATION_SLUG).count() == 5
    branch = Inspection.objects.get(unit__slug="sxdpf-branch-1")
    kinds = [f.kind for f in branch.findings.order_by("number")]
    assert kinds == [FindingKind.PROBLEM, FindingKind.PROBLEM, FindingKind.GOOD_PRACTICE]
    problem = Problem.objects.get(source_type__model="finding")
    assert problem.state == ProblemState.OPEN and problem.unit.slug == "sxdpf-branch-1"
    assert Inspection.objects.get(unit__slug="sxdpf-rehab-centre-branch").findings.count() == 2
    loader = _Loader()
    with clock.travel(DEMO_TODAY):
        loader.load_org()
        demo_inspections.load(loader, Campaign.objects.get(slug=FEDERATION_SLUG))
    assert not loader.result.created

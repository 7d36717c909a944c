"""Typical cases through the services: who nominates and decides, the moves, bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.timezone import localdate

from taolun.activities.tests.files import fake_pdf, pdf, png
from taolun.campaigns.models import Theme
from taolun.reporting.cases import (
    case_decide,
    case_nominate,
    case_update,
    units_for_reporting,
)
from taolun.reporting.models import CASE_TRANSITIONS, CaseKind, CaseState, TypicalCase
from taolun.reporting.selectors import cases_for_user, get_case_for_user
from taolun.reporting.tests.factories import make_case

D = dt.date


@pytest.fixture(autouse=True)
def _april(travel):
    travel(D(2019, 4, 10))


def nominate(levels, who="contact1", unit="branch1", **kw):
    kw.setdefault("kind", CaseKind.PRACTICE)
    kw.setdefault("name", "服务窗口“一站式”办理")
    kw.setdefault("story", "<p>窗口把八项业务合并为一站办理。</p>")
    return case_nominate(
        actor=getattr(levels, who), campaign=levels.campaign, unit=getattr(levels, unit), **kw
    )


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def test_a_contact_nominates_for_their_unit_and_the_office_approves(levels):
    case = nominate(levels, summary="办事群众少跑腿")
    assert case.state == CaseState.NOMINATED
    assert case.nominated_by == levels.contact1
    assert localdate(case.nominated_at) == D(2019, 4, 10)
    approved = case_decide(actor=levels.office, case=case, approve=True)
    assert approved.state == CaseState.APPROVED
    assert approved.decided_by == levels.office and localdate(approved.decided_at) == D(2019, 4, 10)
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED


def test_who_may_nominate(levels):
    for who in ("member1", "outsider", "leader", "supervisor", "prov_office"):
        with pytest.raises(PermissionDenied):
            nominate(levels, who=who)
    with pytest.raises(PermissionDenied):  # not their unit
        nominate(levels, who="contact2", unit="branch1")
    # The office nominates for any unit of the campaign, its own included.
    assert nominate(levels, who="office", unit="fed").unit == levels.fed
    assert nominate(levels, who="office", unit="branch2").unit == levels.branch2
    assert not TypicalCase.objects.filter(nominated_by=levels.member1).exists()


def test_units_offered_for_nomination_follow_the_permission(levels):
    assert list(units_for_reporting(levels.campaign, levels.contact1)) == [levels.branch1]
    assert set(units_for_reporting(levels.campaign, levels.office)) == {
        levels.fed,
        levels.branch1,
        levels.branch2,
    }
    assert not units_for_reporting(levels.campaign, levels.member1).exists()
    # The province office's role lies outside the federation's campaign tree.
    assert not units_for_reporting(levels.campaign, levels.prov_office).exists()


def test_only_the_office_decides_and_never_on_its_own_nomination(levels):
    case = nominate(levels)
    for who in ("contact1", "contact2", "leader", "member1", "prov_office"):
        with pytest.raises(PermissionDenied):
            case_decide(actor=getattr(levels, who), case=case, approve=True)
    own = nominate(levels, who="office", unit="fed")
    with pytest.raises(PermissionDenied):
        case_decide(actor=levels.office, case=own, approve=True)
    own.refresh_from_db()
    assert own.state == CaseState.NOMINATED


def test_returned_with_comments_then_edited_and_nominated_again(levels):
    case = nominate(levels)
    with pytest.raises(ValidationError) as excinfo:
        case_decide(actor=levels.office, case=case, approve=False, comment="  ")
    assert "comment" in errors_of(excinfo)
    case.refresh_from_db()
    assert case.state == CaseState.NOMINATED
    case_decide(actor=levels.office, case=case, approve=False, comment="请补充成效数据")
    case.refresh_from_db()
    assert case.state == CaseState.RETURNED and case.comment == "请补充成效数据"
    # A returned case is not decided again until it is nominated again.
    with pytest.raises(PermissionDenied):
        case_decide(actor=levels.office, case=case, approve=True)
    # Others cannot edit it; the nominator can, saving first, then nominating again.
    with pytest.raises(PermissionDenied):
        case_update(actor=levels.contact2, case=case, story="<p>改</p>")
    with pytest.raises(PermissionDenied):
        case_update(actor=levels.member1, case=case, story="<p>改</p>")
    case_update(actor=levels.contact1, case=case, story="<p>办理时间缩短一半。</p>")
    case.refresh_from_db()
    assert case.state == CaseState.RETURNED and "缩短一半" in case.story
    case_update(actor=levels.contact1, case=case, nominate_again=True)
    case.refresh_from_db()
    assert case.state == CaseState.NOMINATED
    assert case_decide(actor=levels.office, case=case, approve=True).state == CaseState.APPROVED
    # An approved case is final: nobody edits it here.
    case.refresh_from_db()
    with pytest.raises(PermissionDenied):
        case_update(actor=levels.contact1, case=case, name="改名")


def test_a_nominated_case_cannot_be_edited_while_the_office_decides(levels):
    case = nominate(levels)
    with pytest.raises(PermissionDenied):
        case_update(actor=levels.contact1, case=case, name="改名")


def test_bad_input_names_each_field_and_writes_nothing(levels):
    other = Theme.objects.filter(campaign=levels.prov).first()
    with pytest.raises(ValidationError) as excinfo:
        nominate(
            levels,
            kind=CaseKind.PERSON,
            name="",
            story="<p>&nbsp;</p>",
            theme=other,
            photo=pdf(),
        )
    errors = errors_of(excinfo)
    assert set(errors) == {"name", "story", "theme", "photo"}
    assert "会议纪要.pdf" in errors["photo"][0]  # named, whatever the language
    with pytest.raises(ValidationError) as excinfo:
        nominate(levels, photo=fake_pdf("伪装.png"))
    assert "伪装.png" in errors_of(excinfo)["photo"][0]
    assert not TypicalCase.objects.exists()


def test_a_person_is_chosen_from_the_units_people_and_named(levels):
    case = nominate(levels, kind=CaseKind.PERSON, name="", person=levels.member1)
    assert case.person == levels.member1 and case.name == levels.member1.name
    with pytest.raises(ValidationError) as excinfo:
        nominate(levels, kind=CaseKind.PERSON, name="某人", person=levels.contact2)
    assert "person" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        nominate(levels, kind=CaseKind.PRACTICE, person=levels.member1)
    assert "person" in errors_of(excinfo)
    # A name alone is enough: not everyone the unit honours has an account.
    assert nominate(levels, kind=CaseKind.PERSON, name="退休职工王师傅").person is None


def test_the_story_is_sanitised_and_the_photo_kept_under_a_generated_name(levels):
    case = nominate(
        levels,
        story='<p onclick="x()">好</p><script>alert(1)</script><a href="javascript:x()">链</a>',
        photo=png("窗口.png"),
    )
    assert "script" not in case.story and "onclick" not in case.story
    assert "javascript" not in case.story and "好" in case.story
    assert case.original_name == "窗口.png" and case.content_type == "image/png"
    assert "窗口" not in case.file.name


def test_scope_of_cases(levels):
    nominated = nominate(levels)
    assert get_case_for_user(levels.contact1, nominated.pk) == nominated
    assert get_case_for_user(levels.office, nominated.pk) == nominated
    assert get_case_for_user(levels.leader, nominated.pk) == nominated
    for who in ("contact2", "member1", "outsider", "prov_office"):
        with pytest.raises(Http404):
            get_case_for_user(getattr(levels, who), nominated.pk)
    case_decide(actor=levels.office, case=nominated, approve=True)
    # Approved: shared with everyone taking part in the campaign.
    for who in ("contact2", "member1"):
        assert nominated in cases_for_user(getattr(levels, who))
    with pytest.raises(Http404):
        get_case_for_user(levels.outsider, nominated.pk)


MOVES = {
    "approve": lambda levels, case: case_decide(actor=levels.office, case=case, approve=True),
    "return": lambda levels, case: case_decide(
        actor=levels.office, case=case, approve=False, comment="请修改"
    ),
    "nominate": lambda levels, case: case_update(
        actor=levels.contact1, case=case, nominate_again=True
    ),
}
TARGET = {
    "approve": CaseState.APPROVED,
    "return": CaseState.RETURNED,
    "nominate": CaseState.NOMINATED,
}


@pytest.mark.parametrize("state", list(CaseState))
@pytest.mark.parametrize("verb", list(MOVES))
def test_every_move_from_every_state_follows_the_table(levels, state, verb):
    case = make_case(levels.campaign, levels.branch1, levels.contact1, state=state)
    legal = CASE_TRANSITIONS.get((state, TARGET[verb])) == verb
    if legal:
        assert MOVES[verb](levels, case).state == TARGET[verb]
    else:
        with pytest.raises((PermissionDenied, ValidationError)):
            MOVES[verb](levels, case)
        case.refresh_from_db()
        assert case.state == state

"""Institutional outcomes through the services: who records, what they may link, bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from taolun.activities.tests.files import fake_pdf, pdf, png
from taolun.campaigns.models import Theme
from taolun.rectification.tests.factories import make_problem
from taolun.reporting.models import InstitutionalOutcome, OutcomeKind
from taolun.reporting.outcomes import (
    outcome_add,
    outcome_counts,
    outcome_list,
    outcome_update,
    outcomes_for_problem,
)
from taolun.reporting.selectors import get_outcome_for_user

D = dt.date


@pytest.fixture(autouse=True)
def _may(travel):
    travel(D(2019, 5, 20))


def record(levels, who="contact1", unit="branch1", **kw):
    kw.setdefault("title", "机关作风建设若干规定")
    kw.setdefault("issued_on", D(2019, 5, 10))
    return outcome_add(
        actor=getattr(levels, who), campaign=levels.campaign, unit=getattr(levels, unit), **kw
    )


def theme(campaign, number=1) -> Theme:
    found, _created = Theme.objects.get_or_create(
        campaign=campaign,
        number=number,
        defaults={"break_with": f"破除{number}", "focus_on": "着力", "adhere_to": "坚持"},
    )
    return found


def test_a_contact_records_a_rule_with_its_file_problems_and_themes(levels):
    problem = make_problem(levels, unit="branch1")
    outcome = record(
        levels,
        document_number="晋残联发〔2019〕12号",
        summary='<p onclick="x()">第一条</p><script>x</script><a href="javascript:x()">l</a>',
        problems=[problem],
        themes=[theme(levels.campaign)],
        upload=pdf("规定.pdf"),
    )
    assert outcome.recorded_by == levels.contact1
    assert outcome.original_name == "规定.pdf" and outcome.content_type == "application/pdf"
    assert "script" not in outcome.summary and "onclick" not in outcome.summary
    assert "javascript" not in outcome.summary and "第一条" in outcome.summary
    assert list(outcome.problems.all()) == [problem]
    assert list(outcomes_for_problem(levels.member1, problem)) == [outcome]


def test_who_may_record_and_change(levels):
    for who in ("member1", "outsider", "leader", "prov_office"):
        with pytest.raises(PermissionDenied):
            record(levels, who=who)
    with pytest.raises(PermissionDenied):
        record(levels, who="contact2", unit="branch1")
    outcome = record(levels)
    with pytest.raises(PermissionDenied):
        outcome_update(actor=levels.contact2, outcome=outcome, title="改")
    outcome_update(actor=levels.office, outcome=outcome, title="机关作风建设规定")
    outcome.refresh_from_db()
    assert outcome.title == "机关作风建设规定"


def test_bad_input_names_each_field_and_writes_nothing(levels):
    foreign = make_problem(levels, unit="branch2")
    with pytest.raises(ValidationError) as excinfo:
        record(
            levels,
            title=" ",
            issued_on=D(2019, 6, 1),
            kind=OutcomeKind.REVISED,
            problems=[foreign],
            themes=[theme(levels.prov)],
            upload=png(),
        )
    errors = excinfo.value.message_dict
    assert set(errors) == {"title", "issued_on", "revises", "problems", "themes", "upload"}
    with pytest.raises(ValidationError) as excinfo:
        record(levels, upload=fake_pdf("伪装.pdf"))
    assert "伪装.pdf" in excinfo.value.message_dict["upload"][0]
    assert not InstitutionalOutcome.objects.exists()


def test_an_edit_keeps_links_to_problems_the_editor_cannot_see(levels):
    mine = make_problem(levels, unit="branch1")
    theirs = make_problem(levels, unit="branch2")
    outcome = record(levels, who="office", unit="fed", problems=[mine, theirs])
    # The office moves the rule to branch1, whose contact then edits it.
    outcome_update(actor=levels.office, outcome=outcome, unit=levels.branch1)
    outcome_update(actor=levels.contact1, outcome=outcome, problems=[])
    assert set(outcome.problems.all()) == {theirs}


def test_everyone_taking_part_reads_outcomes_and_nobody_else(levels):
    outcome = record(levels)
    for who in ("contact2", "member1", "leader", "office"):
        assert get_outcome_for_user(getattr(levels, who), outcome.pk) == outcome
    with pytest.raises(Http404):
        get_outcome_for_user(levels.outsider, outcome.pk)


def test_list_filters_and_counts(levels):
    problem = make_problem(levels, unit="branch1")
    record(levels, title="新规定", themes=[theme(levels.campaign, 1)], problems=[problem])
    record(
        levels,
        who="contact2",
        unit="branch2",
        title="修订规定",
        kind=OutcomeKind.REVISED,
        revises="旧规定",
        themes=[theme(levels.campaign, 2)],
    )

    def titles(**kw):
        return [o.title for o in outcome_list(levels.member1, levels.campaign, **kw)]

    assert set(titles()) == {"新规定", "修订规定"}
    assert titles(theme=theme(levels.campaign, 2)) == ["修订规定"]
    assert titles(unit=levels.branch1) == ["新规定"]
    assert titles(kind=OutcomeKind.REVISED) == ["修订规定"]
    counts = outcome_counts(levels.member1, levels.campaign)
    assert counts.total == 2 and counts.answering_problems == 1
    assert counts.by_kind == {OutcomeKind.NEW: 1, OutcomeKind.REVISED: 1}

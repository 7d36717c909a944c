"""Scores: the scheme's rules, a hand-computed ranking, ties, capped deductions, scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from taolun.campaigns.models import ActionStatus, RecordState
from taolun.org.tests.factories import make_unit
from taolun.rectification.models import ProblemState
from taolun.rectification.tests.factories import make_problem, put
from taolun.reporting.models import Brief, BriefReview, ReviewState
from taolun.study.models import StudyLog
from taolun.supervision.models import Finding, FindingKind, Inspection, ScoringScheme
from taolun.supervision.scores import ranking, scheme_save

TODAY = dt.date(2019, 4, 1)
DEMO_SCHEME = {
    "weight_actions": Decimal(30),
    "weight_timeliness": Decimal(20),
    "weight_rectification": Decimal(25),
    "weight_briefs": Decimal(10),
    "weight_participation": Decimal(15),
    "deduction_per_finding": Decimal(2),
    "deduction_cap": Decimal(10),
    "briefs_for_full_marks": 2,
}


@pytest.fixture
def today(travel):
    return travel(TODAY)


def url(name: str) -> str:
    return reverse(f"supervision:{name}", args=["camp"])


def _finding(org, unit, number: int, deduction: Decimal | None = None) -> Finding:
    inspection = Inspection.objects.filter(campaign=org.campaign).first()
    if inspection is None:
        inspection = Inspection.objects.create(
            campaign=org.campaign,
            unit=org.root,
            visited_on=dt.date(2019, 3, 5),
            checked="台账",
            recorded_by=org.supervisor,
        )
    return Finding.objects.create(
        inspection=inspection,
        number=number,
        kind=FindingKind.PROBLEM,
        text="发现问题",
        unit=unit,
        deduction=deduction,
    )


@pytest.fixture
def scored(org, today):
    """Branch 1 does well, branch 2 lags and was found wanting three times."""
    scheme_save(actor=org.office, campaign=org.campaign, **DEMO_SCHEME)
    # Branch 1: both stage-1 actions done on time; stage 2 not yet due.
    ActionStatus.objects.filter(unit=org.branch1, stage__number=1).update(
        record_state=RecordState.ACCEPTED, completed_on=dt.date(2019, 3, 1)
    )
    brief = Brief.objects.create(
        campaign=org.campaign, unit=org.branch1, title="简报", body="x", author=org.contact1
    )
    BriefReview.objects.create(
        brief=brief,
        campaign=org.campaign,
        level=1,
        state=ReviewState.ADOPTED,
        sent_by=org.contact1,
        received_at=dt.datetime(2019, 3, 2, tzinfo=dt.UTC),
    )
    for person in (org.contact1, org.member1):
        StudyLog.objects.create(
            campaign=org.campaign,
            person=person,
            unit=org.branch1,
            other_title="讲话",
            studied_on=dt.date(2019, 3, 1),
            minutes=30,
        )
    _finding(org, org.branch1, 1)
    # Branch 2: nothing done (stage 1 overdue), one overdue problem, three findings.
    put(make_problem(org, unit="branch2", deadline=dt.date(2019, 3, 20)), ProblemState.OPEN)
    for n in (2, 3, 4):
        _finding(org, org.branch2, n, Decimal(5))
    return org


def test_hand_computed_scores(scored):
    result = ranking(scored.campaign, scored.root, 2, TODAY)
    by_unit = {s.unit.slug: s for s in result.scores}
    first = by_unit["branch1"]
    # 2 of 4 cells done (15 of 30); all done on time (20); no problem: nothing due (25);
    # 1 brief of 2 for full marks (5); 1 log per member, the best (15); one finding, 2.
    assert [p.points for p in first.parts] == [
        Decimal("15.00"),
        Decimal("20.00"),
        Decimal("25.00"),
        Decimal("5.00"),
        Decimal("15.00"),
    ]
    assert first.parts[2].nothing_due
    assert first.deduction == Decimal(2)
    assert first.total == Decimal("78.00")
    second = by_unit["branch2"]
    # Nothing earned; 3 × 5 = 15 points of findings capped at 10; never below 0.
    assert [p.points for p in second.parts] == [Decimal("0.00")] * 5
    assert second.deduction_uncapped == Decimal(15)
    assert second.deduction == Decimal(10)
    assert second.capped
    assert second.total == Decimal(0)
    assert [(s.unit.slug, s.rank) for s in result.scores] == [("branch1", 1), ("branch2", 2)]


def test_equal_scores_share_a_rank(org, today):
    result = ranking(org.campaign, org.root, 2, TODAY)
    assert [s.rank for s in result.scores] == [1, 1]
    assert not result.scheme_saved


def test_weights_must_add_up_to_100(org):
    bad = {**DEMO_SCHEME, "weight_participation": Decimal(10)}
    with pytest.raises(ValidationError) as caught:
        scheme_save(actor=org.office, campaign=org.campaign, **bad)
    errors = caught.value.message_dict
    assert set(errors) == set(ScoringScheme.WEIGHT_FIELDS)
    assert "95" in errors["weight_actions"][0]
    assert not ScoringScheme.objects.exists()


def test_negative_values_are_refused(org):
    bad = {**DEMO_SCHEME, "deduction_cap": Decimal(-1)}
    with pytest.raises(ValidationError) as caught:
        scheme_save(actor=org.office, campaign=org.campaign, **bad)
    assert "deduction_cap" in caught.value.message_dict


def test_only_the_office_saves_the_scheme_and_it_is_audited(org):
    with pytest.raises(PermissionDenied):
        scheme_save(actor=org.supervisor, campaign=org.campaign, **DEMO_SCHEME)
    scheme = scheme_save(actor=org.office, campaign=org.campaign, **DEMO_SCHEME)
    assert scheme.updated_by == org.office
    entry = LogEntry.objects.get_for_object(scheme).get()
    assert entry.actor == org.office


def test_scheme_page_keeps_what_was_typed_on_error(client, org):
    client.force_login(org.office)
    data = {k: str(v) for k, v in DEMO_SCHEME.items()} | {"weight_actions": "31"}
    response = client.post(reverse("supervision:scheme", args=["camp"]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "they add up to 101" in html
    assert 'value="31"' in html
    assert not ScoringScheme.objects.exists()
    data["weight_actions"] = "30"
    response = client.post(reverse("supervision:scheme", args=["camp"]), data)
    assert response.status_code == 302
    assert ScoringScheme.objects.get().briefs_for_full_marks == 2


def test_scheme_page_is_the_offices(client, org):
    client.force_login(org.supervisor)
    assert client.get(reverse("supervision:scheme", args=["camp"])).status_code == 403


def test_scores_page_shows_ranking_and_reasons(client, scored):
    client.force_login(scored.supervisor)
    response = client.get(url("scores"), {"depth": 2})
    assert response.status_code == 200
    html = response.content.decode()
    row = html.split('data-unit="branch1"')[1].split("</details>")[0]
    assert "78.00" in row
    assert "nothing due" in row
    assert "1 adopted; 2 earn full marks" in row
    capped = html.split('data-unit="branch2"')[1].split("</details>")[0]
    assert "15 points, capped" in capped
    assert 'data-testid="default-scheme"' not in html


def test_scores_page_says_when_defaults_apply(client, org, today):
    client.force_login(org.office)
    html = client.get(url("scores")).content.decode()
    assert 'data-testid="default-scheme"' in html


@pytest.mark.parametrize("who", ["contact1", "member1", "outsider"])
def test_scores_are_hidden_from_contacts_members_and_outsiders(client, org, who):
    client.force_login(getattr(org, who))
    assert client.get(url("scores")).status_code == 404
    assert client.get(url("scores_xlsx")).status_code == 404


def test_excel_download(client, scored):
    client.force_login(scored.office)
    response = client.get(url("scores_xlsx"), {"depth": 2})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert any(row[:2] == [1, scored.branch1.name] and row[-1] == 78 for row in values)


def _count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_query_count_does_not_grow_with_units(client, scored):
    client.force_login(scored.office)
    path = url("scores") + "?depth=2"
    before = _count(client, path)
    for i in range(18):
        make_unit(f"支部{i}", f"extra{i}", scored.organ)
    after = _count(client, path)
    assert after == before
    assert client.get(path).content.decode().count('data-unit="extra') == 18


def test_nothing_to_compare_earns_full_marks_and_no_members_earns_none(org, today):
    # Relative briefs, and no unit of the level has a brief adopted or any participation.
    scheme_save(
        actor=org.office, campaign=org.campaign, **{**DEMO_SCHEME, "briefs_for_full_marks": 0}
    )
    empty = make_unit("无人支部", "empty", org.organ)
    result = ranking(org.campaign, org.root, 2, TODAY)
    by_unit = {s.unit.slug: {p.key: p for p in s.parts} for s in result.scores}
    for slug in ("branch1", "branch2", "empty"):
        briefs = by_unit[slug]["briefs"]
        assert briefs.points == Decimal("10.00")
        assert briefs.measured.startswith("nothing to measure")
    for slug in ("branch1", "branch2"):
        assert by_unit[slug]["participation"].points == Decimal("15.00")
        assert by_unit[slug]["participation"].measured.startswith("nothing to measure")
    assert by_unit[empty.slug]["participation"].points == Decimal("0.00")
    assert by_unit[empty.slug]["participation"].measured == "no members registered"


def test_scores_page_states_the_rules_of_nothing_to_measure(client, org, today):
    make_unit("无人支部", "empty", org.organ)
    client.force_login(org.office)
    html = client.get(url("scores"), {"depth": 2}).content.decode()
    assert "a unit with no members registered earns 0" in html
    row = html.split('data-unit="empty"')[1].split("</details>")[0]
    assert "no members registered" in row
    assert "nothing to measure" in html.split('data-unit="branch1"')[1].split("</details>")[0]


def test_scores_page_shows_50_a_page_and_excel_keeps_all(client, org, today):
    for i in range(53):
        make_unit(f"支部{i}", f"many{i}", org.organ)
    client.force_login(org.office)
    first = client.get(url("scores"), {"depth": 2}).content.decode()
    assert first.count('data-testid="rank"') == 50
    assert "55 units ranked" in first and "page 1 of 2" in first
    second = client.get(url("scores"), {"depth": 2, "page": 2}).content.decode()
    assert second.count('data-testid="rank"') == 5
    response = client.get(url("scores_xlsx"), {"depth": 2})
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    assert sum(isinstance(row[0].value, int) for row in sheet.iter_rows()) == 55


def test_a_concurrent_first_save_updates_instead_of_failing(org, monkeypatch):
    from taolun.supervision import scores

    scheme_save(actor=org.office, campaign=org.campaign, **DEMO_SCHEME)
    # Another request read "no scheme yet" before the first save landed.
    monkeypatch.setattr(scores, "scheme_for", lambda c: (ScoringScheme(campaign=c), False))
    scheme_save(
        actor=org.office, campaign=org.campaign, **{**DEMO_SCHEME, "briefs_for_full_marks": 5}
    )
    assert ScoringScheme.objects.get().briefs_for_full_marks == 5

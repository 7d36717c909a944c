"""The ledger in Excel: export, import (read, check, plan, apply), round trip, bad files."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

import openpyxl
import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from taolun.campaigns.models import Theme
from taolun.campaigns.tests.factories import make_campaign
from taolun.core.sanitize import clean_html
from taolun.org.tests.factories import UserFactory
from taolun.rectification import ledger_io
from taolun.rectification.ledger_io import COLUMNS, LedgerFileError
from taolun.rectification.models import (
    ExtensionRequest,
    ExtensionState,
    LedgerImport,
    Measure,
    Problem,
    ProblemKind,
    ProblemLevel,
    ProblemSource,
    ProblemState,
    ProgressUpdate,
)
from taolun.rectification.services import (
    MeasureInput,
    problem_carry_over,
    problem_complete,
    problem_send_back,
    problem_verify,
    progress_add,
)
from taolun.rectification.tests.factories import make_problem

D = dt.date
S = ProblemState
ZH = {c.key: c.zh for c in COLUMNS}


@pytest.fixture(autouse=True)
def _today(travel):
    travel(D(2019, 3, 15))


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted on their English msgids (outside a request, zh-hans is active)."""
    with translation.override("en"):
        yield


# ---------------------------------------------------------------- helpers (shared by the io tests)


def export_bytes(user, campaign, **filters) -> bytes:
    out = io.BytesIO()
    ledger_io.ledger_export(user=user, campaign=campaign, out=out, filters=filters)
    return out.getvalue()


def sheet_rows(data: bytes) -> list[tuple]:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return [tuple(r) for r in workbook.active.iter_rows(values_only=True)]


def workbook(
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str] = (
        "ledger_number",
        "description",
        "unit",
        "measure",
        "measure_deadline",
        "deadline",
        "state",
        "progress",
        "note",
    ),
    *,
    headers: dict[str, str] | None = None,
    title: bool = True,
) -> bytes:
    """A hand-made ledger: a title row, the header (Chinese unless told), then ``rows``."""
    headers = headers or ZH
    book = openpyxl.Workbook()
    sheet = book.active
    if title:
        sheet.append(["问题整改台账"])
    sheet.append([headers[k] for k in keys])
    for row in rows:
        sheet.append([row.get(k) for k in keys])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def plan_of(data: bytes, actor, campaign, unit, name: str = "台账.xlsx") -> ledger_io.ImportPlan:
    sheet = ledger_io.read_ledger(io.BytesIO(data), name=name)
    return ledger_io.plan_import(actor=actor, campaign=campaign, unit=unit, sheet=sheet)


def run(data: bytes, actor, campaign, unit, name: str = "台账.xlsx") -> ledger_io.ImportPlan:
    return ledger_io.ledger_import_run(
        actor=actor, campaign=campaign, unit=unit, source=io.BytesIO(data), name=name
    )


def messages_of(plan: ledger_io.ImportPlan) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.message) for e in plan.errors]


def snapshot() -> tuple[int, int, int, int]:
    """What an import may write: problems, measures, progress updates, audit entries."""
    return (
        Problem.objects.count(),
        Measure.objects.count(),
        ProgressUpdate.objects.count(),
        LogEntry.objects.exclude(
            content_type=ContentType.objects.get_for_model(LedgerImport)
        ).count(),
    )


def row(**values) -> dict[str, Any]:
    base = {
        "description": "理论学习不够深入",
        "unit": "机关第一党支部",
        "measure": "每周集中学习一次",
        "measure_deadline": D(2019, 4, 1),
        "deadline": D(2019, 4, 30),
    }
    base.update(values)
    return base


# ---------------------------------------------------------------- a ledger worth exporting


def second_theme(campaign) -> Theme:
    return Theme.objects.create(
        campaign=campaign,
        number=2,
        break_with="破除安于现状",
        focus_on="着力解决进取意识不强问题",
        adhere_to="坚持以奋发有为推动工作",
    )


@pytest.fixture
def ledger(org, travel):
    """Six problems over three units and two themes, in every kind of state."""
    travel(D(2019, 3, 1))
    camp = org.campaign
    theme1 = camp.themes.get(number=1)
    theme2 = second_theme(camp)
    person = UserFactory(username="zhang", name="张三", unit=org.branch1)
    p = {}
    p["working"] = make_problem(
        org,
        description="理论学习不够深入\n学用脱节",
        source=ProblemSource.DEMOCRATIC_LIFE_MEETING,
        theme=theme1,
        level=ProblemLevel.LEADERSHIP_BODY,
        responsible_leader=org.leader,
        person_in_charge=person,
        supporting_units=[org.branch2, org.organ],
        target_standard="学习制度化、常态化",
        measures=[
            MeasureInput("制定学习计划", D(2019, 3, 20), done=True),
            MeasureInput("每周集中学习一次", D(2019, 4, 20)),
        ],
        open_now=True,
    )
    progress_add(actor=org.contact1, problem=p["working"], text="已制定计划 & 开展两次学习")
    p["long"] = make_problem(
        org,
        unit="branch2",
        description="调查研究不够",
        source=ProblemSource.STAFF_OPINION,
        theme=theme2,
        level=ProblemLevel.INDIVIDUAL,
        kind=ProblemKind.LONG_TERM,
        deadline=None,
        open_now=True,
    )
    p["verified"] = make_problem(
        org,
        description="会议多、文件多",
        kind=ProblemKind.IMMEDIATE,
        measures=[MeasureInput("精简会议", D(2019, 3, 10), done=True)],
        open_now=True,
    )
    progress_add(actor=org.contact1, problem=p["verified"], text="会议减少三成")
    problem_complete(actor=org.contact1, problem=p["verified"])
    problem_verify(actor=org.office, problem=p["verified"], comment="整改到位")
    p["carried"] = make_problem(
        org, unit="organ", description="办公用房超标", theme=theme2, open_now=True
    )
    problem_carry_over(actor=org.office, problem=p["carried"], reason="涉及机构改革，转入下一阶段")
    p["draft"] = make_problem(
        org,
        unit="branch2",
        description="宣传不够",
        measures=[
            MeasureInput("更新网站", D(2019, 4, 1)),
            MeasureInput("开通微信公众号", D(2019, 4, 10)),
            MeasureInput("编发简报", D(2019, 4, 20)),
        ],
    )
    p["sent_back"] = make_problem(org, description="制度执行不严", open_now=True)
    progress_add(actor=org.contact1, problem=p["sent_back"], text="修订制度")
    problem_complete(actor=org.contact1, problem=p["sent_back"])
    problem_send_back(actor=org.office, problem=p["sent_back"], comment="缺少执行检查记录")
    travel(D(2019, 3, 15))
    for problem in p.values():
        problem.refresh_from_db()
    return p


def described(problem: Problem) -> dict[str, Any]:
    """A problem as the ledger shows it, comparable across campaigns."""
    latest = problem.updates.order_by("-reported_on", "-id").first()
    return {
        "number": problem.ledger_number,
        "description": ledger_io.html_to_text(problem.description),
        "source": problem.source,
        "theme": str(problem.theme) if problem.theme else None,
        "level": problem.level,
        "unit": problem.unit_id,
        "leader": problem.responsible_leader_id,
        "person": problem.person_in_charge_id,
        "supporting": sorted(problem.supporting_units.values_list("pk", flat=True)),
        "target": ledger_io.html_to_text(problem.target_standard),
        "deadline": problem.deadline,
        "kind": problem.kind,
        "state": problem.state,
        "measures": list(problem.measures.values_list("text", "deadline", "done")),
        "progress": ledger_io.html_to_text(latest.text) if latest else "",
        "note": problem.carried_over_reason
        if problem.state == S.CARRIED_OVER
        else problem.review_comment,
    }


# ---------------------------------------------------------------- text in and out


@given(
    st.lists(
        st.text(
            alphabet=st.sampled_from("学习ab &\"'<>\xa0\t整改;；、 1"), min_size=0, max_size=12
        ),
        max_size=4,
    )
)
@settings(max_examples=200, deadline=None)
def test_plain_text_is_stored_as_the_sanitiser_would(lines):
    text = ledger_io.normalise_text("\n".join(lines))
    stored = ledger_io.text_to_html(text)
    assert ledger_io.html_to_text(stored) == text
    if "<" not in text:  # clean_html takes text with "<" for HTML; the importer never does
        assert stored == clean_html(text)


def test_rich_text_exports_a_line_per_paragraph():
    html = "<p>一、<strong>学习</strong></p><ul><li>甲 &amp; 乙</li><li>丙</li></ul><p>a<br>b</p>"
    assert ledger_io.html_to_text(html) == "一、学习\n甲 & 乙\n丙\na\nb"


# ---------------------------------------------------------------- export


def test_export_writes_the_ledger_layout(org, ledger):
    with translation.override("zh-hans"):
        rows = sheet_rows(export_bytes(org.office, org.campaign))
        assert rows[0][0] == ledger_io.ledger_title(org.campaign)
    assert org.campaign.name in rows[0][0]
    assert "2019-03-15" in rows[1][0] and "省残联" in rows[1][0]
    header = rows[2]
    assert len(header) == len(COLUMNS)
    data = rows[3:]
    working = [r for r in data if r[1] == ledger["working"].ledger_number]
    assert len(working) == 1  # the second measure's row has its problem cells merged (empty)
    at = data.index(working[0])
    first, second = data[at], data[at + 1]
    keys = [c.key for c in COLUMNS]
    cell = dict(zip(keys, first, strict=False))
    assert cell["description"] == "理论学习不够深入\n学用脱节"
    assert cell["supporting_units"] == "机关、机关第二党支部"  # in tree order
    assert cell["measure"] == "制定学习计划" and cell["measure_done"] == "是"
    assert cell["deadline"] == dt.datetime(2019, 4, 30)
    assert cell["progress"] == "已制定计划 & 开展两次学习"
    assert cell["responsible_leader"] == "领导" and cell["person_in_charge"] == "张三"
    assert second[keys.index("ledger_number")] is None
    assert second[keys.index("measure")] == "每周集中学习一次"
    carried = next(r for r in data if r[1] == ledger["carried"].ledger_number)
    assert carried[keys.index("note")] == "涉及机构改革，转入下一阶段"
    verified = next(r for r in data if r[1] == ledger["verified"].ledger_number)
    assert verified[keys.index("note")] == "整改到位"


def test_export_merges_problem_cells_and_sets_up_printing(org, ledger):
    data = export_bytes(org.office, org.campaign)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    merged = {str(r) for r in sheet.merged_cells.ranges}
    rows = [r[1].value for r in sheet.iter_rows(min_row=4)]
    at = rows.index(ledger["draft"].ledger_number) + 4  # three measures: rows at..at+2
    assert f"B{at}:B{at + 2}" in merged and f"C{at}:C{at + 2}" in merged
    assert not any(r.startswith(f"K{at}:") for r in merged)  # the measure column is not merged
    assert sheet.freeze_panes == "A4"
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9  # A4


def test_a_contact_exports_only_their_units_problems(org, ledger):
    numbers = {r[1] for r in sheet_rows(export_bytes(org.contact2, org.campaign))[3:]} - {None}
    assert numbers == {ledger["long"].ledger_number, ledger["draft"].ledger_number}


def test_export_follows_the_ledger_filters(org, ledger):
    rows = sheet_rows(export_bytes(org.office, org.campaign, state=S.VERIFIED))[3:]
    assert [r[1] for r in rows] == [ledger["verified"].ledger_number]
    rows = sheet_rows(export_bytes(org.office, org.campaign, unit="branch2"))[3:]
    assert {r[1] for r in rows} - {None} == {
        ledger["long"].ledger_number,
        ledger["draft"].ledger_number,
    }


def test_shared_names_are_exported_with_their_unit(org, ledger):
    UserFactory(username="zhang2", name="张三", unit=org.branch2)
    rows = sheet_rows(export_bytes(org.office, org.campaign))
    person = [c.key for c in COLUMNS].index("person_in_charge")
    assert "张三（机关第一党支部）" in [r[person] for r in rows[3:]]


def test_export_reads_in_a_fixed_number_of_queries(org, ledger, django_assert_max_num_queries):
    with django_assert_max_num_queries(16):
        export_bytes(org.office, org.campaign)
    for i in range(20):
        make_problem(org, description=f"问题{i}", measures=[MeasureInput("措施", D(2019, 4, 1))])
    with django_assert_max_num_queries(16):
        export_bytes(org.office, org.campaign)


# ---------------------------------------------------------------- round trip


def test_round_trip_into_an_empty_campaign_reproduces_the_ledger(org, ledger):
    data = export_bytes(org.office, org.campaign)
    camp2 = make_campaign(org.root, "camp2")
    second_theme(camp2)
    plan = run(data, org.office, camp2, org.root)
    assert plan.ok, plan.errors
    assert plan.counts == {"added": 6, "changed": 0, "unchanged": 0}
    for problem in ledger.values():
        copy = Problem.objects.get(campaign=camp2, ledger_number=problem.ledger_number)
        assert described(copy) == described(problem)
    # Imported again, the ledger is left as it is.
    before = snapshot()
    plan = run(export_bytes(org.office, camp2), org.office, camp2, org.root)
    assert plan.counts == {"added": 0, "changed": 0, "unchanged": 6}
    assert snapshot() == before


def test_the_same_sheet_imported_again_changes_nothing(org, ledger):
    data = export_bytes(org.office, org.campaign)
    before = snapshot()
    plan = run(data, org.office, org.campaign, org.root)
    assert plan.ok and plan.counts == {"added": 0, "changed": 0, "unchanged": 6}
    assert snapshot() == before


def test_a_chinese_sheet_with_columns_in_another_order_imports(org, ledger):
    with translation.override("zh-hans"):
        data = export_bytes(org.office, org.campaign)
    plan = plan_of(data, org.office, org.campaign, org.root)
    assert plan.ok and plan.unchanged == 6
    keys = ["deadline", "unit", "description", "ledger_number", "measure_deadline", "measure"]
    data = workbook([row(ledger_number="NEW-1")], keys)
    plan = plan_of(data, org.contact1, org.campaign, org.branch1)
    assert plan.ok and plan.counts["added"] == 1


# ---------------------------------------------------------------- updates through the sheet


def _edit(data: bytes, number: str, **changes) -> bytes:
    """The exported workbook with cells of ``number``'s first row changed."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.active
    keys = [c.key for c in COLUMNS]
    for cells in sheet.iter_rows(min_row=4):
        if cells[1].value == number:
            for key, value in changes.items():
                cells[keys.index(key)].value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_changed_cells_update_the_problem_and_are_audited(org, ledger):
    problem = ledger["working"]
    data = _edit(
        export_bytes(org.contact1, org.campaign),
        problem.ledger_number,
        description="理论学习不够深入（已补充）",
        supporting_units="机关第二党支部",
        measure="制定并印发学习计划",
        progress="完成第三次集中学习",
    )
    plan = run(data, org.contact1, org.campaign, org.branch1)
    assert plan.ok, plan.errors
    assert plan.counts["changed"] == 1
    problem.refresh_from_db()
    assert problem.description == "<p>理论学习不够深入（已补充）</p>"
    assert list(problem.supporting_units.values_list("slug", flat=True)) == ["branch2"]
    assert problem.measures.first().text == "制定并印发学习计划"
    assert problem.measures.first().done_on is not None
    latest = problem.updates.order_by("-id").first()
    assert latest.text == "<p>完成第三次集中学习</p>" and latest.author == org.contact1
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Problem), object_id=problem.pk
    ).order_by("-id")
    change = next(e for e in entries if "description" in (e.changes or {}))
    assert change.actor == org.contact1 and change.action == LogEntry.Action.UPDATE
    assert change.changes["description"] == [
        "<p>理论学习不够深入</p><p>学用脱节</p>",
        problem.description,
    ]
    assert "measures" in change.changes
    removed = next(
        e for e in entries if e.changes.get("supporting_units", {}).get("operation") == "delete"
    )
    assert removed.changes["supporting_units"]["objects"] == ["机关"]
    assert LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ProgressUpdate), object_id=latest.pk
    ).exists()


def test_state_moves_follow_the_state_machine(org, ledger):
    data = export_bytes(org.contact1, org.campaign)
    working = ledger["working"]
    # The owner claims completion, in any spelling of the state: a legal move with evidence.
    label = str(S.COMPLETED.label)
    with translation.override("zh-hans"):
        zh_completed = str(S.COMPLETED.label)
    for value in (label, zh_completed, "completed"):
        plan = plan_of(
            _edit(data, working.ledger_number, state=value), org.contact1, org.campaign, org.branch1
        )
        assert plan.ok and plan.changes[0].moves == ["complete"]
    run(
        _edit(data, working.ledger_number, state="completed"),
        org.contact1,
        org.campaign,
        org.branch1,
    )
    working.refresh_from_db()
    assert working.state == S.COMPLETED and working.completed_on == D(2019, 3, 15)
    # A contact cannot sign it off; the office can.
    mine = export_bytes(org.contact1, org.campaign)
    plan = plan_of(
        _edit(mine, working.ledger_number, state="verified", note="已验收"),
        org.contact1,
        org.campaign,
        org.branch1,
    )
    assert [(c, m) for _r, c, m in messages_of(plan)] == [
        (
            "State",
            f"You may not move problem {working.ledger_number} from “Completed, awaiting "
            "verification” to “Verified”.",
        )
    ]
    extension = ExtensionRequest.objects.create(
        problem=working, reason="x", requested_deadline=D(2019, 6, 1), requested_by=org.contact1
    )
    data = export_bytes(org.office, org.campaign)
    verify = _edit(data, working.ledger_number, state="verified", note="已验收")
    plan = run(verify, org.office, org.campaign, org.root)
    assert plan.ok, plan.errors
    working.refresh_from_db()
    assert working.state == S.VERIFIED and working.verified_by == org.office
    assert working.review_comment == "已验收"
    extension.refresh_from_db()
    assert extension.state == ExtensionState.REFUSED


def test_illegal_moves_and_frozen_fields_are_row_errors(org, ledger):
    data = export_bytes(org.office, org.campaign)
    draft, working = ledger["draft"], ledger["working"]
    before = snapshot()
    cases = [
        (
            _edit(data, draft.ledger_number, state="verified"),
            "State",
            f"Problem {draft.ledger_number} is “Draft” and cannot become “Verified”.",
        ),
        (
            _edit(data, working.ledger_number, deadline=D(2019, 6, 30)),
            "Deadline",
            "Only a draft's deadline can be changed; ask for an extension to move the "
            f"deadline of problem {working.ledger_number}.",
        ),
        (
            _edit(data, ledger["verified"].ledger_number, description="改"),
            "Description",
            f"Problem {ledger['verified'].ledger_number} is “Verified”: only a draft, open or "
            "in-progress problem can be edited.",
        ),
        (
            _edit(data, ledger["long"].ledger_number, state="carried_over"),
            "Note",
            "Say in the note why the problem is carried over.",
        ),
        (
            _edit(data, working.ledger_number, note="随便写写"),
            "Note",
            "The note changes only with the state: it is the reason for carrying over, "
            "sending back or reopening, or the comment on verification.",
        ),
        (
            _edit(data, ledger["verified"].ledger_number, progress="又做了些"),
            "Latest progress",
            "Progress can be reported only while a problem is open or in progress; problem "
            f"{ledger['verified'].ledger_number} is “Verified”.",
        ),
    ]
    for sheet, column, message in cases:
        plan = run(sheet, org.office, org.campaign, org.root)
        assert [(c, m) for _r, c, m in messages_of(plan)] == [(column, message)]
    assert snapshot() == before


def test_progress_on_an_open_problem_starts_it(org, ledger):
    data = export_bytes(org.contact2, org.campaign)
    long = ledger["long"]
    plan = run(
        _edit(data, long.ledger_number, progress="开展调研两次"),
        org.contact2,
        org.campaign,
        org.branch2,
    )
    assert plan.ok, plan.errors
    long.refresh_from_db()
    assert long.state == S.IN_PROGRESS
    assert long.updates.get().text == "<p>开展调研两次</p>"


# ---------------------------------------------------------------- new rows


def test_new_rows_get_numbers_after_the_highest_in_use(org):
    make_problem(org)  # CAMP-BRANCH1-001
    data = workbook(
        [
            row(description="问题甲"),
            {"measure": "第二项措施", "measure_deadline": D(2019, 4, 2)},
            row(description="问题乙", ledger_number="CAMP-BRANCH1-007"),
            row(description="问题丙"),
        ]
    )
    plan = run(data, org.contact1, org.campaign, org.branch1)
    assert plan.ok, plan.errors
    numbers = dict(
        Problem.objects.filter(campaign=org.campaign).values_list("description", "ledger_number")
    )
    assert numbers["<p>问题甲</p>"] == "CAMP-BRANCH1-008"
    assert numbers["<p>问题乙</p>"] == "CAMP-BRANCH1-007"
    assert numbers["<p>问题丙</p>"] == "CAMP-BRANCH1-009"
    first = Problem.objects.get(ledger_number="CAMP-BRANCH1-008")
    assert list(first.measures.values_list("text", "order")) == [
        ("每周集中学习一次", 1),
        ("第二项措施", 2),
    ]
    assert first.created_by == org.contact1 and first.state == S.DRAFT
    created = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Problem),
        object_id=first.pk,
        action=LogEntry.Action.CREATE,
    )
    assert created.actor == org.contact1
    assert created.changes["ledger_number"] == ["None", "CAMP-BRANCH1-008"]
    assert created.changes["state"] == ["None", "draft"]


def test_audit_entries_have_the_shape_auditlog_writes(org, ledger):
    """Bulk-written entries carry what auditlog's own would: every field, as strings."""
    from auditlog.diff import model_instance_diff

    camp2 = make_campaign(org.root, "camp2")
    second_theme(camp2)
    run(export_bytes(org.office, org.campaign), org.office, camp2, org.root)
    problem_type = ContentType.objects.get_for_model(Problem)
    for problem in Problem.objects.filter(campaign=camp2):
        entry = LogEntry.objects.get(
            content_type=problem_type, object_id=problem.pk, action=LogEntry.Action.CREATE
        )
        expected = {
            name: list(values)
            for name, values in model_instance_diff(None, problem).items()
            if name in {f.name for f in Problem._meta.concrete_fields}
        }
        assert {k: v for k, v in entry.changes.items() if k != "measures"} == expected
        assert entry.actor == org.office and entry.object_repr == problem.ledger_number
    update = ProgressUpdate.objects.filter(problem__campaign=camp2).first()
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(ProgressUpdate), object_id=update.pk
    )
    expected = {
        name: list(values)
        for name, values in model_instance_diff(None, update).items()
        if name in {f.name for f in ProgressUpdate._meta.concrete_fields}
    }
    assert entry.changes == expected and entry.object_repr == str(update)


def test_new_problem_states_need_their_evidence_and_their_role(org):
    cases = [
        (
            row(state="completed"),
            org.contact1,
            org.branch1,
            "最新进展",
            "A problem “Completed, awaiting verification” needs its evidence: say in the "
            "progress what was done.",
        ),
        (
            row(state="verified", progress="已整改"),
            org.contact1,
            org.branch1,
            "状态",
            "You may not record a problem as “Verified”.",
        ),
        (
            row(state="carried_over"),
            org.office,
            org.root,
            "说明",
            "Say in the note why the problem is carried over.",
        ),
        (
            row(state="draft", progress="已开展"),
            org.contact1,
            org.branch1,
            "最新进展",
            "A draft has no progress yet: set the state to in progress, or leave the progress "
            "empty.",
        ),
    ]
    for values, actor, unit, column, message in cases:
        plan = plan_of(workbook([values]), actor, org.campaign, unit)
        assert [(c, m) for _r, c, m in messages_of(plan)] == [(column, message)]
    plan = run(
        workbook([row(state="verified", progress="已整改", note="好")]),
        org.office,
        org.campaign,
        org.root,
    )
    assert plan.ok
    problem = Problem.objects.get()
    assert problem.state == S.VERIFIED and problem.verified_by == org.office
    assert problem.updates.get().text == "<p>已整改</p>"


# ---------------------------------------------------------------- row errors


def test_row_errors_name_row_column_and_change_nothing(org):
    rows = [
        row(unit="不存在的支部"),
        row(deadline="2019-02-30"),
        row(measure_deadline="下周"),
        row(description=None),
        row(unit=None),
        row(measure=None),
        row(deadline=None),
        row(measure_deadline=D(2019, 5, 10)),
    ]
    before = snapshot()
    plan = run(workbook(rows), org.contact1, org.campaign, org.branch1)
    assert messages_of(plan) == [
        (
            3,
            "责任单位",
            "Unknown unit “不存在的支部”: no unit of this name in 机关第一党支部 takes "
            "part in the campaign.",
        ),
        (4, "整改时限", "“2019-02-30” is not a date; write it as 2019-04-30."),
        (5, "措施时限", "“下周” is not a date; write it as 2019-04-30."),
        (6, "问题描述", "Describe the problem: this cell is empty."),
        (7, "责任单位", "Name the responsible unit: this cell is empty."),
        (8, "整改措施", "Describe the measure: this cell is empty."),
        (9, "整改时限", "Give a deadline; only a long-term problem may have none."),
        (10, "措施时限", "The measure's deadline is after the problem's deadline (2019-04-30)."),
    ]
    assert snapshot() == before
    assert not LedgerImport.objects.exists()


def test_dates_are_read_in_the_usual_spellings(org):
    rows = [
        row(deadline="2019/4/30", measure_deadline="2019年4月1日"),
        row(deadline="2019-04-30", measure_deadline=dt.datetime(2019, 4, 1)),
    ]
    plan = plan_of(workbook(rows), org.contact1, org.campaign, org.branch1)
    assert plan.ok
    assert {p.fields["deadline"] for p in plan.adds} == {D(2019, 4, 30)}


def test_people_are_matched_by_name_and_a_shared_name_needs_its_unit(org):
    UserFactory(username="li1", name="李四", unit=org.branch1)
    keys = ["description", "unit", "measure", "measure_deadline", "deadline", "person_in_charge"]
    plan = plan_of(
        workbook([row(person_in_charge="李四")], keys), org.contact1, org.campaign, org.branch1
    )
    assert plan.ok
    UserFactory(username="li2", name="李四", unit=org.branch2)
    UserFactory(username="wang", name="王五", unit=org.branch2)
    plan = plan_of(
        workbook(
            [
                row(person_in_charge="李四"),
                row(person_in_charge="王五"),
                row(person_in_charge="李四（机关第一党支部）"),
            ],
            keys,
        ),
        org.office,
        org.campaign,
        org.root,
    )
    assert messages_of(plan) == [
        (
            3,
            "责任人",
            "Several people are called “李四”: write the name with the unit, as "
            "李四（机关第一党支部）.",
        ),
    ]
    # Contact1 cannot reach branch2's people: 王五 is unknown to them.
    plan = plan_of(
        workbook([row(person_in_charge="王五")], keys), org.contact1, org.campaign, org.branch1
    )
    assert messages_of(plan)[0][2].startswith("Unknown person “王五”")


def test_choices_and_themes_are_checked(org):
    keys = [
        "description",
        "unit",
        "measure",
        "measure_deadline",
        "deadline",
        "source",
        "theme",
        "kind",
    ]
    plan = plan_of(
        workbook(
            [
                row(source="群众来信", theme="不存在的主题", kind="立行立改"),
                row(source="staff_opinion", theme="破除僵化保守", kind="Long-term"),
            ],
            keys,
        ),
        org.contact1,
        org.campaign,
        org.branch1,
    )
    assert [(r, c) for r, c, _m in messages_of(plan)] == [(3, "问题来源"), (3, "主题")]
    assert messages_of(plan)[1][2] == "“不存在的主题” is not one of this campaign's themes."


# ---------------------------------------------------------------- scope


def test_a_contact_cannot_import_another_branchs_rows(org, ledger):
    before = snapshot()
    plan = run(workbook([row(unit="机关第二党支部")]), org.contact1, org.campaign, org.branch1)
    assert messages_of(plan) == [
        (
            3,
            "责任单位",
            "Unknown unit “机关第二党支部”: no unit of this name in 机关第一党支部 "
            "takes part in the campaign.",
        ),
    ]
    other = ledger["draft"].ledger_number  # branch2's
    plan = run(workbook([row(ledger_number=other)]), org.contact1, org.campaign, org.branch1)
    assert messages_of(plan) == [
        (3, "台账编号", f"Ledger number “{other}” is already used in this campaign."),
    ]
    assert snapshot() == before


def test_only_who_may_record_problems_of_the_unit_may_import(org):
    with pytest.raises(ledger_io.PermissionDenied):
        plan_of(workbook([row()]), org.contact1, org.campaign, org.branch2)
    with pytest.raises(ledger_io.PermissionDenied):
        plan_of(workbook([row()]), org.member1, org.campaign, org.branch1)


# ---------------------------------------------------------------- bad files


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (PDF, "“台账.xlsx” is a PDF file, not an Excel workbook (.xlsx)."),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
            "“台账.xlsx” is an old-style Excel 97–2003 file (.xls). Open it in Excel or WPS "
            "and save it as an Excel workbook (.xlsx).",
        ),
        (b"just some text", "“台账.xlsx” is not an Excel workbook (.xlsx)."),
        (b"", "“台账.xlsx” is empty."),
        (b"PK\x03\x04broken", "“台账.xlsx” is damaged: it cannot be opened as an Excel workbook."),
    ],
)
def test_files_that_are_not_workbooks_are_refused(org, content, message):
    with pytest.raises(LedgerFileError) as caught:
        ledger_io.read_ledger(io.BytesIO(content), name="台账.xlsx")
    assert str(caught.value) == message


def test_a_word_document_is_not_a_ledger(org):
    import docx

    out = io.BytesIO()
    docx.Document().save(out)
    with pytest.raises(LedgerFileError, match="is a DOCX file, not an Excel workbook"):
        ledger_io.read_ledger(io.BytesIO(out.getvalue()), name="台账.xlsx")


def test_sheets_without_the_ledger_columns_are_refused(org):
    keys = ["ledger_number", "description", "measure", "measure_deadline", "deadline"]
    cases = [
        (
            workbook([row()], keys),
            "The sheet has no “Responsible unit” column (row 2 is read as the header).",
        ),
        (
            workbook([{"a": 1}], ["a"], headers={"a": "姓名"}),
            "No header row was found in the first "
            "10 rows. The ledger needs the columns: Description、Responsible unit、Deadline.",
        ),
        (workbook([]), "The sheet has no rows under its header."),
        (workbook([], [], title=False), "The sheet is empty."),
    ]
    for data, message in cases:
        with pytest.raises(LedgerFileError) as caught:
            ledger_io.read_ledger(io.BytesIO(data), name="台账.xlsx")
        assert str(caught.value) == message


def test_size_and_row_limits(org, settings):
    data = workbook([row(), row(), row()])
    settings.TAOLUN_LEDGER_IMPORT_MAX_BYTES = 1000
    with pytest.raises(LedgerFileError, match=r"“台账.xlsx” is .* a ledger file may be at most "):
        ledger_io.read_ledger(io.BytesIO(data), name="台账.xlsx")
    settings.TAOLUN_LEDGER_IMPORT_MAX_BYTES = 10_000_000
    settings.TAOLUN_LEDGER_IMPORT_MAX_ROWS = 2
    with pytest.raises(LedgerFileError) as caught:
        ledger_io.read_ledger(io.BytesIO(data), name="台账.xlsx")
    assert str(caught.value) == "The sheet has more than 2 rows; split it into several files."


def test_a_file_error_leaves_everything_as_it_was(org, ledger, settings):
    before = snapshot()
    settings.TAOLUN_LEDGER_IMPORT_MAX_BYTES = 1000
    with pytest.raises(LedgerFileError):
        run(export_bytes(org.office, org.campaign), org.office, org.campaign, org.root)
    with pytest.raises(LedgerFileError):
        run(PDF, org.office, org.campaign, org.root)
    assert snapshot() == before
    assert not LedgerImport.objects.exists()


# ---------------------------------------------------------------- cost


def test_planning_reads_in_a_fixed_number_of_queries(org, django_assert_max_num_queries):
    for n in (5, 40):
        rows = [row(description=f"问题{i}", ledger_number=f"X-{n}-{i}") for i in range(n)]
        rows += [row(description=f"新问题{i}") for i in range(n)]
        data = workbook(rows)
        with django_assert_max_num_queries(14):
            plan = plan_of(data, org.contact1, org.campaign, org.branch1)
        assert plan.ok


def test_a_sheet_damaged_inside_the_workbook_is_a_clear_error(org):
    """Read-only mode parses the sheet only while iterating: that damage is caught too."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(workbook([row(), row()])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as damaged:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            damaged.writestr(item, data)
    with pytest.raises(LedgerFileError) as caught:
        ledger_io.read_ledger(io.BytesIO(out.getvalue()), name="台账.xlsx")
    assert str(caught.value) == "“台账.xlsx” is damaged: it cannot be opened as an Excel workbook."


def test_a_ledger_number_excel_turned_into_a_number_still_finds_its_problem(org):
    problem = make_problem(org, ledger_number="12", open_now=True)
    data = workbook([row(ledger_number=12.0, description="理论学习不够深入")])
    plan = run(data, org.contact1, org.campaign, org.branch1)
    assert plan.ok, messages_of(plan)
    assert plan.counts["added"] == 0
    assert Problem.objects.filter(campaign=org.campaign).count() == 1
    problem.refresh_from_db()
    assert problem.ledger_number == "12"


def test_closing_by_import_refuses_the_pending_extension_with_an_audit_entry(org):
    from taolun.rectification.services import extension_request

    problem = make_problem(org, open_now=True)
    progress_add(actor=org.contact1, problem=problem, text="整改中")
    extension = extension_request(
        actor=org.contact1, problem=problem, reason="资金未到位", requested_deadline=D(2019, 6, 1)
    )
    exported = export_bytes(org.office, org.campaign)
    book = openpyxl.load_workbook(io.BytesIO(exported))
    sheet = book.active
    header = [c.value for c in sheet[3]]
    english = {c.key: str(c.header) for c in COLUMNS}
    sheet.cell(4, header.index(english["state"]) + 1).value = "已结转"
    sheet.cell(4, header.index(english["note"]) + 1).value = "需省级统筹"
    edited = io.BytesIO()
    book.save(edited)
    plan = run(edited.getvalue(), org.office, org.campaign, org.root)
    assert plan.ok, messages_of(plan)
    extension.refresh_from_db()
    assert extension.state == ExtensionState.REFUSED
    entries = LogEntry.objects.get_for_object(extension)
    assert entries.filter(action=LogEntry.Action.UPDATE, actor=org.office).count() == 1


def test_imported_and_changed_problems_are_found_by_search(org, django_capture_on_commit_callbacks):
    from taolun.textmine.search import search

    with django_capture_on_commit_callbacks(execute=True):
        plan = run(
            workbook([row(ledger_number="NEW-1", description="走访残疾人家庭次数偏少")]),
            org.office,
            org.campaign,
            org.root,
        )
    assert plan.counts["added"] == 1
    assert [h.title for h in search(org.office, "走访").hits] == ["NEW-1"]
    with django_capture_on_commit_callbacks(execute=True):
        run(
            workbook([row(ledger_number="NEW-1", description="调研报告质量不高")]),
            org.office,
            org.campaign,
            org.root,
        )
    assert search(org.office, "走访").hits == []
    assert [h.title for h in search(org.office, "调研").hits] == ["NEW-1"]

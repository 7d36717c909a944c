"""``manage.py export_ledger`` and ``import_ledger``."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from taolun.campaigns.tests.factories import make_campaign
from taolun.org.roles import Role
from taolun.org.tests.factories import UserFactory, grant
from taolun.rectification.models import ImportState, LedgerImport, Problem
from taolun.rectification.services import MeasureInput
from taolun.rectification.tests.factories import make_problem
from taolun.rectification.tests.test_ledger_io import PDF, row, sheet_rows, snapshot, workbook

D = dt.date


@pytest.fixture(autouse=True)
def _today(travel):
    travel(D(2019, 3, 15))


@pytest.fixture(autouse=True)
def _english():
    """A command speaks the default language (zh-hans); tests read the English msgids."""
    with translation.override("en"):
        yield


def call(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_export_writes_the_ledger_as_the_office(org, tmp_path):
    first = make_problem(org, measures=[MeasureInput("措施", D(2019, 4, 1))])
    second = make_problem(org, unit="branch2")
    target = tmp_path / "ledger.xlsx"
    out, _err = call("export_ledger", "--campaign", "camp", "--out", str(target))
    assert out.strip() == f"camp: 2 problems written to {target}."
    numbers = {r[1] for r in sheet_rows(target.read_bytes())[3:]}
    assert numbers == {first.ledger_number, second.ledger_number}


def test_export_of_one_unit_as_a_contact(org, tmp_path):
    make_problem(org)
    make_problem(org, unit="branch2")
    target = tmp_path / "ledger.xlsx"
    call(
        "export_ledger",
        "--campaign",
        "camp",
        "--out",
        str(target),
        "--as",
        "contact1",
        "--unit",
        "branch2",
    )
    assert sheet_rows(target.read_bytes())[3:] == []  # branch2 is out of contact1's reach


def test_who_acts_must_be_clear(org, tmp_path):
    other = UserFactory(username="office2", name="办公室二", unit=org.root)
    grant(other, org.root, Role.OFFICE)
    with pytest.raises(CommandError, match="Say who acts with --as USERNAME"):
        call("export_ledger", "--campaign", "camp", "--out", str(tmp_path / "x.xlsx"))
    with pytest.raises(CommandError, match="No active user 'nobody'"):
        call("export_ledger", "--campaign", "camp", "--out", "x.xlsx", "--as", "nobody")
    with pytest.raises(CommandError, match="No campaign with slug 'none'"):
        call("export_ledger", "--campaign", "none", "--out", "x.xlsx")


def test_import_adds_and_reports_counts(org, tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(workbook([row(), row(description="第二个问题")]))
    args = ("import_ledger", str(path), "--campaign", "camp", "--unit", "branch1")
    out, _err = call(*args, "--as", "contact1", "--dry-run")
    assert out.strip() == "2 added, 0 changed, 0 unchanged (would be imported into camp)."
    assert not Problem.objects.exists()
    out, _err = call(*args, "--as", "contact1")
    assert out.strip() == "2 added, 0 changed, 0 unchanged (were imported into camp)."
    assert Problem.objects.filter(created_by=org.contact1).count() == 2
    record = LedgerImport.objects.get()
    assert record.state == ImportState.APPLIED and record.added == 2
    assert record.original_name == "台账.xlsx" and len(record.sha256) == 64
    exported = tmp_path / "export.xlsx"
    call("export_ledger", "--campaign", "camp", "--out", str(exported), "--as", "contact1")
    out, _err = call("import_ledger", str(exported), *args[2:], "--as", "contact1")
    assert out.strip() == "0 added, 0 changed, 2 unchanged (were imported into camp)."


def test_import_with_errors_changes_nothing_and_fails(org, tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(workbook([row(), row(unit="机关第二党支部"), row(measure_deadline="下周")]))
    before = snapshot()
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"2 errors: nothing was imported\."):
        call_command(
            "import_ledger",
            str(path),
            "--campaign",
            "camp",
            "--unit",
            "branch1",
            "--as",
            "contact1",
            stderr=err,
        )
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("row 4, 责任单位: ") and "机关第二党支部" in lines[0]
    assert lines[1] == "row 5, 措施时限: “下周” is not a date; write it as 2019-04-30."
    assert snapshot() == before
    assert not LedgerImport.objects.exists()


def test_import_refuses_bad_files_and_wrong_people(org, tmp_path):
    pdf = tmp_path / "台账.xlsx"
    pdf.write_bytes(PDF)
    args = ("import_ledger", str(pdf), "--campaign", "camp", "--unit", "branch1")
    with pytest.raises(CommandError, match="is a PDF file, not an Excel workbook"):
        call(*args, "--as", "contact1")
    good = tmp_path / "good.xlsx"
    good.write_bytes(workbook([row()]))
    with pytest.raises(CommandError, match="contact2 may not record problems of branch1"):
        call(
            "import_ledger",
            str(good),
            "--campaign",
            "camp",
            "--unit",
            "branch1",
            "--as",
            "contact2",
        )
    with pytest.raises(CommandError, match="No file"):
        call(
            "import_ledger",
            str(tmp_path / "missing.xlsx"),
            "--campaign",
            "camp",
            "--unit",
            "branch1",
            "--as",
            "contact1",
        )


def test_export_then_import_into_another_campaign(org, tmp_path):
    make_problem(org, measures=[MeasureInput("措施一", D(2019, 4, 1))], open_now=True)
    make_problem(org, unit="branch2")
    make_campaign(org.root, "camp2")
    path = tmp_path / "ledger.xlsx"
    call("export_ledger", "--campaign", "camp", "--out", str(path), "--no-progress")
    out, _err = call(
        "import_ledger", str(path), "--campaign", "camp2", "--unit", "root", "--no-progress"
    )
    assert out.startswith("2 added, 0 changed, 0 unchanged")
    assert Problem.objects.filter(campaign__slug="camp2").count() == 2

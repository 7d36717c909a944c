"""``manage.py import_plan``: the draft as JSON, or a clear error and a failing exit status."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from taolun.textmine.management.commands.import_plan import Command

SEED = Path(__file__).parent / "plans" / "seed.txt"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_plan", *args, stdout=out)
    return out.getvalue()


def test_prints_the_seed_draft_as_json_with_chinese_unescaped():
    output = run(str(SEED))
    draft = json.loads(output)
    assert "卫国" in output
    assert draft["doc_number"] == "晋办发〔2019〕1号"
    assert draft["dates"] == ["2019-02-22", "2019-02-18"]
    assert len(draft["themes"]) == 6
    assert (draft["stage_count"], draft["action_count"]) == (4, 10)
    assert output.count("\n") > 50


def test_indent_zero_prints_one_line():
    assert run(str(SEED), "--indent", "0").strip().count("\n") == 0


def test_reads_gbk_text(tmp_path):
    path = tmp_path / "方案.txt"
    path.write_bytes(SEED.read_text(encoding="utf-8").encode("gbk"))
    assert json.loads(run(str(path)))["doc_number"] == "晋办发〔2019〕1号"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "is empty"),
        ("blank.txt", b" \n ", "The plan is empty"),
        ("image.docx", b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "is not a Word"),
        ("plan.pdf", b"%PDF-1.4", "upload a .txt or a .docx"),
    ],
)
def test_bad_files_give_a_command_error(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(CommandError, match=message):
        run(str(path))


def test_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No file"):
        run(str(tmp_path / "none.txt"))


def test_bad_file_exits_non_zero(tmp_path, capsys):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(SystemExit) as exit_info:
        Command().run_from_argv(["manage.py", "import_plan", str(path)])
    assert exit_info.value.code != 0
    assert "is empty" in capsys.readouterr().err

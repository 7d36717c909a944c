"""``manage.py backup`` and ``manage.py restore``: back up, wipe, restore, find every record
and every uploaded file again; refuse what must be refused, and change nothing then."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from taolun.activities.tests.files import PNG, png
from taolun.core import backup
from taolun.discussion.models import Opinion, Topic
from taolun.discussion.tests.factories import make_topic, post
from taolun.org.models import Unit, User
from taolun.rectification.models import Measure, Problem, ProgressAttachment
from taolun.rectification.services import MeasureInput, progress_add
from taolun.rectification.tests.factories import make_problem
from taolun.reporting.briefs import brief_create
from taolun.reporting.models import Brief
from taolun.study.models import Reflection
from taolun.study.tests.factories import ReflectionFactory

D = dt.date
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's online backup API")
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_dump and pg_restore"
)


@pytest.fixture
def records(org, travel):
    """Rows of several kinds, and one uploaded file."""
    travel(D(2019, 3, 10))
    problem = make_problem(
        org, open_now=True, measures=[MeasureInput("制定学习计划", D(2019, 3, 31))]
    )
    update = progress_add(
        actor=org.contact1, problem=problem, text="<p>已开展学习</p>", files=[png("现场.png")]
    )
    brief = brief_create(
        actor=org.contact1,
        campaign=org.campaign,
        unit=org.branch1,
        title="支部动员会",
        body="<p>正文</p>",
        phone="0351-1",
    )
    reflection = ReflectionFactory(author=org.member1, campaign=org.campaign)
    topic = make_topic(org)
    opinion = post(org, topic)
    return {
        "unit": org.branch1,
        "user": org.contact1,
        "problem": problem,
        "measure": problem.measures.get(),
        "attachment": update.attachments.get(),
        "brief": brief,
        "reflection": reflection,
        "topic": topic,
        "opinion": opinion,
    }


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def wipe(media_root: Path) -> None:
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(media_root)


@pytest.mark.django_db(transaction=True)
def test_back_up_wipe_restore_finds_every_record_and_file(records, settings, tmp_path):
    archive = tmp_path / "backups" / "site.tar.gz"
    counts = backup.table_counts()
    output = run("backup", "--output", str(archive))
    assert archive.is_file() and f"to {archive}" in output

    wipe(Path(settings.MEDIA_ROOT))
    assert not User.objects.exists() and not Problem.objects.exists()
    assert not Path(settings.MEDIA_ROOT).exists()

    output = run("restore", str(archive))
    assert "as the archive counted" in output
    assert backup.table_counts() == counts
    assert Unit.objects.get(pk=records["unit"].pk).name == "机关第一党支部"
    assert User.objects.get(pk=records["user"].pk).username == "contact1"
    problem = Problem.objects.get(pk=records["problem"].pk)
    assert problem.ledger_number == records["problem"].ledger_number
    assert Measure.objects.get(pk=records["measure"].pk).text == "制定学习计划"
    assert Brief.objects.get(pk=records["brief"].pk).title == "支部动员会"
    reflection = Reflection.objects.get(pk=records["reflection"].pk)
    assert (reflection.author_id, reflection.title) == (
        records["reflection"].author_id,
        records["reflection"].title,
    )
    assert Topic.objects.get(pk=records["topic"].pk).question == "如何破除思想僵化？"
    assert Opinion.objects.filter(pk=records["opinion"].pk, topic_id=records["topic"].pk).exists()
    attachment = ProgressAttachment.objects.get(pk=records["attachment"].pk)
    with attachment.file.open("rb") as stored:
        assert stored.read() == PNG


@pytest.mark.django_db(transaction=True)
def test_restore_over_data_needs_yes_and_keeps_the_uploads_found(records, settings, tmp_path):
    archive = tmp_path / "site.tar.gz"
    run("backup", "--output", str(archive))
    Brief.objects.filter(pk=records["brief"].pk).update(title="备份之后改的")
    stray = Path(settings.MEDIA_ROOT) / "after-backup.txt"
    stray.write_text("written after the backup")

    with pytest.raises(CommandError, match=r"already holds data .*--yes"):
        run("restore", str(archive))
    assert Brief.objects.get(pk=records["brief"].pk).title == "备份之后改的"
    assert stray.exists()

    run("restore", str(archive), "--yes")
    assert Brief.objects.get(pk=records["brief"].pk).title == "支部动员会"
    assert not stray.exists()
    aside = list(Path(settings.MEDIA_ROOT).parent.glob("uploads.before-restore-*"))
    assert len(aside) == 1 and (aside[0] / "after-backup.txt").read_text() == (
        "written after the backup"
    )


def test_default_output_is_under_the_data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    path = backup.default_output()
    assert path.parent == tmp_path / "backups"
    assert path.name.startswith("taolun-") and path.name.endswith(".tar.gz")


def _archive(path: Path, manifest: dict | None, extra: dict[str, bytes] | None = None) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        entries = dict(extra or {})
        if manifest is not None:
            entries[backup.MANIFEST] = json.dumps(manifest).encode()
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _manifest(**overrides) -> dict:
    data = {
        "version": "0.1.0",
        "engine": connection.vendor,
        "created_at": "2019-03-10T00:00:00+00:00",
        "migrations": backup.applied_migrations(),
        "counts": {},
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_bad_archives_are_refused_with_a_clear_message(org, tmp_path):
    users = User.objects.count()
    text = tmp_path / "notes.txt"
    text.write_text("not an archive")
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    cases = [
        (tmp_path / "missing.tar.gz", "does not exist"),
        (tmp_path, "is not a file"),
        (text, "is not a taolun backup archive"),
        (_archive(tmp_path / "empty.tar.gz", None, {"a.txt": b"x"}), "has no manifest.json"),
        (_archive(tmp_path / "engine.tar.gz", _manifest(engine=other)), f"holds a {other}"),
        (
            _archive(
                tmp_path / "newer.tar.gz",
                _manifest(migrations=[*backup.applied_migrations(), "rectification.9999_future"]),
            ),
            r"newer version of taolun .*rectification\.9999_future",
        ),
    ]
    for path, message in cases:
        with pytest.raises(CommandError, match=message):
            run("restore", str(path), "--yes")
    assert User.objects.count() == users


@pytest.mark.django_db
def test_an_archive_with_a_path_outside_is_refused(org, tmp_path, settings):
    evil = _archive(tmp_path / "evil.tar.gz", _manifest(), {"../../escaped.txt": b"x"})
    with pytest.raises(CommandError, match=re.escape("unexpected entry: ../../escaped.txt")):
        run("restore", str(evil), "--yes")
    assert not (tmp_path.parent / "escaped.txt").exists()
    assert User.objects.filter(username="office").exists()


def test_backup_refuses_a_directory_as_output(db, tmp_path):
    with pytest.raises(CommandError, match="is a directory"):
        run("backup", "--output", str(tmp_path))


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_sqlite_archive_holds_a_sound_database_file(records, tmp_path):
    archive = tmp_path / "site.tar.gz"
    run("backup", "--output", str(archive))
    with tarfile.open(archive) as tar:
        tar.extract("database.sqlite3", tmp_path, filter="data")
        manifest = json.loads(tar.extractfile(backup.MANIFEST).read())
    copy = sqlite3.connect(tmp_path / "database.sqlite3")
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = copy.execute("SELECT COUNT(*) FROM rectification_problem").fetchone()[0]
    finally:
        copy.close()
    assert rows == manifest["counts"]["rectification_problem"] == 1
    assert manifest["engine"] == "sqlite"
    assert "rectification.0001_initial" in manifest["migrations"]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_postgresql_password_travels_in_the_environment_only(records, tmp_path, monkeypatch):
    calls = []
    real_run = subprocess.run

    def spy(command, *args, **kwargs):
        calls.append((command, kwargs.get("env") or {}))
        return real_run(command, *args, **kwargs)

    monkeypatch.setattr(backup.subprocess, "run", spy)
    archive = tmp_path / "site.tar.gz"
    run("backup", "--output", str(archive))
    run("restore", str(archive), "--yes")
    password = connection.settings_dict["PASSWORD"]
    tools = [(c, env) for c, env in calls if "--version" not in c]
    assert [Path(c[0]).name for c, _env in tools] == ["pg_dump", "pg_restore"]
    named = {"--host", "--port", "--username", "--dbname"}
    for command, env in tools:
        # Only the connection's names follow their flags (the test role's password may be
        # its name too); the password is nowhere else.
        rest = [a for i, a in enumerate(command) if i == 0 or command[i - 1] not in named]
        assert password and not any(password in argument for argument in rest[1:])
        assert "--password" not in command and not any("://" in a for a in command)
        assert env["PGPASSWORD"] == password
    assert Brief.objects.get(pk=records["brief"].pk).title == "支部动员会"

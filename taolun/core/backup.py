"""Back up the site to one archive, and restore it: the database and the uploaded files.

The archive is a ``.tar.gz`` holding ``manifest.json`` (taolun's version, the database
engine, the time, the applied migrations and the rows of every table), the database
(``database.sqlite3`` from SQLite's online backup API, safe while the site runs in WAL
mode; or ``database.pgdump`` from ``pg_dump --format=custom``) and ``uploads/``, a copy
of ``MEDIA_ROOT``. ``manage.py backup`` and ``manage.py restore`` are thin callers.

Restoring replaces the database and the uploads; stop the site first. The uploads found
before are moved aside (``<MEDIA_ROOT>.before-restore-<time>``), never deleted.
"""

from __future__ import annotations

import datetime as dt
import glob
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

MANIFEST = "manifest.json"
UPLOADS = "uploads"
FORMAT = 1
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}

Progress = Callable[[str], None]


class BackupError(Exception):
    """Bad input or a failed step, with a message for the person at the console."""


@dataclass
class Manifest:
    version: str
    engine: str
    created_at: str
    migrations: list[str]
    counts: dict[str, int] = field(default_factory=dict)
    format: int = FORMAT

    @property
    def total_rows(self) -> int:
        return sum(self.counts.values())


def _quiet(message: str) -> None:
    """The default progress: say nothing."""


def taolun_version() -> str:
    try:
        return metadata.version("taolun")
    except metadata.PackageNotFoundError:
        pyproject = Path(settings.BASE_DIR) / "pyproject.toml"
        try:
            return tomllib.loads(pyproject.read_text())["project"]["version"]
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            return "unknown"


def default_output() -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.DATA_DIR) / "backups" / f"taolun-{stamp}.tar.gz"


# ---------------------------------------------------------------- what the database holds


def applied_migrations(alias: str = "default") -> list[str]:
    recorder = MigrationRecorder(connections[alias])
    if not recorder.has_table():
        return []
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def known_migrations(alias: str = "default") -> set[str]:
    """Every migration this code ships, and those its squashed migrations replace."""
    loader = MigrationLoader(connections[alias], ignore_no_migrations=True, load=True)
    known = {f"{app}.{name}" for app, name in loader.disk_migrations}
    for migration in loader.disk_migrations.values():
        known.update(f"{app}.{name}" for app, name in migration.replaces or [])
    return known


def pending_migrations(alias: str = "default") -> int:
    """How many of this code's migrations the database has not applied."""
    executor = MigrationExecutor(connections[alias])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def table_counts(alias: str = "default") -> dict[str, int]:
    """Rows of every table, as the restore compares them."""
    connection = connections[alias]
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def holds_data(alias: str = "default") -> int:
    """How many accounts the database holds: a database just migrated holds none.

    Migrations add rows of their own (channels, content types), so rows alone do not say
    whether someone has used the database; accounts do.
    """
    if get_user_model()._meta.db_table not in connections[alias].introspection.table_names():
        return 0
    return get_user_model()._default_manager.db_manager(alias).count()


# ---------------------------------------------------------------- backup


def backup(
    output: Path | None = None, *, alias: str = "default", progress: Progress = _quiet
) -> tuple[Path, Manifest]:
    """Write the archive; returns its path and manifest."""
    connection = connections[alias]
    engine = connection.vendor
    if engine not in DATABASE_FILES:
        raise BackupError(f"Cannot back up a {engine} database: only SQLite and PostgreSQL.")
    output = Path(output) if output else default_output()
    if output.exists() and output.is_dir():
        raise BackupError(f"{output} is a directory: give the archive's file name.")
    output.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    manifest = Manifest(
        version=taolun_version(),
        engine=engine,
        created_at=timezone.now().isoformat(),
        migrations=applied_migrations(alias),
        counts=table_counts(alias),
    )
    progress(f"Database: {engine}, {len(manifest.counts)} tables, {manifest.total_rows} rows.")
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".taolun-backup-") as work:
        database = Path(work) / DATABASE_FILES[engine]
        if engine == "sqlite":
            _sqlite_backup(alias, database)
        else:
            _pg_dump(alias, database)
        progress(f"Database copied ({database.stat().st_size} bytes).")
        partial = output.with_name(f".{output.name}.partial")
        partial.unlink(missing_ok=True)
        # It holds every account's password hash: readable by the site's user alone.
        partial.touch(mode=0o600)
        try:
            with tarfile.open(partial, "w:gz") as archive:
                _add_bytes(archive, MANIFEST, json.dumps(asdict(manifest), indent=2).encode())
                archive.add(database, arcname=database.name)
                files = _add_uploads(archive, Path(settings.MEDIA_ROOT))
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(output)
    progress(f"Uploads: {files} files.")
    progress(f"Backup written to {output} ({output.stat().st_size} bytes).")
    return output, manifest


def _sqlite_backup(alias: str, target: Path) -> None:
    """SQLite's online backup: a consistent copy while others read and write (WAL)."""
    connection = connections[alias]
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        with destination:
            connection.connection.backup(destination)
    finally:
        destination.close()


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def _add_uploads(archive: tarfile.TarFile, media_root: Path) -> int:
    """Regular files under MEDIA_ROOT (links are not followed: they may point anywhere)."""
    directory = tarfile.TarInfo(UPLOADS)
    directory.type = tarfile.DIRTYPE
    directory.mode = 0o700
    archive.addfile(directory)
    count = 0
    if not media_root.is_dir():
        return count
    for path in sorted(media_root.rglob("*")):
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            continue
        archive.add(path, arcname=f"{UPLOADS}/{path.relative_to(media_root)}", recursive=False)
        count += path.is_file()
    return count


# ---------------------------------------------------------------- PostgreSQL tools


def _pg_env(alias: str) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore; the password goes in the environment."""
    settings_dict = connections[alias].settings_dict
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    options = settings_dict.get("OPTIONS") or {}
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
    ):
        if options.get(option):
            env[variable] = str(options[option])
    args = []
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    args += ["--dbname", str(settings_dict["NAME"])]
    return args, env


def pg_tool(name: str, alias: str = "default") -> str:
    """The newest ``pg_dump``/``pg_restore`` found that is not older than the server."""
    connection = connections[alias]
    connection.ensure_connection()
    server = connection.pg_version // 10000
    candidates = [shutil.which(name)]
    candidates += sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(re.search(r"/(\d+)/bin/", p).group(1)),
        reverse=True,
    )
    for candidate in filter(None, candidates):
        if _tool_major(candidate) >= server:
            return candidate
    raise BackupError(
        f"No {name} for PostgreSQL {server} or newer was found: install postgresql-client-{server}."
    )


def _tool_major(path: str) -> int:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return 0
    found = re.search(r"(\d+)(?:\.\d+)?", out.stdout)
    return int(found.group(1)) if found else 0


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{what} failed: {result.stderr.strip() or result.returncode}")


def _pg_dump(alias: str, target: Path) -> None:
    args, env = _pg_env(alias)
    command = [pg_tool("pg_dump", alias), "--format=custom", "--no-owner", "--file", str(target)]
    _run([*command, *args], env, "pg_dump")


def _pg_restore(alias: str, source: Path, manifest: Manifest) -> None:
    """pg_restore replaces what the archive holds; tables it does not hold (from newer
    migrations) are dropped first, so that the database is the archive's and no more."""
    args, env = _pg_env(alias)
    connection = connections[alias]
    extra = set(connection.introspection.table_names()) - set(manifest.counts)
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        for table in sorted(extra):
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE")
    connection.close()  # our own idle session must not hold locks on the tables
    command = [
        pg_tool("pg_restore", alias),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        "--exit-on-error",
    ]
    _run([*command, *args, str(source)], env, "pg_restore")


# ---------------------------------------------------------------- restore


def read_manifest(path: Path) -> Manifest:
    """The archive's manifest; a clear error for a missing file or a file of another kind."""
    path = Path(path)
    if not path.exists():
        raise BackupError(f"{path} does not exist.")
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    try:
        with tarfile.open(path, "r:*") as archive:
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            data = json.loads(member.read())
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(f"{path} is not a taolun backup archive (not a .tar.gz file).") from exc
    except KeyError as exc:
        raise BackupError(f"{path} is not a taolun backup archive: it has no {MANIFEST}.") from exc
    except ValueError as exc:
        raise BackupError(f"{path}: its {MANIFEST} is not valid JSON.") from exc
    try:
        manifest = Manifest(**data)
    except TypeError as exc:
        raise BackupError(f"{path}: its {MANIFEST} is not a taolun manifest.") from exc
    if manifest.format > FORMAT:
        raise BackupError(
            f"{path} was written by a newer taolun (archive format {manifest.format})."
        )
    return manifest


def check_restorable(manifest: Manifest, alias: str = "default") -> None:
    """Refuse an archive of another engine, or one from a newer migration state."""
    engine = connections[alias].vendor
    if manifest.engine != engine:
        raise BackupError(
            f"The archive holds a {manifest.engine} database; this site uses {engine}. "
            "Restore it into a site of the same engine (use dumpdata/loaddata to move between "
            "engines)."
        )
    unknown = sorted(set(manifest.migrations) - known_migrations(alias))
    if unknown:
        listed = ", ".join(unknown[:5]) + (" …" if len(unknown) > 5 else "")
        raise BackupError(
            f"The archive comes from a newer version of taolun ({manifest.version}): "
            f"this code does not know its migrations {listed}. Upgrade the code first."
        )


def restore(
    path: Path, *, alias: str = "default", force: bool = False, progress: Progress = _quiet
) -> Manifest:
    """Replace the database and the uploads with the archive's; returns its manifest.

    Without ``force`` a database that holds accounts is left alone.
    """
    path = Path(path)
    manifest = read_manifest(path)
    check_restorable(manifest, alias)
    accounts = holds_data(alias)
    if accounts and not force:
        raise BackupError(
            f"The database already holds data ({accounts} accounts): restoring replaces all "
            "of it. Run again with --yes to go ahead."
        )
    progress(
        f"Archive of {manifest.created_at} (taolun {manifest.version}, {manifest.engine}, "
        f"{manifest.total_rows} rows)."
    )
    media_root = Path(settings.MEDIA_ROOT)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=media_root.parent, prefix=".taolun-restore-") as work:
        work_path = Path(work)
        _extract(path, work_path)
        database = work_path / DATABASE_FILES[manifest.engine]
        if not database.is_file():
            raise BackupError(f"{path} holds no {database.name}.")
        if manifest.engine == "sqlite":
            _sqlite_restore(alias, database)
        else:
            _pg_restore(alias, database, manifest)
        ContentType.objects.clear_cache()
        progress("Database restored.")
        moved = _swap_uploads(work_path / UPLOADS, media_root)
        if moved:
            progress(f"The uploads found before were moved to {moved}.")
    progress(f"Uploads restored to {media_root}.")
    return manifest


def _extract(path: Path, target: Path) -> None:
    """Only the manifest, the database and regular files under uploads/, inside ``target``."""
    allowed = set(DATABASE_FILES.values()) | {MANIFEST}
    with tarfile.open(path, "r:*") as archive:
        members = []
        for member in archive.getmembers():
            name = member.name
            inside = name == UPLOADS or name.startswith(f"{UPLOADS}/")
            if not (name in allowed or inside) or not (member.isfile() or member.isdir()):
                raise BackupError(f"{path} holds an unexpected entry: {name}")
            members.append(member)
        try:
            archive.extractall(target, members=members, filter="data")
        except tarfile.FilterError as exc:
            raise BackupError(f"{path} holds an unsafe entry: {exc}") from exc
    (target / UPLOADS).mkdir(exist_ok=True)


def _sqlite_restore(alias: str, source: Path) -> None:
    """Copy the archived database into the live one, page by page, in place."""
    connection = connections[alias]
    connection.ensure_connection()
    if connection.in_atomic_block:
        raise BackupError("Cannot restore inside a transaction.")
    origin = sqlite3.connect(source)
    try:
        origin.backup(connection.connection)
    finally:
        origin.close()
    with connection.cursor() as cursor:
        # The live database keeps WAL whatever the archived file used.
        cursor.execute("PRAGMA journal_mode=WAL")


def _swap_uploads(restored: Path, media_root: Path) -> Path | None:
    """Put the restored uploads in place; the ones found before go aside, not away."""
    moved = None
    if media_root.exists() and any(media_root.iterdir()):
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        moved = media_root.with_name(f"{media_root.name}.before-restore-{stamp}")
        media_root.rename(moved)
    elif media_root.exists():
        media_root.rmdir()
    shutil.move(str(restored), str(media_root))
    return moved

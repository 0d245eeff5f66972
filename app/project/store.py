"""The project file: open, create, migrate, and the single write path."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import ProjectError
from app.i18n import _
from app.project.migrations import LATEST_VERSION, MIGRATIONS

if TYPE_CHECKING:
    from app.project.undo import UndoStack

PROJECT_SUFFIX = ".besace"
APPLICATION_ID = 0x42534345  # "BSCE": lets us tell a Besace file from any other SQLite file


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class MissionIdentity:
    """Who the mission is for: the commune and the agencies named in every package and slip."""

    name: str
    commune: str = ""
    producer: str = ""  # service producteur
    transferring_agency: str = ""  # service versant
    archival_agency: str = ""  # service d'archives
    archivist: str = ""


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30.0)
    conn.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL stays consistent after any crash; only the last commits of a power
    # loss can be lost, and a scan redoes those.
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA cache_size=-65536")
    return conn


class Project:
    """An open mission. All writes go through `write()`, one transaction at a time."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn
        self._write_lock = threading.RLock()
        self.undo_stack: UndoStack | None = None  # attached by the window, see app.project.undo

    # -- life cycle -------------------------------------------------------------------------
    @classmethod
    def create(cls, path: Path, identity: MissionIdentity) -> Project:
        path = Path(path)
        if path.exists():
            raise ProjectError(_("The file {path} already exists.").format(path=path))
        if not path.parent.is_dir():
            raise ProjectError(_("The folder {path} does not exist.").format(path=path.parent))
        try:
            conn = _connect(path)
        except sqlite3.Error as exc:
            raise ProjectError(
                _("The project {path} cannot be created.").format(path=path), details=str(exc)
            ) from exc
        conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
        project = cls(path, conn)
        project._migrate()
        now = utc_now()
        with project.write() as db:
            db.execute(
                "INSERT INTO mission (id, name, commune, producer, transferring_agency,"
                " archival_agency, archivist, created_at, updated_at)"
                " VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    identity.name,
                    identity.commune,
                    identity.producer,
                    identity.transferring_agency,
                    identity.archival_agency,
                    identity.archivist,
                    now,
                    now,
                ),
            )
        return project

    @classmethod
    def open(cls, path: Path) -> Project:
        path = Path(path)
        if not path.is_file():
            raise ProjectError(_("The project {path} does not exist.").format(path=path))
        try:
            conn = _connect(path)
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        except sqlite3.Error as exc:
            raise ProjectError(
                _("{path} is not a Besace project.").format(path=path), details=str(exc)
            ) from exc
        if app_id != APPLICATION_ID:
            conn.close()
            raise ProjectError(_("{path} is not a Besace project.").format(path=path))
        project = cls(path, conn)
        project._migrate()
        return project

    def close(self) -> None:
        with suppress(sqlite3.Error):
            self.conn.execute("PRAGMA optimize")
        self.conn.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        version = self.schema_version
        if version > LATEST_VERSION:
            raise ProjectError(
                _(
                    "The project {path} was written by a newer Besace (schema {found}, this"
                    " version knows up to {known}). Update Besace to open it."
                ).format(path=self.path, found=version, known=LATEST_VERSION)
            )
        for number in range(version + 1, LATEST_VERSION + 1):
            with self.write() as db:
                for statement in MIGRATIONS[number].split(";\n"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version={number}")

    # -- writing ----------------------------------------------------------------------------
    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One atomic transaction: everything in it lands, or nothing does."""
        with self._write_lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    # -- mission identity ---------------------------------------------------------------------
    def mission(self) -> MissionIdentity:
        names = [f.name for f in fields(MissionIdentity)]
        row = self.conn.execute(f"SELECT {', '.join(names)} FROM mission WHERE id = 1").fetchone()
        if row is None:
            raise ProjectError(_("The project {path} has no mission.").format(path=self.path))
        return MissionIdentity(*row)

    def update_mission(self, identity: MissionIdentity) -> None:
        names = [f.name for f in fields(MissionIdentity)]
        assignments = ", ".join(f"{name} = ?" for name in names)
        values = [getattr(identity, name) for name in names]
        with self.write() as db:
            db.execute(
                f"UPDATE mission SET {assignments}, updated_at = ? WHERE id = 1",
                [*values, utc_now()],
            )


class BatchTransaction:
    """A long write kept in one open transaction, committed every few hundred milliseconds.

    A crash loses at most the uncommitted tail, which the next run redoes; what is
    committed is always consistent. Reads on the same connection see the pending rows.
    """

    def __init__(self, project: Project, max_seconds: float = 0.5, max_rows: int = 5000) -> None:
        self._project = project
        self.conn = project.conn
        self._max_seconds = max_seconds
        self._max_rows = max_rows
        self._rows = 0
        self._started = 0.0
        self._open = False

    def _begin(self) -> None:
        if not self._open:
            self._project._write_lock.acquire()
            self.conn.execute("BEGIN IMMEDIATE")
            self._open = True
            self._started = time.monotonic()
            self._rows = 0

    def execute(self, sql: str, params: Sequence[object] = ()) -> sqlite3.Cursor:
        self._begin()
        self._rows += 1
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        self._begin()
        self._rows += len(rows)
        self.conn.executemany(sql, rows)

    def maybe_commit(self) -> None:
        if self._open and (
            self._rows >= self._max_rows or time.monotonic() - self._started >= self._max_seconds
        ):
            self.commit()

    def commit(self) -> None:
        if self._open:
            self._open = False
            try:
                self.conn.execute("COMMIT")
            finally:
                self._project._write_lock.release()

    def rollback(self) -> None:
        if self._open:
            self._open = False
            try:
                self.conn.execute("ROLLBACK")
            finally:
                self._project._write_lock.release()

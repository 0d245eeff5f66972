"""Undo and redo of the archivist's edits, recorded by SQLite itself.

Every edit of the classification, the retention schedule and the descriptive metadata goes
through `command(project, label)`. When the window has attached an `UndoStack`, temporary
triggers on the edited tables write, for each changed row, the SQL statement that puts it
back (the technique of sqlite.org's "Automatic Undo/Redo"). Undoing a command runs its
statements in reverse order; that run is itself recorded, and becomes the redo. The log lives
in a TEMP table: it belongs to the window's session, never to the project file.

Derived data (where each file is classified) is not tracked: callers recompute it after an
undo or a redo through the `after_change` callbacks.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from app.project.store import Project

# Tables holding what the archivist edits by hand; the inventory itself is never undone.
TRACKED_TABLES = (
    "series",
    "assignment",
    "classification_rule",
    "audit_grid",
    "schedule_entry",
    "unit_metadata",
    "project_setting",
    "mission",
    "imported_unit",  # trees imported from a Resip CSV or a SIP, restructured by hand
    "imported_object",
)
MAX_COMMANDS = 200


@dataclass(frozen=True, slots=True)
class _Step:
    label: str
    first: int  # undo-log sequence numbers, inclusive
    last: int


class UndoStack:
    """The undo history of one open project, for one window session."""

    def __init__(
        self, project: Project, after_change: Callable[[Project], None] | None = None
    ) -> None:
        self.project = project
        self._after_change: list[Callable[[Project], None]] = []
        if after_change is not None:
            self._after_change.append(after_change)
        self._undo: list[_Step] = []
        self._redo: list[_Step] = []
        self._install(project.conn)
        project.undo_stack = self

    def add_listener(self, callback: Callable[[Project], None]) -> None:
        """Called after every undo and redo, e.g. to recompute derived data."""
        self._after_change.append(callback)

    # -- recording ------------------------------------------------------------------------
    @staticmethod
    def _install(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS undo_log (seq INTEGER PRIMARY KEY, sql TEXT)")
        existing = {
            r[0] for r in conn.execute("SELECT name FROM sqlite_temp_master WHERE type='trigger'")
        }
        for table in TRACKED_TABLES:
            columns = [r[1] for r in conn.execute(f"PRAGMA main.table_info({table})")]
            if not columns or f"undo_{table}_insert" in existing:
                continue
            old_values = "||','||".join(f"quote(old.{c})" for c in columns)
            assignments = "||','||".join(f"'{c}='||quote(old.{c})" for c in columns)
            names = ",".join(columns)
            conn.executescript(
                f"""
CREATE TEMP TRIGGER undo_{table}_insert AFTER INSERT ON main.{table} BEGIN
  INSERT INTO undo_log(sql) VALUES('DELETE FROM {table} WHERE rowid='||new.rowid);
END;
CREATE TEMP TRIGGER undo_{table}_update AFTER UPDATE ON main.{table} BEGIN
  INSERT INTO undo_log(sql)
    VALUES('UPDATE {table} SET '||{assignments}||' WHERE rowid='||old.rowid);
END;
CREATE TEMP TRIGGER undo_{table}_delete BEFORE DELETE ON main.{table} BEGIN
  INSERT INTO undo_log(sql)
    VALUES('INSERT INTO {table}(rowid,{names}) VALUES('||old.rowid||','||{old_values}||')');
END;
"""
            )

    def _last_seq(self) -> int:
        row = self.project.conn.execute("SELECT max(seq) FROM undo_log").fetchone()
        return int(row[0] or 0)

    def _record(self, label: str, first: int) -> _Step | None:
        last = self._last_seq()
        return _Step(label, first, last) if last >= first else None

    # -- history ---------------------------------------------------------------------------
    def can_undo(self) -> bool:
        return bool(self._undo)

    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo_label(self) -> str:
        return self._undo[-1].label if self._undo else ""

    def redo_label(self) -> str:
        return self._redo[-1].label if self._redo else ""

    def undo(self) -> str:
        """Undo the last command; returns its label ('' when there was nothing to undo)."""
        if not self._undo:
            return ""
        step = self._undo.pop()
        replayed = self._replay(step)
        if replayed is not None:
            self._redo.append(replayed)
        return step.label

    def redo(self) -> str:
        if not self._redo:
            return ""
        step = self._redo.pop()
        replayed = self._replay(step)
        if replayed is not None:
            self._undo.append(replayed)
        return step.label

    def clear(self) -> None:
        self._undo.clear()
        self._redo.clear()
        with self.project.write() as db:
            db.execute("DELETE FROM undo_log")

    def _replay(self, step: _Step) -> _Step | None:
        conn = self.project.conn
        with self.project.write() as db:
            statements = [
                r[0]
                for r in db.execute(
                    "SELECT sql FROM undo_log WHERE seq BETWEEN ? AND ? ORDER BY seq DESC",
                    (step.first, step.last),
                )
            ]
            db.execute("DELETE FROM undo_log WHERE seq BETWEEN ? AND ?", (step.first, step.last))
            first = self._last_seq() + 1
            # Rows come back in reverse order; foreign keys are checked at commit time.
            db.execute("PRAGMA defer_foreign_keys = ON")
            for statement in statements:
                db.execute(statement)
        replayed = self._record(step.label, first)
        for callback in self._after_change:
            callback(self.project)
        del conn
        return replayed

    def _push(self, step: _Step) -> None:
        self._undo.append(step)
        self._redo.clear()
        if len(self._undo) > MAX_COMMANDS:
            dropped = self._undo.pop(0)
            self.project.conn.execute("DELETE FROM undo_log WHERE seq <= ?", (dropped.last,))


@contextmanager
def command(project: Project, label: str) -> Iterator[sqlite3.Connection]:
    """One edit by the archivist: an atomic write that the window can undo as a whole."""
    stack = project.undo_stack
    with project.write() as db:
        first = stack._last_seq() + 1 if stack is not None else 0
        yield db
    if stack is not None:
        step = stack._record(label, first)
        if step is not None:
            stack._push(step)

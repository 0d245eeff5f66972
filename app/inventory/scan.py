"""The scan: walk the roots, read what is new or changed, record everything, compare.

The main process walks and writes (one writer); worker processes hash and identify.
Unchanged files (same size and modification time) are not read again. Work is committed
in small transactions, so a scan stopped at any instant (Ctrl-C, kill -9, power cut)
leaves a consistent project, and the next scan finishes the job.
"""

from __future__ import annotations

import errno
import hashlib
import json
import multiprocessing
import os
import socket
import time
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import AppError, Severity
from app.i18n import N_, _
from app.inventory import names
from app.inventory.duplicates import refresh_duplicate_flags
from app.inventory.flags import (
    DERIVED_FLAGS,
    LARGE_FILE_LIMIT,
    WINDOWS_PATH_LIMIT,
    Bits,
    NameRules,
    attribute_flags,
    mode_kind,
)
from app.inventory.identify import DEFAULT_ENGINE, ENGINES, EngineInfo
from app.inventory.reader import (
    DIGEST_ALGORITHMS,
    ReadResult,
    ReadTask,
    engine_info,
    init_worker,
    read_batch,
)
from app.inventory.tree import refresh_directory_totals
from app.project.lock import ProjectLock
from app.project.store import BatchTransaction, Project, utc_now
from app.settings import ScanSettings
from app.tasks import Cancelled, CancelToken, Progress, ProgressSink, Throttle, ignore_progress

EMPTY_SHA512 = hashlib.sha512(b"").digest()

INSERT_FILE = (
    "INSERT INTO file (source_id, dir_id, name, rel_path, extension, kind, size, mtime_ns,"
    " created_ns, sha512, other_digests, puid, format_name, format_version, mime, basis,"
    " id_warning, engine_id, flags, error, last_changed_run, first_seen_run)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)

# Run statuses and identification bases, as stored; translated where shown.
STATUS_LABELS = (N_("running"), N_("completed"), N_("cancelled"), N_("interrupted"), N_("failed"))
BASIS_LABELS = (N_("signature"), N_("container"), N_("text"), N_("extension"))


@dataclass
class ScanOptions:
    engine: str = DEFAULT_ENGINE
    extra_algorithms: tuple[str, ...] = ()
    name_rules: NameRules = field(
        default_factory=lambda: NameRules(
            ScanSettings().temporary_patterns, ScanSettings().system_patterns, ()
        )
    )
    workers: int = 0  # 0: one per core
    batch_files: int = 128
    batch_bytes: int = 32 * 1024 * 1024

    @classmethod
    def from_settings(cls, settings: ScanSettings, **overrides: object) -> ScanOptions:
        options = cls(
            engine=settings.engine,
            extra_algorithms=tuple(settings.extra_algorithms),
            name_rules=NameRules(
                settings.temporary_patterns, settings.system_patterns, settings.exclude_patterns
            ),
        )
        for key, value in overrides.items():
            setattr(options, key, value)
        return options


@dataclass
class ScanSummary:
    run_id: int
    status: str
    engine: EngineInfo | None
    files_seen: int = 0
    bytes_seen: int = 0
    files_read: int = 0
    bytes_read: int = 0
    added: int = 0
    modified: int = 0
    removed: int = 0
    restored: int = 0
    unchanged: int = 0
    errors: int = 0
    warnings: int = 0
    elapsed: float = 0.0


@dataclass(slots=True)
class _Known:
    """A file row as the project knew it before this run."""

    id: int
    size: int | None
    mtime_ns: int | None
    flags: int
    state: str
    error: str | None
    kind: str


@dataclass(slots=True)
class _Entry:
    """A file met by the walk, waiting to be recorded."""

    source_id: int
    dir_id: int
    raw: bytes
    rel_path: str
    os_path: str
    kind: str
    size: int
    mtime_ns: int
    flags: int
    known: _Known | None


def validate_roots(roots: Sequence[Path]) -> list[str]:
    """Absolute OS paths of the roots, or a clear error naming the first bad one."""
    checked: list[str] = []
    if not roots:
        raise AppError(_("Give at least one folder to scan."))
    for root in roots:
        path = names.long_path(os.path.abspath(os.fspath(root)))
        if not os.path.exists(path):
            raise AppError(
                _("The folder {path} does not exist or is not reachable.").format(path=root)
            )
        if not os.path.isdir(path):
            raise AppError(_("{path} is not a folder.").format(path=root))
        checked.append(path)
    return checked


def scan(
    project: Project,
    roots: Sequence[Path],
    *,
    options: ScanOptions | None = None,
    token: CancelToken | None = None,
    progress: ProgressSink = ignore_progress,
) -> ScanSummary:
    """Inventory `roots` into `project`; returns how the run went (never raises Cancelled)."""
    options = options or ScanOptions()
    if options.engine not in ENGINES:
        raise AppError(
            _("Unknown identification engine {engine} (choose among: {choices}).").format(
                engine=options.engine, choices=", ".join(ENGINES)
            )
        )
    for algorithm in options.extra_algorithms:
        if algorithm not in DIGEST_ALGORITHMS:
            raise AppError(
                _("Unknown digest algorithm {name} (choose among: {choices}).").format(
                    name=algorithm, choices=", ".join(DIGEST_ALGORITHMS)
                )
            )
    os_roots = validate_roots(roots)
    with ProjectLock(project.path):
        return _ScanRun(project, options, token or CancelToken(), progress).execute(os_roots)


class _ScanRun:
    def __init__(
        self, project: Project, options: ScanOptions, token: CancelToken, progress: ProgressSink
    ) -> None:
        self.project = project
        self.options = options
        self.token = token
        # Reports are sent at checkpoints; committing first means a sink that blocks (a paused
        # scan in the window) never holds the project's write lock.
        self.throttle = Throttle(progress, before=self._commit_before_report)
        self.db = BatchTransaction(project)
        self.workers = options.workers or os.cpu_count() or 1
        self.max_in_flight = self.workers * 2
        self.in_flight: dict[Future[list[ReadResult]], list[_Entry]] = {}
        self.batch: list[_Entry] = []
        self.batch_bytes = 0
        self.started = time.monotonic()
        self.current = ""
        self.engine_id = 0
        self.run_id = 0
        self.summary = ScanSummary(0, "running", None)
        self.bytes_done = 0
        self.files_done = 0
        self.pool: ProcessPoolExecutor | None = None
        self.changed = False  # anything written that duplicates and folder totals depend on
        self.pending_inserts: list[tuple[object, ...]] = []
        self.known_sources: set[int] = set()

    # -- run life cycle ------------------------------------------------------------------------
    def execute(self, os_roots: list[str]) -> ScanSummary:
        self._close_stale_runs()
        self._previous_engine()
        self.run_id = self._start_run(os_roots)
        self.summary.run_id = self.run_id
        status = "completed"
        try:
            for os_root in os_roots:
                self._walk_root(os_root)
            self._flush_batch()
            while self.in_flight:
                self._collect()
        except Cancelled:
            status = "cancelled"
        except BaseException:
            self._abort()
            self._finish("failed")
            raise
        finally:
            if status == "cancelled":
                self._abort()
        self._finish(status)
        return self.summary

    def _previous_engine(self) -> None:
        """The engine last used, for the history of a rescan that needs to identify nothing."""
        row = self.project.conn.execute(
            "SELECT id, name, version, signature FROM engine WHERE name = ? ORDER BY id DESC"
            " LIMIT 1",
            (self.options.engine,),
        ).fetchone()
        if row is not None:
            self.engine_id = int(row[0])
            self.summary.engine = EngineInfo(row[1], row[2], row[3])

    def _ensure_pool(self) -> ProcessPoolExecutor:
        """Workers start with the first file to read: an unchanged rescan starts none."""
        if self.pool is not None:
            return self.pool
        self.pool = self._start_pool()
        try:
            info = self.pool.submit(engine_info).result()
        except BrokenProcessPool as exc:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None
            raise AppError(
                _("The identification engine {engine} could not start.").format(
                    engine=self.options.engine
                ),
                details=str(exc),
            ) from exc
        self.summary.engine = info
        self.engine_id = self._engine_row(info)
        self.db.execute(
            "UPDATE scan_run SET engine_id = ? WHERE id = ?", (self.engine_id, self.run_id)
        )
        return self.pool

    def _start_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=init_worker,
            initargs=(self.options.engine, self.options.extra_algorithms),
        )

    def _abort(self) -> None:
        """Stop the workers; keep what they finished, the rest is for the next scan."""
        if self.pool is not None:
            for future in self.in_flight:
                future.cancel()
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
            for future in list(self.in_flight):
                if future.done() and not future.cancelled() and future.exception() is None:
                    self._record_batch(future)
            self.in_flight.clear()

    def _close_stale_runs(self) -> None:
        # We hold the project lock: any run still "running" belongs to a process that died.
        with self.project.write() as db:
            db.execute("UPDATE scan_run SET status = 'interrupted' WHERE status = 'running'")
            last = db.execute("SELECT status FROM scan_run ORDER BY id DESC LIMIT 1").fetchone()
        # A run that did not finish may have left duplicates and folder totals behind.
        self.changed = last is not None and last[0] != "completed"

    def _engine_row(self, info: EngineInfo) -> int:
        self.db.execute(
            "INSERT OR IGNORE INTO engine (name, version, signature) VALUES (?, ?, ?)",
            (info.name, info.version, info.signature),
        )
        row = self.db.execute(
            "SELECT id FROM engine WHERE name = ? AND version = ? AND signature = ?",
            (info.name, info.version, info.signature),
        ).fetchone()
        return int(row[0])

    def _start_run(self, os_roots: list[str]) -> int:
        algorithms = ",".join(("sha512", *self.options.extra_algorithms))
        with self.project.write() as db:
            cursor = db.execute(
                "INSERT INTO scan_run (started_at, status, engine_id, algorithms, roots, host, pid)"
                " VALUES (?, 'running', ?, ?, ?, ?, ?)",
                (
                    utc_now(),
                    self.engine_id or None,
                    algorithms,
                    json.dumps([names.display_root(r) for r in os_roots], ensure_ascii=False),
                    socket.gethostname(),
                    os.getpid(),
                ),
            )
        return int(cursor.lastrowid or 0)

    def _finish(self, status: str) -> None:
        self._flush_inserts()
        self.db.commit()
        if self.pool is not None:
            self.pool.shutdown(wait=True)
            self.pool = None
        self.summary.status = status
        if status != "failed" and self.changed:
            with self.project.write() as db:
                refresh_duplicate_flags(db)
                refresh_directory_totals(db)
        self.summary.elapsed = time.monotonic() - self.started
        s = self.summary
        with self.project.write() as db:
            db.execute(
                "UPDATE scan_run SET status = ?, finished_at = ?, files_seen = ?, files_read = ?,"
                " bytes_read = ?, added = ?, modified = ?, removed = ?, errors = ? WHERE id = ?",
                (
                    status,
                    utc_now(),
                    s.files_seen,
                    s.files_read,
                    s.bytes_read,
                    s.added,
                    s.modified,
                    s.removed,
                    s.errors,
                    self.run_id,
                ),
            )
        self._report(force=True)

    # -- progress and issues -------------------------------------------------------------------
    def _report(self, force: bool = False) -> None:
        s = self.summary
        self.throttle(
            Progress(
                done=self.files_done,
                total=s.files_seen,
                message=_("Scanning"),
                bytes_done=self.bytes_done,
                bytes_total=s.bytes_seen,
                elapsed=time.monotonic() - self.started,
                current=self.current,
                extra={"errors": s.errors, "read": s.files_read},
            ),
            force=force,
        )

    def _issue(
        self, source_id: int, rel_path: str, severity: Severity, code: str, message: str
    ) -> None:
        self.db.execute(
            "INSERT INTO scan_issue (run_id, source_id, rel_path, severity, code, message)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (self.run_id, source_id, rel_path, severity.value, code, message),
        )
        if severity is Severity.ERROR:
            self.summary.errors += 1
        elif severity is Severity.WARNING:
            self.summary.warnings += 1

    # -- walking -------------------------------------------------------------------------------
    def _source_row(self, os_root: str) -> tuple[int, int]:
        display = names.display_root(os_root)
        raw = names.name_to_raw(display)
        row = self.db.execute("SELECT id FROM source WHERE root_raw = ?", (raw,)).fetchone()
        if row is None:
            shown, _undecodable = names.readable(display)
            row = self.db.execute(
                "INSERT INTO source (root, root_raw, added_at) VALUES (?, ?, ?) RETURNING id",
                (shown, raw, utc_now()),
            ).fetchone()
        source_id = int(row[0])
        found = self.db.execute(
            "SELECT id FROM directory WHERE source_id = ? AND parent_id IS NULL", (source_id,)
        ).fetchone()
        if found is None:
            found = self.db.execute(
                "INSERT INTO directory (source_id, parent_id, name, rel_path, depth,"
                " first_seen_run) VALUES (?, NULL, x'', '', 0, ?) RETURNING id",
                (source_id, self.run_id),
            ).fetchone()
        else:
            self.db.execute(
                "UPDATE directory SET state = 'present' WHERE id = ? AND state != 'present'",
                (found[0],),
            )
        completed = self.db.execute(
            "SELECT roots FROM scan_run WHERE status = 'completed'"
        ).fetchall()
        if any(display in json.loads(roots) for (roots,) in completed):
            self.known_sources.add(source_id)  # later additions are events of their own
        return source_id, int(found[0])

    def _walk_root(self, os_root: str) -> None:
        source_id, root_dir_id = self._source_row(os_root)
        root_display = names.display_root(os_root)
        stack: list[tuple[str, str, int, int]] = [(os_root, "", root_dir_id, 0)]
        while stack:
            self.token.raise_if_cancelled()
            dir_path, rel, dir_id, depth = stack.pop()
            self.current = rel or root_display
            subdirs = self._list_directory(source_id, root_display, dir_path, rel, dir_id, depth)
            stack.extend(reversed(subdirs))
            self._checkpoint()
            self._report()

    def _list_directory(
        self, source_id: int, root_display: str, dir_path: str, rel: str, dir_id: int, depth: int
    ) -> list[tuple[str, str, int, int]]:
        try:
            with os.scandir(dir_path) as iterator:
                entries = list(iterator)
        except OSError as exc:
            self.db.execute(
                "UPDATE directory SET error = ?, flags = flags | ? WHERE id = ?",
                (str(exc.strerror or exc), Bits.UNREADABLE, dir_id),
            )
            self._issue(
                source_id,
                rel or ".",
                Severity.ERROR,
                "unreadable-folder",
                _("Folder cannot be read: {reason}").format(reason=exc.strerror or exc),
            )
            return []
        self.db.execute(
            "UPDATE directory SET error = NULL, flags = flags & ?"
            " WHERE id = ? AND error IS NOT NULL",
            (~Bits.UNREADABLE, dir_id),
        )
        known_files = {
            row[0]: _Known(*row[1:])
            for row in self.db.execute(
                "SELECT name, id, size, mtime_ns, flags, state, error, kind FROM file"
                " WHERE dir_id = ?",
                (dir_id,),
            )
        }
        known_dirs = {
            row[0]: (int(row[1]), str(row[2]), int(row[3]), row[4])
            for row in self.db.execute(
                "SELECT name, id, state, flags, mtime_ns FROM directory WHERE parent_id = ?",
                (dir_id,),
            )
        }
        seen_files: set[bytes] = set()
        seen_dirs: set[bytes] = set()
        subdirs: list[tuple[str, str, int, int]] = []
        rules = self.options.name_rules
        for entry in entries:
            raw = names.name_to_raw(entry.name)
            shown, undecodable = names.readable(entry.name)
            child_rel = f"{rel}/{shown}" if rel else shown
            flags = rules.name_flags(shown)
            if undecodable:
                flags |= Bits.UNDECODABLE_NAME
            if names.windows_length(root_display, child_rel) > WINDOWS_PATH_LIMIT:
                flags |= Bits.LONG_PATH
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError as exc:
                seen_files.add(raw)
                self._record_unstatable(
                    source_id, dir_id, raw, child_rel, flags, exc, known_files.get(raw)
                )
                continue
            flags |= attribute_flags(getattr(st, "st_file_attributes", 0))
            kind = mode_kind(st.st_mode)
            if kind == "directory":
                seen_dirs.add(raw)
                child_id = self._directory_row(
                    source_id,
                    dir_id,
                    raw,
                    child_rel,
                    depth + 1,
                    st.st_mtime_ns,
                    int(flags),
                    known_dirs.get(raw),
                )
                if flags & Bits.EXCLUDED:
                    continue  # listed as excluded, not descended into
                subdirs.append((entry.path, child_rel, child_id, depth + 1))
                continue
            seen_files.add(raw)
            self._file_met(
                _Entry(
                    source_id,
                    dir_id,
                    raw,
                    child_rel,
                    entry.path,
                    kind,
                    st.st_size,
                    st.st_mtime_ns,
                    int(flags),
                    known_files.get(raw),
                )
            )
        for raw, known in known_files.items():
            if raw not in seen_files and known.state == "present":
                self._mark_file_removed(known)
        for raw, (child_id, state, _flags, _mtime) in known_dirs.items():
            if raw not in seen_dirs and state == "present":
                self._mark_directory_removed(child_id)
        return subdirs

    def _directory_row(
        self,
        source_id: int,
        parent_id: int,
        raw: bytes,
        rel: str,
        depth: int,
        mtime_ns: int,
        flags: int,
        known: tuple[int, str, int, int | None] | None,
    ) -> int:
        self.changed = self.changed or known is None or known[1] != "present"
        if known is None:
            row = self.db.execute(
                "INSERT INTO directory (source_id, parent_id, name, rel_path, depth, mtime_ns,"
                " flags, first_seen_run) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (source_id, parent_id, raw, rel, depth, mtime_ns, flags, self.run_id),
            ).fetchone()
            return int(row[0])
        dir_id, state, old_flags, old_mtime = known
        kept = old_flags & (Bits.EMPTY | Bits.UNREADABLE)
        if state != "present" or old_mtime != mtime_ns or (old_flags & ~kept) != flags:
            self.db.execute(
                "UPDATE directory SET state = 'present', mtime_ns = ?, flags = ? WHERE id = ?",
                (mtime_ns, flags | kept, dir_id),
            )
        return dir_id

    # -- files ---------------------------------------------------------------------------------
    def _file_met(self, entry: _Entry) -> None:
        s = self.summary
        s.files_seen += 1
        s.bytes_seen += entry.size
        if entry.kind == "file":
            if entry.size == 0:
                entry.flags |= Bits.EMPTY
            if entry.size > LARGE_FILE_LIMIT:
                entry.flags |= Bits.LARGE_FILE
        known = entry.known
        if (
            known is not None
            and known.state == "present"
            and known.error is None
            and known.kind == entry.kind
            and known.size == entry.size
            and known.mtime_ns == entry.mtime_ns
            and not known.flags & Bits.CHANGED_DURING_SCAN
        ):
            stored = known.flags & ~DERIVED_FLAGS
            if stored != entry.flags:  # the naming rules changed since the last scan
                self.changed = True
                self.db.execute(
                    "UPDATE file SET flags = ? | (flags & ?) WHERE id = ?",
                    (entry.flags, DERIVED_FLAGS, known.id),
                )
            s.unchanged += 1
            self._done(entry.size)
            return
        if entry.kind == "symlink":
            self._record_link(entry)
        elif entry.kind == "special":
            entry.flags |= Bits.SPECIAL
            self._write_file(entry, None)
            self._issue(
                entry.source_id,
                entry.rel_path,
                Severity.WARNING,
                "special-file",
                _("Special file (pipe, socket or device): listed, not read."),
            )
        elif entry.flags & Bits.EXCLUDED:
            self._write_file(entry, None)
        elif entry.size == 0:
            self._write_file(entry, ReadResult(0, 0, entry.mtime_ns, None, EMPTY_SHA512))
        else:
            self._queue(entry)
            return
        self._done(entry.size)

    def _done(self, size: int) -> None:
        self.files_done += 1
        self.bytes_done += size

    def _record_link(self, entry: _Entry) -> None:
        entry.flags |= Bits.SYMLINK
        try:
            target = os.readlink(entry.os_path)
        except OSError as exc:
            target = str(exc)
        shown_target, _undecodable = names.readable(target)
        try:
            os.stat(entry.os_path)
            message = _("Symbolic link to {target}: listed, not followed.")
            code = "symlink"
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                message = _("Symbolic link loop ({target}): listed, not followed.")
                code = "symlink-loop"
            else:
                message = _("Broken symbolic link to {target}.")
                code = "symlink-broken"
        self._write_file(entry, None)
        self._issue(
            entry.source_id,
            entry.rel_path,
            Severity.WARNING,
            code,
            message.format(target=shown_target),
        )

    def _record_unstatable(
        self,
        source_id: int,
        dir_id: int,
        raw: bytes,
        rel: str,
        flags: int,
        exc: OSError,
        known: _Known | None,
    ) -> None:
        entry = _Entry(
            source_id, dir_id, raw, rel, "", "file", 0, 0, flags | Bits.UNREADABLE, known
        )
        self.summary.files_seen += 1
        reason = str(exc.strerror or exc)
        self._write_file(
            entry, ReadResult(0, error=reason, error_code="unreadable"), size_known=False
        )
        self._issue(
            source_id,
            rel,
            Severity.ERROR,
            "unreadable",
            _("File cannot be examined: {reason}").format(reason=reason),
        )
        self._done(0)

    def _queue(self, entry: _Entry) -> None:
        self.batch.append(entry)
        self.batch_bytes += entry.size
        if (
            len(self.batch) >= self.options.batch_files
            or self.batch_bytes >= self.options.batch_bytes
        ):
            self._flush_batch()

    def _flush_batch(self) -> None:
        if not self.batch:
            return
        while len(self.in_flight) >= self.max_in_flight:
            self._collect()
        tasks = [ReadTask(i, e.os_path) for i, e in enumerate(self.batch)]
        pool = self._ensure_pool()
        try:
            future = pool.submit(read_batch, tasks)
        except BrokenProcessPool:
            self._restart_pool()
            assert self.pool is not None
            future = self.pool.submit(read_batch, tasks)
        self.in_flight[future] = self.batch
        self.batch = []
        self.batch_bytes = 0

    def _restart_pool(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = self._start_pool()

    def _collect(self) -> None:
        done, _pending = wait(list(self.in_flight), timeout=0.25, return_when=FIRST_COMPLETED)
        for future in done:
            self._record_batch(future)
        self._checkpoint()
        self._report()
        self.token.raise_if_cancelled()

    def _record_batch(self, future: Future[list[ReadResult]]) -> None:
        entries = self.in_flight.pop(future)
        try:
            results = future.result()
        except BrokenProcessPool as exc:
            # A worker died (out of memory, a crash in the engine): the files of its batch
            # are recorded as errors and read again by the next scan.
            self._restart_pool()
            results = [
                ReadResult(
                    i,
                    error=_("the reading process stopped: {reason}").format(reason=exc),
                    error_code="worker",
                )
                for i in range(len(entries))
            ]
        for entry, result in zip(entries, results, strict=True):
            self._record_read(entry, result)

    def _record_read(self, entry: _Entry, result: ReadResult) -> None:
        s = self.summary
        if result.error:
            entry.flags |= Bits.UNREADABLE
            self._write_file(entry, result)
            self._issue(
                entry.source_id,
                entry.rel_path,
                Severity.ERROR,
                result.error_code,
                _("File cannot be read: {reason}").format(reason=result.error),
            )
        else:
            s.files_read += 1
            s.bytes_read += result.size
            entry.size = result.size
            entry.mtime_ns = result.mtime_ns
            if result.changed_during_read:
                entry.flags |= Bits.CHANGED_DURING_SCAN
                self._issue(
                    entry.source_id,
                    entry.rel_path,
                    Severity.WARNING,
                    "changed-during-scan",
                    _("File kept changing while it was read: its digest may be stale."),
                )
            if result.size > LARGE_FILE_LIMIT:
                entry.flags |= Bits.LARGE_FILE
            self._write_file(entry, result)
        self._done(entry.size)

    def _write_file(
        self, entry: _Entry, result: ReadResult | None, size_known: bool = True
    ) -> None:
        ident = result.identification if result is not None else None
        known = entry.known
        warning = ident.warning if ident else None
        if ident is not None and ident.error:
            warning = "; ".join(w for w in (warning, ident.error) if w)
        values = (
            entry.raw,
            entry.rel_path,
            names.extension_of(entry.rel_path.rsplit("/", 1)[-1]),
            entry.kind,
            entry.size if size_known else None,
            entry.mtime_ns if size_known else None,
            result.created_ns if result else None,
            result.sha512 if result else None,
            json.dumps(result.other_digests) if result and result.other_digests else None,
            ident.puid if ident else None,
            ident.format_name if ident else None,
            ident.format_version if ident else None,
            ident.mime if ident else None,
            ident.basis if ident else None,
            warning or None,
            self.engine_id if ident else None,
            entry.flags,
            (result.error or None) if result else None,
            self.run_id,
        )
        self.changed = True
        if known is None:
            self.summary.added += 1
            row_values = (entry.source_id, entry.dir_id, *values, self.run_id)
            if entry.source_id not in self.known_sources:
                # A source's first inventory: first_seen_run records every addition, and
                # rows go in by the batch.
                self.pending_inserts.append(row_values)
                if len(self.pending_inserts) >= 512:
                    self._flush_inserts()
                return
            row = self.db.execute(INSERT_FILE + " RETURNING id", row_values).fetchone()
            self._event(int(row[0]), "added", None, entry.size, None, values[7])
            return
        old = self.db.execute(
            "SELECT size, sha512, state FROM file WHERE id = ?", (known.id,)
        ).fetchone()
        self.db.execute(
            "UPDATE file SET name = ?, rel_path = ?, extension = ?, kind = ?, size = ?,"
            " mtime_ns = ?, created_ns = ?, sha512 = ?, other_digests = ?, puid = ?,"
            " format_name = ?, format_version = ?, mime = ?, basis = ?, id_warning = ?,"
            " engine_id = ?, flags = ?, error = ?, last_changed_run = ?, state = 'present'"
            " WHERE id = ?",
            (*values, known.id),
        )
        if old[2] != "present":
            self._event(known.id, "restored", old[0], entry.size, old[1], values[7])
            self.summary.restored += 1
        elif old[1] != values[7] or old[0] != entry.size:
            self._event(known.id, "modified", old[0], entry.size, old[1], values[7])
            self.summary.modified += 1

    def _checkpoint(self) -> None:
        self._flush_inserts()
        self.db.maybe_commit()

    def _commit_before_report(self) -> None:
        self._flush_inserts()
        self.db.commit()

    def _flush_inserts(self) -> None:
        if self.pending_inserts:
            self.db.executemany(INSERT_FILE, self.pending_inserts)
            self.pending_inserts.clear()

    def _event(
        self,
        file_id: int,
        kind: str,
        old_size: int | None,
        new_size: int | None,
        old_sha: object,
        new_sha: object,
    ) -> None:
        self.db.execute(
            "INSERT INTO file_event (run_id, file_id, kind, old_size, new_size, old_sha512,"
            " new_sha512) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (self.run_id, file_id, kind, old_size, new_size, old_sha, new_sha),
        )

    def _mark_file_removed(self, known: _Known) -> None:
        self.changed = True
        self.db.execute(
            "INSERT INTO file_event (run_id, file_id, kind, old_size, old_sha512)"
            " SELECT ?, id, 'removed', size, sha512 FROM file WHERE id = ?",
            (self.run_id, known.id),
        )
        self.db.execute(
            "UPDATE file SET state = 'removed', last_changed_run = ? WHERE id = ?",
            (self.run_id, known.id),
        )
        self.summary.removed += 1

    def _mark_directory_removed(self, dir_id: int) -> None:
        self.changed = True
        subtree = (
            "WITH RECURSIVE sub(id) AS (SELECT ? UNION ALL"
            " SELECT d.id FROM directory d JOIN sub ON d.parent_id = sub.id)"
        )
        before = self.db.conn.total_changes
        self.db.execute(
            f"{subtree} INSERT INTO file_event (run_id, file_id, kind, old_size, old_sha512)"
            " SELECT ?, id, 'removed', size, sha512 FROM file"
            " WHERE dir_id IN (SELECT id FROM sub) AND state = 'present'",
            (dir_id, self.run_id),
        )
        self.summary.removed += self.db.conn.total_changes - before
        self.db.execute(
            f"{subtree} UPDATE file SET state = 'removed', last_changed_run = ?"
            " WHERE dir_id IN (SELECT id FROM sub) AND state = 'present'",
            (dir_id, self.run_id),
        )
        self.db.execute(
            f"{subtree} UPDATE directory SET state = 'removed' WHERE id IN (SELECT id FROM sub)",
            (dir_id,),
        )

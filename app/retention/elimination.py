"""Elimination proposals for the Archives départementales' visa.

A proposal freezes, on a reference date, what may be destroyed: per series the number of
files, their volume, extreme dates, DUA and legal basis, and the list of files. Files already
in a proposal that was not refused are not proposed again. Besace never deletes anything: once
the visa is granted the archivist destroys the files and the proposal keeps the record.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date

from app.errors import AppError
from app.i18n import N_, _
from app.project.store import Project, utc_now
from app.retention.dates import period_text
from app.retention.states import compute_states, document_date

STATUSES = ("draft", "submitted", "approved", "refused")
STATUS_LABELS = {
    "draft": N_("draft"),
    "submitted": N_("submitted for visa"),
    "approved": N_("visa granted"),
    "refused": N_("visa refused"),
}
_NEXT = {"draft": {"submitted", "refused"}, "submitted": {"approved", "refused"}}


@dataclass(frozen=True, slots=True)
class ProposalItem:
    series_id: int | None
    series_code: str
    series_title: str
    files: int
    bytes: int
    earliest: str | None
    latest: str | None
    dua_value: int | None
    dua_unit: str
    legal_basis: str

    @property
    def dua(self) -> str:
        """The DUA in the language of the moment (stored as a value and a unit)."""
        return period_text(self.dua_value, self.dua_unit)


@dataclass(frozen=True, slots=True)
class Proposal:
    id: int
    reference: str
    status: str
    as_of: str
    created_at: str
    decided_at: str | None
    decision_note: str
    items: tuple[ProposalItem, ...]

    @property
    def files(self) -> int:
        return sum(i.files for i in self.items)

    @property
    def bytes(self) -> int:
        return sum(i.bytes for i in self.items)


def _already_proposed(conn: sqlite3.Connection) -> set[int]:
    return {
        int(r[0])
        for r in conn.execute(
            "SELECT ef.file_id FROM elimination_file ef JOIN elimination_proposal p"
            " ON p.id = ef.proposal_id WHERE p.status != 'refused'"
        )
    }


def _next_reference(conn: sqlite3.Connection, as_of: date) -> str:
    prefix = f"ELIM-{as_of.year}-"
    count = conn.execute(
        "SELECT count(*) FROM elimination_proposal WHERE reference LIKE ?", (prefix + "%",)
    ).fetchone()[0]
    return f"{prefix}{int(count) + 1:03d}"


def propose_elimination(
    project: Project,
    as_of: date | None = None,
    *,
    series_codes: list[str] | None = None,
    reference: str = "",
) -> Proposal:
    """Gather what may be destroyed on `as_of` into a new draft proposal."""
    conn = project.conn
    as_of = as_of or date.today()
    series_ids: set[int] | None = None
    if series_codes:
        series_ids = set()
        for code in series_codes:
            row = conn.execute("SELECT id FROM series WHERE code = ?", (code,)).fetchone()
            if row is None:
                raise AppError(_("No series {key} in the plan de classement.").format(key=code))
            series_ids.add(int(row[0]))
    report = compute_states(conn, as_of, with_files=True, series_ids=series_ids)
    taken = _already_proposed(conn)
    sizes = {
        int(fid): (int(size or 0), mtime)
        for fid, size, mtime in conn.execute(
            "SELECT f.id, f.size, f.mtime_ns FROM file f JOIN file_class fc ON fc.file_id = f.id"
            " WHERE f.state = 'present'"
        )
    }
    items: list[tuple[ProposalItem, list[int]]] = []
    for summary in report.series:
        sid = summary.series.id
        chosen = [
            fid
            for fid, st in report.files.items()
            if st.series_id == sid and st.state == "to_eliminate" and fid not in taken
        ]
        if not chosen:
            continue
        dates = [document_date(sizes[f][1]) for f in chosen]
        known = [d for d in dates if d is not None]
        retention = summary.retention
        item = ProposalItem(
            sid,
            summary.series.code,
            summary.series.title,
            len(chosen),
            sum(sizes[f][0] for f in chosen),
            min(known).isoformat() if known else None,
            max(known).isoformat() if known else None,
            retention.dua_value,
            retention.dua_unit,
            retention.legal_basis,
        )
        items.append((item, chosen))
    if not items:
        raise AppError(
            _(
                "Nothing to eliminate on {date}: no file has reached the end of its DUA with a"
                " final action of destruction (or it is already in a proposal)."
            ).format(date=as_of.isoformat())
        )
    reference = reference or _next_reference(conn, as_of)
    if conn.execute(
        "SELECT 1 FROM elimination_proposal WHERE reference = ?", (reference,)
    ).fetchone():
        raise AppError(_("A proposal {reference} already exists.").format(reference=reference))
    now = utc_now()
    with project.write() as db:
        cursor = db.execute(
            "INSERT INTO elimination_proposal (reference, status, as_of, created_at)"
            " VALUES (?, 'draft', ?, ?)",
            (reference, as_of.isoformat(), now),
        )
        proposal_id = int(cursor.lastrowid or 0)
        for item, files in items:
            db.execute(
                "INSERT INTO elimination_item (proposal_id, series_id, series_code, series_title,"
                " files, bytes, earliest, latest, dua_value, dua_unit, legal_basis)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    proposal_id,
                    item.series_id,
                    item.series_code,
                    item.series_title,
                    item.files,
                    item.bytes,
                    item.earliest,
                    item.latest,
                    item.dua_value,
                    item.dua_unit,
                    item.legal_basis,
                ),
            )
            db.executemany(
                "INSERT INTO elimination_file (proposal_id, file_id) VALUES (?, ?)",
                ((proposal_id, f) for f in files),
            )
    return get_proposal(conn, reference)


def get_proposal(conn: sqlite3.Connection, key: str | int) -> Proposal:
    column = "id" if isinstance(key, int) else "reference"
    row = conn.execute(
        "SELECT id, reference, status, as_of, created_at, decided_at, decision_note"
        f" FROM elimination_proposal WHERE {column} = ?",
        (key,),
    ).fetchone()
    if row is None:
        raise AppError(_("No elimination proposal {key}.").format(key=key))
    items = tuple(
        ProposalItem(*r)
        for r in conn.execute(
            "SELECT series_id, series_code, series_title, files, bytes, earliest, latest,"
            " dua_value, dua_unit, legal_basis FROM elimination_item WHERE proposal_id = ?"
            " ORDER BY series_code",
            (row[0],),
        )
    )
    pid, reference, status, as_of, created_at, decided_at, note = row
    return Proposal(pid, reference, status, as_of, created_at, decided_at, note, items)


def list_proposals(conn: sqlite3.Connection) -> list[Proposal]:
    ids = [int(r[0]) for r in conn.execute("SELECT id FROM elimination_proposal ORDER BY id")]
    return [get_proposal(conn, i) for i in ids]


def proposal_files(conn: sqlite3.Connection, proposal_id: int) -> list[tuple[str, str, int]]:
    """(series code, path, size) of every file of a proposal, for the slip's annex."""
    return [
        (str(code), str(path), int(size or 0))
        for code, path, size in conn.execute(
            "SELECT coalesce(s.code, ''), f.rel_path, f.size FROM elimination_file ef"
            " JOIN file f ON f.id = ef.file_id LEFT JOIN file_class fc ON fc.file_id = f.id"
            " LEFT JOIN series s ON s.id = fc.series_id WHERE ef.proposal_id = ?"
            " ORDER BY s.code, f.rel_path",
            (proposal_id,),
        )
    ]


def set_status(project: Project, key: str | int, status: str, note: str = "") -> Proposal:
    """Record the proposal's progress: submitted, then visa granted or refused."""
    proposal = get_proposal(project.conn, key)
    if status not in STATUSES:
        raise AppError(
            _("Unknown status {status} (expected one of: {known}).").format(
                status=status, known=", ".join(STATUSES)
            )
        )
    if status not in _NEXT.get(proposal.status, set()):
        raise AppError(
            _("The proposal {reference} is {current}: it cannot become {status}.").format(
                reference=proposal.reference,
                current=_(STATUS_LABELS[proposal.status]),
                status=_(STATUS_LABELS[status]),
            )
        )
    decided = utc_now() if status in {"approved", "refused"} else None
    with project.write() as db:
        db.execute(
            "UPDATE elimination_proposal SET status = ?, decided_at = ?,"
            " decision_note = CASE WHEN ? != '' THEN ? ELSE decision_note END WHERE id = ?",
            (status, decided, note, note, proposal.id),
        )
    return get_proposal(project.conn, proposal.id)

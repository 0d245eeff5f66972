"""Slips (bordereaux) as a layout model: what the PDF and the xlsx versions both print.

A slip names the parties (collectivité, service producteur, service versant, service
d'archives), its references, one line per series (cote, analyse, dates extrêmes, volume, DUA,
sort final, textes de référence, communicabilité), the totals and the signature boxes. The
bordereau d'élimination also carries the list of its files as an annex.

- Transfer (versement): the files of the chosen series whose DUA is over with a final action
  of keep or sort, on the slip's date; every present file of the series with `all_files`
  (a transfer of intermediate archives into the SAE).
- Elimination: an elimination proposal, as frozen when it was made (`app.retention.elimination`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from app.errors import AppError
from app.i18n import N_, _, format_bytes
from app.project.series import FINAL_ACTION_LABELS, Series, effective_retention, get_series
from app.project.store import MissionIdentity, Project
from app.reports.formatting import (
    access_text,
    date_range,
    dua_text,
    iso_to_date,
    long_date,
    short_date,
    volume_text,
)
from app.retention.elimination import STATUS_LABELS, get_proposal
from app.retention.states import STATE_LABELS, compute_states, document_date

TRANSFER = "transfer"
ELIMINATION = "elimination"
DUE_STATES = ("to_transfer", "to_sort")

# (key, header, relative width): the columns of the slip's main table, PDF and xlsx alike.
LINE_COLUMNS: tuple[tuple[str, str, float], ...] = (
    ("code", N_("Reference code"), 7),
    ("analysis", N_("Description of the records"), 22),
    ("dates", N_("Extreme dates"), 11),
    ("files", N_("Files"), 6.5),
    ("volume", N_("Volume"), 7),
    ("dua", N_("DUA"), 7),
    ("final_action", N_("Final disposition"), 7.5),
    ("legal_basis", N_("Legal basis"), 16),
    ("access", N_("Communicability"), 14),
)
ANNEX_COLUMNS: tuple[tuple[str, str, float], ...] = (
    ("number", N_("No."), 5),
    ("code", N_("Reference code"), 9),
    ("path", N_("Path"), 70),
    ("size", N_("Size"), 10),
)


@dataclass(frozen=True, slots=True)
class SlipLine:
    code: str
    title: str
    description: str
    earliest: date | None
    latest: date | None
    files: int
    bytes: int
    dua: str
    final_action: str
    legal_basis: str
    access: str

    @property
    def dates(self) -> str:
        return date_range(self.earliest, self.latest)

    @property
    def volume(self) -> str:
        return format_bytes(self.bytes)


@dataclass(frozen=True, slots=True)
class SignatureBox:
    title: str
    name: str  # the service or person expected to sign, when known


@dataclass(frozen=True, slots=True)
class AnnexLine:
    series_code: str
    path: str
    size: int


@dataclass(frozen=True, slots=True)
class Totals:
    lines: int
    files: int
    bytes: int
    earliest: date | None
    latest: date | None


@dataclass(frozen=True, slots=True)
class Slip:
    kind: str  # TRANSFER or ELIMINATION
    title: str
    subtitle: str
    reference: str
    issued: date
    parties: tuple[tuple[str, str], ...]  # (label, value)
    references: tuple[tuple[str, str], ...]
    lines: tuple[SlipLine, ...]
    signatures: tuple[SignatureBox, ...]
    signature_prompts: tuple[str, ...]  # printed in every signature box
    notes: tuple[str, ...]
    annex: tuple[AnnexLine, ...] = ()
    annex_title: str = ""

    @property
    def collectivity(self) -> str:
        return self.parties[0][1] if self.parties else ""

    @property
    def totals(self) -> Totals:
        earliest = [line.earliest for line in self.lines if line.earliest is not None]
        latest = [line.latest for line in self.lines if line.latest is not None]
        return Totals(
            len(self.lines),
            sum(line.files for line in self.lines),
            sum(line.bytes for line in self.lines),
            min(earliest) if earliest else None,
            max(latest) if latest else None,
        )

    def totals_text(self) -> str:
        t = self.totals
        text = _("Total: {count} series, {volume}").format(
            count=t.lines, volume=volume_text(t.files, t.bytes)
        )
        extremes = date_range(t.earliest, t.latest)
        if extremes:
            text += " — " + _("extreme dates {dates}").format(dates=extremes)
        return text + "."


def line_headers() -> list[str]:
    return [_(header) for _key, header, _width in LINE_COLUMNS]


def annex_headers() -> list[str]:
    return [_(header) for _key, header, _width in ANNEX_COLUMNS]


def _parties(mission: MissionIdentity, producer: str) -> tuple[tuple[str, str], ...]:
    return (
        (_("Local authority"), mission.commune or mission.name),
        (_("Producing service"), producer or mission.producer),
        (_("Transferring service"), mission.transferring_agency),
        (_("Archives service"), mission.archival_agency),
    )


def _common_producer(series: Sequence[Series], default: str) -> str:
    own = {s.producer.strip() for s in series if s.producer.strip()}
    return own.pop() if len(own) == 1 else default


def _signer_prompts() -> tuple[str, ...]:
    return (_("Name and title:"), _("Date:"), _("Signature and stamp:"))


# -- transfer ------------------------------------------------------------------------------------
def transfer_slip(
    project: Project,
    series_codes: Sequence[str],
    *,
    reference: str = "",
    on: date | None = None,
    all_files: bool = False,
) -> Slip:
    """The bordereau de versement of these series on `on` (default today)."""
    if not series_codes:
        raise AppError(_("Name at least one series to transfer (--series CODE)."))
    conn = project.conn
    on = on or date.today()
    chosen: list[Series] = []
    for code in dict.fromkeys(series_codes):
        chosen.append(get_series(conn, code))
    ids = {s.id for s in chosen if s.id is not None}
    report = compute_states(conn, on, with_files=True, series_ids=ids)
    by_series: dict[int, list[int]] = {}
    for file_id, state in report.files.items():
        if state.series_id is not None and (all_files or state.state in DUE_STATES):
            by_series.setdefault(state.series_id, []).append(file_id)
    lines: list[SlipLine] = []
    empty: list[str] = []
    for s in chosen:
        assert s.id is not None
        files = by_series.get(s.id, [])
        if not files:
            empty.append(s.code)
            continue
        size, earliest, latest = _files_extent(conn, files)
        retention = effective_retention(conn, s)
        lines.append(
            SlipLine(
                s.code,
                s.title,
                s.description,
                earliest,
                latest,
                len(files),
                size,
                dua_text(retention),
                _(FINAL_ACTION_LABELS[retention.final_action]) if retention.final_action else "",
                retention.legal_basis,
                access_text(retention, latest),
            )
        )
    if empty:
        raise AppError(
            _(
                "Nothing to transfer on {date} in the series {codes}: no file has reached the end"
                " of its DUA with a final disposition of keep or sort. Use --all-files to"
                " transfer all their files."
            ).format(date=short_date(on), codes=", ".join(empty))
            if not all_files
            else _("The series {codes} hold no file.").format(codes=", ".join(empty))
        )
    mission = project.mission()
    reference = reference or f"VERS-{on:%Y%m%d}"
    scope = (
        _("all the files of the series")
        if all_files
        else _("files whose DUA is over ({states})").format(
            states=", ".join(_(STATE_LABELS[s]) for s in DUE_STATES)
        )
    )
    return Slip(
        kind=TRANSFER,
        title=_("Transfer slip"),
        subtitle=_("Electronic records"),
        reference=reference,
        issued=on,
        parties=_parties(mission, _common_producer(chosen, mission.producer)),
        references=(
            (_("Transfer number"), reference),
            (_("Date"), long_date(on)),
            (_("Content"), scope),
            (_("Archivist"), mission.archivist),
        ),
        lines=tuple(lines),
        signatures=(
            SignatureBox(_("The producing service"), _common_producer(chosen, mission.producer)),
            SignatureBox(_("The archivist"), mission.archivist),
            SignatureBox(_("Acceptance by the archives service"), mission.archival_agency),
        ),
        signature_prompts=_signer_prompts(),
        notes=(
            _(
                "Extreme dates are the files' last modification dates. The SEDA package lists"
                " every file with its SHA-512 fingerprint."
            ),
        ),
    )


def _files_extent(
    conn: sqlite3.Connection, file_ids: Sequence[int]
) -> tuple[int, date | None, date | None]:
    """Total size and extreme document dates of these files."""
    size = 0
    earliest: date | None = None
    latest: date | None = None
    for start in range(0, len(file_ids), 500):
        chunk = file_ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for file_size, mtime in conn.execute(
            f"SELECT coalesce(size, 0), mtime_ns FROM file WHERE id IN ({marks})", chunk
        ):
            size += int(file_size)
            found = document_date(mtime)
            if found is not None:
                earliest = found if earliest is None else min(earliest, found)
                latest = found if latest is None else max(latest, found)
    return size, earliest, latest


# -- elimination -----------------------------------------------------------------------------------
def elimination_slip(project: Project, reference: str) -> Slip:
    """The bordereau d'élimination of a proposal, with the list of its files as annex."""
    conn = project.conn
    proposal = get_proposal(conn, reference)
    mission = project.mission()
    series: list[Series] = []
    lines: list[SlipLine] = []
    for item in proposal.items:
        current = _series_or_none(conn, item.series_id)
        latest = iso_to_date(item.latest)
        access = ""
        if current is not None:
            series.append(current)
            access = access_text(effective_retention(conn, current), latest)
        lines.append(
            SlipLine(
                item.series_code,
                item.series_title,
                current.description if current is not None else "",
                iso_to_date(item.earliest),
                latest,
                item.files,
                item.bytes,
                item.dua,
                _(FINAL_ACTION_LABELS["destroy"]),
                item.legal_basis,
                access,
            )
        )
    status = _(STATUS_LABELS[proposal.status])
    if proposal.decision_note:
        status += f" ({proposal.decision_note})"
    created = iso_to_date(proposal.created_at) or date.today()
    as_of = iso_to_date(proposal.as_of)
    producer = _common_producer(series, mission.producer)
    return Slip(
        kind=ELIMINATION,
        title=_("Elimination slip"),
        subtitle=_("Electronic records"),
        reference=proposal.reference,
        issued=created,
        parties=_parties(mission, producer),
        references=(
            (_("Proposal reference"), proposal.reference),
            (_("Date"), long_date(created)),
            (_("DUA computed on"), long_date(as_of) if as_of else proposal.as_of),
            (_("Status"), status),
            (_("Archivist"), mission.archivist),
        ),
        lines=tuple(lines),
        signatures=(
            SignatureBox(_("The producing service"), producer),
            SignatureBox(_("The archivist"), mission.archivist),
            SignatureBox(_("Visa of the director of the Archives départementales"), ""),
        ),
        signature_prompts=_signer_prompts(),
        notes=(
            _(
                "Besace deletes nothing: the files listed in the annex are destroyed by the"
                " service once the visa is granted."
            ),
            _("Destruction carried out on: ____________  by: ____________  method: ____________"),
        ),
        annex=tuple(_proposal_annex(conn, proposal.id)),
        annex_title=_("Annex: files proposed for elimination"),
    )


def _series_or_none(conn: sqlite3.Connection, series_id: int | None) -> Series | None:
    if series_id is None:
        return None
    try:
        return get_series(conn, series_id)
    except AppError:
        return None


def _proposal_annex(conn: sqlite3.Connection, proposal_id: int) -> list[AnnexLine]:
    """Every file of the proposal with its full path, by series then path."""
    return [
        AnnexLine(str(code), str(path), int(size or 0))
        for code, path, size in conn.execute(
            "SELECT coalesce(s.code, ''), src.root || '/' || f.rel_path, f.size"
            " FROM elimination_file ef JOIN file f ON f.id = ef.file_id"
            " JOIN source src ON src.id = f.source_id"
            " LEFT JOIN file_class fc ON fc.file_id = f.id"
            " LEFT JOIN series s ON s.id = fc.series_id"
            " WHERE ef.proposal_id = ? ORDER BY 1, 2",
            (proposal_id,),
        )
    ]

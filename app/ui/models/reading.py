"""Read-only connections to the project for the Explore page, with its SQL functions.

The page never reads through `project.conn`: that connection belongs to the writers (a scan
may hold a transaction open on it). Each worker task opens its own reader, and the page keeps
one reader for the quick page reads it makes on the GUI thread. WAL mode lets all of them
read while a scan writes; they see committed data only.

SQL functions registered on every reader:
- `besace_family(puid, mime, extension)`: the format family key (app.inventory.formats);
- `besace_fold(text)`: lowercase, accents removed (search and sorting "à la française");
- `besace_name(rel_path)`: the folded last segment of a path (sorting by name).
"""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from app.inventory.formats import family_of
from app.tasks import Cancelled, CancelToken

# How many SQLite virtual-machine steps between two looks at the cancel token.
_CANCEL_CHECK_STEPS = 20_000


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


class _FoldTable(dict[int, str]):
    """`str.translate` table that folds each character on first sight, then remembers it."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        self[code] = folded
        return folded


_FOLD = _FoldTable({ord("œ"): "oe", ord("Œ"): "oe", ord("æ"): "ae", ord("Æ"): "ae"})


def fold(text: str | None) -> str:
    """'Délibération ÉTÉ' → 'deliberation ete': what search and name sorting compare."""
    if not text:
        return ""
    if text.isascii():
        return text.lower()
    return text.translate(_FOLD)


def _last_segment_folded(rel_path: str | None) -> str:
    if not rel_path:
        return ""
    return fold(rel_path.rsplit("/", 1)[-1])


def _family(puid: str | None, mime: str | None, extension: str | None) -> str:
    return family_of(puid, mime, extension)


def register_functions(conn: sqlite3.Connection) -> None:
    conn.create_function("besace_family", 3, _family, deterministic=True)
    conn.create_function("besace_fold", 1, fold, deterministic=True)
    conn.create_function("besace_name", 1, _last_segment_folded, deterministic=True)


def open_reader(path: Path) -> sqlite3.Connection:
    """A connection that can only read the project file at `path`."""
    try:
        conn = sqlite3.connect(
            f"{Path(path).resolve().as_uri()}?mode=ro",
            uri=True,
            isolation_level=None,
            check_same_thread=False,
            timeout=30.0,
        )
    except sqlite3.OperationalError:
        # Read-only opening needs the WAL side files; without them, an ordinary connection
        # kept read-only by the pragma below does the same.
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30.0)
    conn.execute("PRAGMA query_only = ON")
    conn.execute("PRAGMA cache_size = -32768")
    register_functions(conn)
    return conn


@contextmanager
def reading(path: Path, token: CancelToken | None = None) -> Iterator[sqlite3.Connection]:
    """A reader for one task: a cancelled token interrupts the running query (→ Cancelled)."""
    conn = open_reader(path)
    if token is not None:
        conn.set_progress_handler(lambda: 1 if token.cancelled else 0, _CANCEL_CHECK_STEPS)
    try:
        yield conn
    except sqlite3.OperationalError as exc:
        if token is not None and token.cancelled:
            raise Cancelled from exc
        raise
    finally:
        conn.close()
    if token is not None:
        token.raise_if_cancelled()


# Every present folder below (and including) a folder: `WITH RECURSIVE {SUBTREE}` then
# `... IN (SELECT id FROM subtree)`; one parameter, the top folder's id.
SUBTREE = (
    "subtree(id) AS (SELECT ? UNION ALL SELECT d.id FROM directory d"
    " JOIN subtree ON d.parent_id = subtree.id WHERE d.state = 'present')"
)


def folder_scope(conn: sqlite3.Connection, folder_id: int) -> tuple[str, tuple[int, ...]]:
    """(SQL condition on `f`, params) selecting the present files at or below a folder.

    A source's top folder is the whole source: the index on `file.source_id` answers it
    without walking the tree.
    """
    row = conn.execute(
        "SELECT source_id, parent_id FROM directory WHERE id = ?", (folder_id,)
    ).fetchone()
    if row is not None and row[1] is None:
        return "f.source_id = ?", (int(row[0]),)
    return (
        f"f.dir_id IN (WITH RECURSIVE {SUBTREE} SELECT id FROM subtree)",
        (folder_id,),
    )

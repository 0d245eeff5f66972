"""Series, assignments and classification rules on generated shares, and their undo."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from conftest import run_scan, write

from app.audit.classify import (
    ClassificationRule,
    Criteria,
    apply_rules_file,
    compute,
    read_rules_file,
    reclassify_after_scan,
    recompute,
    replace_rules,
)
from app.errors import AppError
from app.project import Project
from app.project.metadata import find_target
from app.project.series import (
    Series,
    add_series,
    assign,
    delete_series,
    get_series,
    list_series,
    unassign,
    update_series,
)
from app.project.undo import UndoStack


def ts(year: int, month: int = 6, day: int = 15) -> float:
    return datetime(year, month, day, 12).timestamp()


@pytest.fixture
def share(tmp_path: Path) -> Path:
    root = tmp_path / "partage"
    write(root / "Conseil" / "Délibérations" / "2019" / "delib-01.pdf", b"%PDF d1", ts(2019))
    write(root / "Conseil" / "Délibérations" / "2019" / "delib-02.odt", b"odt d2", ts(2019, 9))
    write(root / "Conseil" / "Délibérations" / "2020" / "delib-03.pdf", b"%PDF d3", ts(2020))
    write(root / "Conseil" / "Délibérations" / "2020" / "~$brouillon.docx", b"tmp", ts(2020))
    write(root / "Conseil" / "Arrêtés" / "arrete-2021-001.pdf", b"%PDF a1", ts(2021))
    write(root / "Finances" / "Factures" / "f-2015.pdf", b"%PDF f15" * 10, ts(2015))
    write(root / "Finances" / "Factures" / "f-2016.pdf", b"%PDF f16" * 10, ts(2016))
    write(root / "Finances" / "Budget" / "bp-2022.xlsx", b"PK budget", ts(2022))
    write(root / "Divers" / "photo.jpg", b"\xff\xd8\xff jpeg", ts(2018))
    return root


def classes(conn: sqlite3.Connection) -> dict[str, str]:
    """Path → series code or 'exclu:reason' for every classified file."""
    return {
        path: (code if code else f"exclu:{exclusion}")
        for path, code, exclusion in conn.execute(
            "SELECT f.rel_path, s.code, fc.exclusion FROM file_class fc"
            " JOIN file f ON f.id = fc.file_id LEFT JOIN series s ON s.id = fc.series_id"
        )
    }


def new_series(project: Project, code: str, title: str, **kw: object) -> int:
    s = add_series(project, Series(code=code, title=title, **kw))  # type: ignore[arg-type]
    assert s.id is not None
    return s.id


def test_a_folder_assignment_covers_its_whole_subtree(project: Project, share: Path) -> None:
    run_scan(project, share)
    delib = new_series(project, "1D", "Délibérations")
    assign(project, [find_target(project, "Conseil/Délibérations")], series_id=delib)
    result = recompute(project)
    got = classes(project.conn)
    assert {p for p, c in got.items() if c == "1D"} == {
        "Conseil/Délibérations/2019/delib-01.pdf",
        "Conseil/Délibérations/2019/delib-02.odt",
        "Conseil/Délibérations/2020/delib-03.pdf",
        "Conseil/Délibérations/2020/~$brouillon.docx",
    }
    assert result.unclassified.files == 5
    assert result.by_series[delib].bytes == sum(
        (share / p).stat().st_size for p, c in got.items() if c == "1D"
    )


def test_precedence_file_then_exclusion_rules_then_folder_then_series_rules(
    project: Project, share: Path
) -> None:
    run_scan(project, share)
    delib = new_series(project, "1D", "Délibérations")
    acts = new_series(project, "2D", "Arrêtés")
    fin = new_series(project, "1L", "Finances")
    assign(project, [find_target(project, "Conseil")], series_id=delib)
    # A file's own assignment beats its folder's.
    assign(project, [find_target(project, "Conseil/Arrêtés/arrete-2021-001.pdf")], series_id=acts)
    replace_rules(
        project,
        [
            ClassificationRule(Criteria(flags=["temporary"]), exclusion="temporary", name="tmp"),
            # A series rule never overrides a folder assigned by hand…
            ClassificationRule(Criteria(extensions=["pdf"]), series_id=fin, name="pdf"),
        ],
    )
    recompute(project)
    got = classes(project.conn)
    assert got["Conseil/Délibérations/2020/~$brouillon.docx"] == "exclu:temporary"
    assert got["Conseil/Arrêtés/arrete-2021-001.pdf"] == "2D"
    assert got["Conseil/Délibérations/2019/delib-01.pdf"] == "1D"
    # …but decides files nothing else claimed.
    assert got["Finances/Factures/f-2015.pdf"] == "1L"
    assert "Finances/Budget/bp-2022.xlsx" not in got  # still "à classer"
    assert "Divers/photo.jpg" not in got


def test_rules_apply_in_order_with_every_criterion(project: Project, share: Path) -> None:
    run_scan(project, share)
    a = new_series(project, "A", "Par chemin")
    b = new_series(project, "B", "Par date et taille")
    c = new_series(project, "C", "Par nom")
    replace_rules(
        project,
        [
            ClassificationRule(Criteria(path="finances/factures/*.pdf"), series_id=a, name="1"),
            ClassificationRule(
                Criteria(modified_from="2018-01-01", modified_to="2018-12-31", max_size=100),
                series_id=b,
                name="2",
            ),
            ClassificationRule(Criteria(name="delib-0[12].*"), series_id=c, name="3"),
            ClassificationRule(Criteria(path_regex=r"/2019/"), series_id=b, name="shadowed"),
        ],
    )
    result = recompute(project)
    got = classes(project.conn)
    assert got["Finances/Factures/f-2015.pdf"] == "A"  # glob is case-insensitive
    assert got["Divers/photo.jpg"] == "B"
    assert got["Conseil/Délibérations/2019/delib-01.pdf"] == "C"
    assert got["Conseil/Délibérations/2019/delib-02.odt"] == "C"
    shadowed = next(r for r in result.rules if r.rule.name == "shadowed")
    assert (shadowed.matched, shadowed.applied) == (2, 0)


def test_preview_changes_nothing_and_reports_what_would_move(project: Project, share: Path) -> None:
    run_scan(project, share)
    fin = new_series(project, "1L", "Finances")
    before = classes(project.conn)
    preview = compute(
        project.conn, [ClassificationRule(Criteria(path="Finances/**"), series_id=fin)]
    )
    assert len(preview.changed) == 3
    assert preview.by_series[fin].files == 3
    assert classes(project.conn) == before
    assert project.conn.execute("SELECT count(*) FROM classification_rule").fetchone()[0] == 0


def test_rules_are_re_applied_to_files_a_rescan_brings(project: Project, share: Path) -> None:
    run_scan(project, share)
    fin = new_series(project, "1L", "Finances")
    replace_rules(project, [ClassificationRule(Criteria(path="Finances/**"), series_id=fin)])
    recompute(project)
    write(share / "Finances" / "Factures" / "f-2017.pdf", b"%PDF new", ts(2017))
    (share / "Finances" / "Budget" / "bp-2022.xlsx").unlink()
    run_scan(project, share)
    result = reclassify_after_scan(project)
    assert result is not None
    got = classes(project.conn)
    assert got["Finances/Factures/f-2017.pdf"] == "1L"
    assert "Finances/Budget/bp-2022.xlsx" not in got
    assert result.by_series[fin].files == 3


def test_nothing_is_computed_after_a_scan_when_nothing_was_classified(
    project: Project, share: Path
) -> None:
    run_scan(project, share)
    assert reclassify_after_scan(project) is None


def test_rules_file_creates_series_and_loads_rules(project: Project, share: Path) -> None:
    run_scan(project, share)
    rules = share.parent / "regles.toml"
    rules.write_text(
        """
[[series]]
code = "1D"
title = "Délibérations"

[[series]]
code = "1D-1"
title = "Registres"
parent = "1D"

[[rule]]
name = "Temporaires"
exclude = "temporary"
flags = ["temporary"]

[[rule]]
name = "Délibérations"
series = "1D-1"
path = "**/Délibérations/**"
extensions = ["pdf", "odt"]
""",
        encoding="utf-8",
    )
    apply_rules_file(project, read_rules_file(rules))
    recompute(project)
    codes = [s.code for s in list_series(project.conn)]
    assert codes == ["1D", "1D-1"]
    assert get_series(project.conn, "1D-1").parent_id == get_series(project.conn, "1D").id
    got = classes(project.conn)
    assert sum(1 for c in got.values() if c == "1D-1") == 3
    assert got["Conseil/Délibérations/2020/~$brouillon.docx"] == "exclu:temporary"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[rule]]\nname = "x"\nseries = "1D"\nfoo = 1\n', "foo"),
        ('[[rule]]\nname = "x"\n', "series"),
        ('[[rule]]\nname = "x"\nexclude = "perso"\npath = "a"\n', "perso"),
        ('[[rule]]\nname = "x"\nseries = "1D"\npath_regex = "("\n', "x"),
        ('[[rule]]\nname = "x"\nseries = "1D"\nmodified_from = "2020-13-01"\n', "2020-13-01"),
        ('[[rule]]\nname = "x"\nseries = "1D"\nflags = ["bizarre"]\n', "bizarre"),
        ("[[rule]\n", "regles.toml"),
    ],
)
def test_bad_rules_files_are_refused_with_where(
    project: Project, tmp_path: Path, text: str, message: str
) -> None:
    rules = tmp_path / "regles.toml"
    rules.write_text(text, encoding="utf-8")
    with pytest.raises(AppError, match=message):
        read_rules_file(rules)


def test_a_rule_for_an_unknown_series_changes_nothing(project: Project, tmp_path: Path) -> None:
    rules = tmp_path / "regles.toml"
    rules.write_text('[[rule]]\nname = "x"\nseries = "ZZ"\npath = "a/**"\n', encoding="utf-8")
    with pytest.raises(AppError, match="ZZ"):
        apply_rules_file(project, read_rules_file(rules))
    assert project.conn.execute("SELECT count(*) FROM classification_rule").fetchone()[0] == 0


def test_series_checks(project: Project) -> None:
    new_series(project, "1D", "Délibérations")
    with pytest.raises(AppError, match="1D"):
        new_series(project, "1D", "Encore")
    with pytest.raises(AppError):
        new_series(project, "X", "Niveau", level="Dossier")
    parent = get_series(project.conn, "1D")
    child_id = new_series(project, "1D-1", "Sous-série", parent_id=parent.id)
    # No cycles.
    parent.parent_id = child_id
    with pytest.raises(AppError):
        update_series(project, parent)
    assert parent.id is not None
    with pytest.raises(AppError, match=r"sous-séries|sub-series"):
        delete_series(project, parent.id)


def test_deleting_a_series_sends_its_files_back_to_classify(project: Project, share: Path) -> None:
    run_scan(project, share)
    fin = new_series(project, "1L", "Finances")
    assign(project, [find_target(project, "Finances")], series_id=fin)
    recompute(project)
    delete_series(project, fin)
    recompute(project)
    assert classes(project.conn) == {}
    assert project.conn.execute("SELECT count(*) FROM assignment").fetchone()[0] == 0


def test_undo_and_redo_restore_series_assignments_and_rules(project: Project, share: Path) -> None:
    run_scan(project, share)
    stack = UndoStack(project, after_change=recompute)
    fin = new_series(project, "1L", "Finances")
    assign(project, [find_target(project, "Finances")], series_id=fin)
    recompute(project)
    assert len(classes(project.conn)) == 3
    assert stack.undo_label().startswith(("Affecter", "Assign"))

    stack.undo()  # the assignment
    assert classes(project.conn) == {}
    assert project.conn.execute("SELECT count(*) FROM series").fetchone()[0] == 1
    stack.undo()  # the series
    assert project.conn.execute("SELECT count(*) FROM series").fetchone()[0] == 0
    assert not stack.can_undo()

    stack.redo()
    stack.redo()
    assert len(classes(project.conn)) == 3
    assert get_series(project.conn, "1L").id == fin

    # Deleting a series with its assignment, then undoing, brings both back.
    delete_series(project, fin)
    recompute(project)
    assert classes(project.conn) == {}
    stack.undo()
    assert len(classes(project.conn)) == 3
    # A new edit clears what could be redone.
    unassign(project, [find_target(project, "Finances")])
    assert not stack.can_redo()


def test_recomputing_only_what_an_assignment_touched_gives_the_full_result(
    project: Project, share: Path
) -> None:
    run_scan(project, share)
    fin = new_series(project, "1L", "Finances")
    delib = new_series(project, "1D", "Délibérations")
    replace_rules(
        project,
        [
            ClassificationRule(Criteria(flags=["temporary"]), exclusion="temporary"),
            ClassificationRule(Criteria(extensions=["pdf"]), series_id=fin),
        ],
    )
    recompute(project)
    target = find_target(project, "Conseil/Délibérations")
    one_file = find_target(project, "Divers/photo.jpg")
    assign(project, [target, one_file], series_id=delib)
    partial = recompute(project, within=[target, one_file])
    assert partial.by_series[delib].files == 4  # the counts cover the scope only
    scoped = classes(project.conn)
    recompute(project)
    assert classes(project.conn) == scoped
    assert scoped["Conseil/Délibérations/2020/~$brouillon.docx"] == "exclu:temporary"
    assert scoped["Divers/photo.jpg"] == "1D"
    assert scoped["Finances/Factures/f-2015.pdf"] == "1L"

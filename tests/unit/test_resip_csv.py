"""Resip's metadata CSV: every structure it accepts, its encodings and quoting, its metadata
columns, and a round trip through our own export."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from conftest import run_scan, write

from app.i18n import set_language
from app.project import Project
from app.seda.imported import (
    ImportedUnit,
    load_tree,
    management_to_json,
    tree_with_absolute_paths,
)
from app.seda.metadata import to_json
from app.seda.resip_csv import (
    ResipCsvError,
    export_folder,
    export_imported,
    import_resip_csv,
    read_resip_csv,
    usage_versions,
    write_resip_csv,
)


@pytest.fixture(autouse=True)
def _english() -> None:
    set_language("en")


def share(root: Path) -> dict[str, Path]:
    """A small tree of files the CSVs refer to."""
    return {
        "deliberation": write(root / "Conseil/2019/délibération 45.pdf", b"%PDF-1.4 vente"),
        "annexe": write(root / "Conseil/2019/annexe.txt", "Annexe au registre"),
        "scan": write(root / "Conseil/__Dissemination_1__délibération 45.txt", "texte"),
        "photo": write(root / "Voirie/chantier.jpg", b"\xff\xd8\xff\xe0 photo"),
    }


def csv_file(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    return path


def shape(units: list[ImportedUnit]) -> list[Any]:
    """Titles and objects (usage, file name) of a tree, for comparison."""
    return [
        (u.title, [(o.usage_version, o.filename) for o in u.objects], shape(u.children))
        for u in units
    ]


def canon(units: list[ImportedUnit]) -> list[Any]:
    """Everything a round trip must keep: structure, levels, titles, metadata, rules, files."""
    return [
        (
            u.key,
            u.level,
            u.title,
            to_json(u.content),
            management_to_json(u.management) if u.management else None,
            [(o.kind, o.usage_version, o.sha512, o.size, o.filename) for o in u.objects],
            canon(u.children),
        )
        for u in units
    ]


def imported_count(project: Project) -> int:
    return int(project.conn.execute("SELECT COUNT(*) FROM imported_package").fetchone()[0])


# -- structures -----------------------------------------------------------------------------------
def test_file_only_structure_follows_the_folders(tmp_path: Path) -> None:
    share(tmp_path / "docs")
    path = csv_file(
        tmp_path / "docs/metadata.csv",
        "File;Content.DescriptionLevel;Content.Title\n"
        "Conseil;RecordGrp;Conseil municipal\n"
        "Conseil/2019;RecordGrp;Année 2019\n"
        "Conseil/2019/délibération 45.pdf;Item;Délibération 45\n"
        "Conseil/2019/annexe.txt;Item;Annexe\n"
        "Voirie/chantier.jpg;Item;Chantier\n",
    )
    tree = read_resip_csv(path)
    # Voirie has no row of its own: its file becomes a root, as in Resip.
    assert shape(tree.units) == [
        (
            "Conseil municipal",
            [],
            [
                (
                    "Année 2019",
                    [],
                    [
                        ("Délibération 45", [("BinaryMaster_1", "délibération 45.pdf")], []),
                        ("Annexe", [("BinaryMaster_1", "annexe.txt")], []),
                    ],
                )
            ],
        ),
        ("Chantier", [("BinaryMaster_1", "chantier.jpg")], []),
    ]
    pdf = tree.units[0].children[0].children[0].objects[0]
    assert pdf.sha512 == hashlib.sha512(b"%PDF-1.4 vente").digest()
    assert pdf.size == len(b"%PDF-1.4 vente")
    assert pdf.mime == "application/pdf"


def test_file_and_parent_file_structure(tmp_path: Path) -> None:
    share(tmp_path)
    path = csv_file(
        tmp_path / "plan.csv",
        "File;ParentFile;Content.Title\n"
        "Conseil;;Conseil\n"
        "Voirie/chantier.jpg;Conseil;Photo rangée sous le conseil\n",
    )
    tree = read_resip_csv(path)
    assert shape(tree.units) == [
        (
            "Conseil",
            [],
            [("Photo rangée sous le conseil", [("BinaryMaster_1", "chantier.jpg")], [])],
        )
    ]


def test_id_file_parent_file_structure_links_rows_by_file(tmp_path: Path) -> None:
    share(tmp_path)
    path = csv_file(
        tmp_path / "plan.csv",
        "ID;File;ParentFile;Content.Title\n"
        "A;Conseil;;Conseil\n"
        "B;Conseil/2019/annexe.txt;Conseil;Annexe\n",
    )
    tree = read_resip_csv(path)
    assert [u.key for u in tree.all_units()] == ["A", "B"]
    assert shape(tree.units) == [
        ("Conseil", [], [("Annexe", [("BinaryMaster_1", "annexe.txt")], [])])
    ]


def test_id_file_parent_id_structure_with_folder_rows_without_file(tmp_path: Path) -> None:
    share(tmp_path)
    path = csv_file(
        tmp_path / "plan.csv",
        "ID;ParentID;File;Content.DescriptionLevel;Content.Title\n"
        "S1;;;Series;Délibérations\n"
        "D1;S1;Conseil/2019/délibération 45.pdf;Item;Délibération 45\n",
    )
    tree = read_resip_csv(path)
    assert tree.units[0].level == "Series"
    assert tree.units[0].objects == []
    assert tree.units[0].children[0].objects[0].filename == "délibération 45.pdf"


def test_id_parent_id_object_files_structure_reads_usages_from_names(tmp_path: Path) -> None:
    share(tmp_path)
    path = csv_file(
        tmp_path / "plan.csv",
        "ID;ParentID;ObjectFiles;Content.Title\n"
        "S1;;;Conseil\n"
        'D1;S1;"Conseil/2019/délibération 45.pdf|Conseil/__Dissemination_1__délibération 45.txt"'
        ";Délibération\n",
    )
    tree = read_resip_csv(path)
    objects = tree.units[0].children[0].objects
    assert [(o.usage_version, o.filename) for o in objects] == [
        ("BinaryMaster_1", "délibération 45.pdf"),
        ("Dissemination_1", "délibération 45.txt"),
    ]


def test_extended_structure_takes_objects_from_object_files_only(tmp_path: Path) -> None:
    share(tmp_path)
    path = csv_file(
        tmp_path / "plan.csv",
        "Id;ParentId;File;ObjectFiles;Content.Title\n"
        "1;;Conseil;;Conseil\n"
        "2;1;informative/only.pdf;Conseil/2019/annexe.txt|Voirie/chantier.jpg;Deux fichiers\n",
    )
    tree = read_resip_csv(path)
    child = tree.units[0].children[0]
    assert [(o.usage_version, o.filename) for o in child.objects] == [
        ("BinaryMaster_1", "annexe.txt"),
        ("BinaryMaster_2", "chantier.jpg"),
    ]
    assert tree.units[0].objects == []


def test_usage_versions_follow_resip_names() -> None:
    assert usage_versions(
        ["a.pdf", "__BinaryMaster_1__b.pdf", "c.pdf", "__TextContent__d.txt"]
    ) == [
        ("BinaryMaster_2", "a.pdf"),
        ("BinaryMaster_1", "b.pdf"),
        ("BinaryMaster_3", "c.pdf"),
        ("TextContent_1", "d.txt"),
    ]


# -- encodings, quoting, paths --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("cp1252", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-8", b"")],
    ids=["windows-1252", "utf-8-bom", "utf-8"],
)
def test_encodings_are_detected(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    share(tmp_path)
    text = (
        "ID;ParentID;File;Content.Title;Content.Description\n"
        "1;;Conseil/2019/annexe.txt;Élection du maire;Vœux, août, « garanties » €\n"
    )
    path = tmp_path / "plan.csv"
    path.write_bytes(prefix + text.replace("\n", "\r\n").encode(encoding))
    unit = read_resip_csv(path).units[0]
    assert unit.key == "1"  # the BOM is not part of the first column name
    assert unit.title == "Élection du maire"
    assert unit.content[0].text == "Vœux, août, « garanties » €"


def test_quoted_cells_span_lines_and_escape_quotes(tmp_path: Path) -> None:
    share(tmp_path)
    path = csv_file(
        tmp_path / "plan.csv",
        "ID;ParentID;File;Content.Title;Content.Description\n"
        '1;;;"Titre; avec point-virgule";"Première ligne\n'
        'deuxième ligne avec ""guillemets"""\n'
        "2;1;;Suite;\n",
    )
    tree = read_resip_csv(path)
    assert tree.units[0].title == "Titre; avec point-virgule"
    assert tree.units[0].content[0].text == 'Première ligne\ndeuxième ligne avec "guillemets"'
    assert tree.units[0].children[0].title == "Suite"


def test_backslash_paths_are_read_on_every_system(tmp_path: Path) -> None:
    share(tmp_path / "docs")
    path = csv_file(
        tmp_path / "plan.csv",
        "File;ParentFile;Content.Title\n"
        "docs\\Conseil;;Conseil\n"
        "docs\\Conseil\\2019\\annexe.txt;docs\\Conseil;Annexe\n",
    )
    tree = read_resip_csv(path)
    assert tree.units[0].key == "docs/Conseil"
    assert tree.units[0].children[0].objects[0].filename == "annexe.txt"


def test_unprefixed_metadata_columns_are_content(tmp_path: Path) -> None:
    share(tmp_path)
    path = csv_file(
        tmp_path / "plan.csv",
        "ID;ParentID;File;DescriptionLevel;Title;Writer.FullName\n"
        "1;;Conseil/2019/annexe.txt;Item;Annexe;Jeanne Martin\n",
    )
    unit = read_resip_csv(path).units[0]
    assert unit.level == "Item"
    assert to_json(unit.content) == [
        {"name": "Writer", "children": [{"name": "FullName", "text": "Jeanne Martin"}]}
    ]


# -- metadata -------------------------------------------------------------------------------------
RICH_HEADER = (
    "ID;ParentID;File;Content.DescriptionLevel;Content.Title.0;Content.Title.1;attr;"
    "Content.Description.attr;Content.Description;Content.Writer.0.FullName;"
    "Content.Writer.1.FullName;Content.Writer.1.Identifier;Content.Keyword.0.KeywordContent;"
    "Content.StartDate;Management.AppraisalRule.Rule;Management.AppraisalRule.StartDate;"
    "Management.AppraisalRule.FinalAction;Management.AccessRule.Rule.0;"
    "Management.AccessRule.StartDate.0;Management.AccessRule.Rule.1;"
    "Management.AccessRule.PreventInheritance;Management.HoldRule.Rule.0;"
    "Management.HoldRule.HoldReason.0;Management.ClassificationRule.Rule;"
    "Management.ClassificationRule.ClassificationLevel;"
    "Management.ClassificationRule.ClassificationOwner;Management.NeedAuthorization\n"
)


def rich_csv(root: Path) -> Path:
    share(root)
    return csv_file(
        root / "rich.csv",
        RICH_HEADER + 'S;;;Series;Délibérations;Deliberations;xml:lang="en";xml:lang="fr";'
        "Registre des délibérations;Jeanne Martin;Paul Durand;PD-1;urbanisme;2019-01-01;"
        "APP-00001;2019-12-31;Destroy;ACC-00001;2020-01-01;ACC-00002;true;HOL-1;Contentieux;"
        "CLA-1;Diffusion restreinte;Mairie;false\n"
        + ";".join(["D", "S", "Conseil/2019/délibération 45.pdf", "Item", "Délibération 45"])
        + ";" * (RICH_HEADER.count(";") - 4)
        + "\n",
    )


def test_ranks_attributes_and_rules_become_elements(tmp_path: Path) -> None:
    unit = read_resip_csv(rich_csv(tmp_path)).units[0]
    assert unit.level == "Series"
    assert unit.title == "Délibérations"
    assert to_json(unit.content) == [
        {"name": "Title", "text": "Deliberations", "attrs": {"xml:lang": "en"}},
        {"name": "Description", "text": "Registre des délibérations", "attrs": {"xml:lang": "fr"}},
        {"name": "Writer", "children": [{"name": "FullName", "text": "Jeanne Martin"}]},
        {
            "name": "Writer",
            "children": [
                {"name": "FullName", "text": "Paul Durand"},
                {"name": "Identifier", "text": "PD-1"},
            ],
        },
        {"name": "Keyword", "children": [{"name": "KeywordContent", "text": "urbanisme"}]},
        {"name": "StartDate", "text": "2019-01-01"},
    ]
    assert unit.management is not None
    rules = management_to_json(unit.management)
    assert rules["categories"]["AppraisalRule"] == {
        "rules": [{"rule": "APP-00001", "start_date": "2019-12-31"}],
        "prevent_inheritance": False,
        "ref_non_rule_ids": [],
        "final_action": "Destroy",
        "fields": {},
    }
    access = rules["categories"]["AccessRule"]
    assert access["rules"] == [
        {"rule": "ACC-00001", "start_date": "2020-01-01"},
        {"rule": "ACC-00002"},
    ]
    assert access["prevent_inheritance"] is True
    assert rules["categories"]["HoldRule"]["rules"] == [
        {"rule": "HOL-1", "fields": {"HoldReason": "Contentieux"}}
    ]
    assert rules["categories"]["ClassificationRule"]["fields"] == {
        "ClassificationLevel": "Diffusion restreinte",
        "ClassificationOwner": "Mairie",
    }
    assert rules["need_authorization"] is False
    # A row with nothing in the metadata columns gets no management, not an empty one.
    assert unit.children[0].management is None


# -- broken files ---------------------------------------------------------------------------------
BROKEN = [
    (
        "ID;ParentID;File;Content.Title\n1;;;Un\n2;9;;Deux\n",
        ["line 3", "the parent 9 is not in the file"],
    ),
    ("ID;ParentID;File;Content.Title\n1;;;Un\n1;;;Encore\n", ["line 3", "already given at line 2"]),
    (
        "ID;ParentID;File;Content.Title\n1;;absent.pdf;Un\n",
        ["line 2, column 3 (File)", "absent.pdf does not exist"],
    ),
    (
        "ID;ParentID;ObjectFiles;Content.Title\n1;;Conseil|absent.pdf;Un\n",
        ["line 2, column 3 (ObjectFiles)", "is not a file"],
    ),
    (
        "ID;ParentID;File;Content.Writer.-1.FullName\n1;;;X\n",
        ["line 1, column 4 (Content.Writer.-1.FullName)", "-1 is not a rank"],
    ),
    (
        "ID;ParentID;File;Content.Writer.0.1.FullName\n1;;;X\n",
        ["line 1, column 4 (Content.Writer.0.1.FullName)", "the rank 1 follows no element name"],
    ),
    ("ID;ParentID;File;Content.Title\n1;;;Un;trop\n2;;;Deux\n", ["line 2", "5 cells", "has 4"]),
    (
        "ID;ParentID;File;Content.Description Level\n1;;;Item\n",
        ["line 1, column 4", "forbidden character"],
    ),
    ("ID;ParentID;File;Content.Titel\n1;;;Un\n", ["line 1, column 4 (Content.Titel)", "Titel"]),
    (
        "ID;ParentID;File;Content.Writer;Content.Writer.FullName\n1;;;X;Y\n",
        ["line 2, column 4 (Content.Writer)", "both a value and sub-elements"],
    ),
    (
        "ID;ParentID;File;Management.AppraisalRule.Rule;Management.AppraisalRule.FinalAction\n"
        "1;;;APP-1;Garder\n",
        ["line 2, column 5", "Keep, Destroy"],
    ),
    (
        "ID;ParentID;File;Management.AccessRule.Rule;Management.AccessRule.StartDate\n"
        "1;;;ACC-1;31/12/2019\n",
        ["line 2, column 5", "is not a date"],
    ),
    (
        "ID;ParentID;File;Management.AccessRule.Rule.0;Management.AccessRule.StartDate.1\n"
        "1;;;ACC-1;2019-12-31\n",
        ["line 2, column 5", "StartDate of rank 1 has no Rule"],
    ),
    (
        "ID;ParentID;File;Content.Title\nA;B;;Un\nB;A;;Deux\n",
        ["lines 2, 3", "each other's parents"],
    ),
    (
        "ID;ParentID;File;Content.DescriptionLevel\n1;;;Dossier\n",
        [
            "line 2, column 4 (Content.DescriptionLevel)",
            "'Dossier' is not a SEDA description level",
        ],
    ),
    ('ID;ParentID;File;Content.Title\n1;;;"Non fermé\n', ["badly quoted"]),
    ("Path;Content.Title\nx;Un\n", ["line 1", "File | File;ParentFile"]),
    ("ID;ParentID;File;Content.Title;attr\n1;;;Un;lang=fr\n", ["line 2, column 5 (attr)"]),
]


@pytest.mark.parametrize(("text", "expected"), BROKEN)
def test_broken_files_name_line_and_column_and_import_nothing(
    tmp_path: Path, project: Project, text: str, expected: list[str]
) -> None:
    share(tmp_path)
    path = csv_file(tmp_path / "broken.csv", text)
    with pytest.raises(ResipCsvError) as caught:
        import_resip_csv(project, path)
    message = str(caught.value)
    for part in expected:
        assert part in message, message
    assert "nothing was imported" in message
    assert imported_count(project) == 0


def test_files_are_read_not_modified(tmp_path: Path, project: Project) -> None:
    path = rich_csv(tmp_path / "docs")
    files = [p for p in (tmp_path / "docs").rglob("*") if p.is_file()]
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files}
    import_resip_csv(project, path)
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files} == before


# -- round trips ----------------------------------------------------------------------------------
def test_our_export_imports_back_unchanged(tmp_path: Path, project: Project) -> None:
    first_id, _tree = import_resip_csv(project, rich_csv(tmp_path))
    exported = export_imported(project, first_id, tmp_path / "out/export.csv")
    assert exported.encoding == "windows-1252"
    assert exported.rows == 2
    assert exported.warnings == []
    header = (tmp_path / "out/export.csv").read_bytes().split(b"\r\n", 1)[0].decode("cp1252")
    assert header.startswith("Id;ParentId;File;ObjectFiles;Content.DescriptionLevel;Content.Title")
    assert "Content.Writer.0.FullName" in header
    assert "Content.Keyword.KeywordContent" in header  # rank 0 left out: never repeated
    assert "Management.AccessRule.Rule.1" in header
    second_id, _tree = import_resip_csv(project, tmp_path / "out/export.csv")
    first = tree_with_absolute_paths(project, first_id)
    second = tree_with_absolute_paths(project, second_id)
    assert canon(second) == canon(first)
    again = export_imported(project, second_id, tmp_path / "out/again.csv")
    assert again.path.read_bytes() == exported.path.read_bytes()


def test_export_falls_back_to_utf8_when_windows_1252_cannot_say_it(
    tmp_path: Path, project: Project
) -> None:
    share(tmp_path)
    path = csv_file(tmp_path / "emoji.csv", "ID;ParentID;File;Content.Title\n1;;;Fête 🎉\n")
    package_id, _tree = import_resip_csv(project, path)
    written = export_imported(project, package_id, tmp_path / "auto.csv")
    assert written.encoding == "utf-8"
    assert "🎉" in written.warnings[0]
    assert "Fête 🎉" in (tmp_path / "auto.csv").read_text("utf-8")
    with pytest.raises(Exception, match="--encoding utf-8"):
        export_imported(project, package_id, tmp_path / "forced.csv", encoding="windows-1252")
    assert not (tmp_path / "forced.csv").exists()


def test_folder_export_carries_the_archivists_metadata_and_reads_back(
    tmp_path: Path, project: Project
) -> None:
    from app.project.metadata import find_target, set_metadata

    files = share(tmp_path / "partage")
    run_scan(project, tmp_path / "partage")
    set_metadata(
        project,
        find_target(project, "Conseil"),
        [
            {"name": "Title", "text": "Conseil municipal"},
            {"name": "Description", "text": "Registre"},
        ],
    )
    written = export_folder(project, "Conseil", tmp_path / "export/conseil.csv")
    assert written.rows == 5  # Conseil, 2019, two files in 2019, one beside it
    assert written.objects == 3
    package_id, tree = import_resip_csv(project, written.path)
    root = tree.units[0]
    assert root.title == "Conseil municipal"
    assert {"name": "Description", "text": "Registre"} in to_json(root.content)
    assert {"name": "Language", "text": "fra"} in to_json(root.content)
    by_name = {o.filename: o for u in tree.all_units() for o in u.objects}
    pdf = by_name["délibération 45.pdf"]
    assert pdf.sha512 == hashlib.sha512(b"%PDF-1.4 vente").digest()
    assert Path(pdf.path) == files["deliberation"]  # the CSV points at the share itself
    # The scan identified the file: its format comes along, found by the same digest.
    scanned = project.conn.execute(
        "SELECT puid FROM file WHERE rel_path LIKE '%délibération 45.pdf'"
    ).fetchone()[0]
    assert pdf.puid == scanned
    assert by_name["délibération 45.txt"].usage_version == "Dissemination_1"
    stored = load_tree(project, package_id)
    assert canon(stored.units) == canon(tree.units)


def test_write_keeps_unit_ids_unique(tmp_path: Path) -> None:
    units = [ImportedUnit("X", "RecordGrp", "Un"), ImportedUnit("X", "RecordGrp", "Deux")]
    written = write_resip_csv(units, tmp_path / "ids.csv")
    rows = written.path.read_text("cp1252").splitlines()
    assert [row.split(";")[0] for row in rows[1:]] == ['"X"', '"X-2"']

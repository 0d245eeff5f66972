"""Format families and preservation risks: what the Explore page and the reports show."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from app.demo.documents import LARGE_FORMATS, SAMPLE_FORMATS
from app.i18n import set_language
from app.inventory.formats import (
    FAMILIES,
    FAMILY_KEYS,
    UNKNOWN,
    FormatTableError,
    RiskLevel,
    family_label,
    family_of,
    load_format_table,
    parse_format_table,
    risk_of,
)

# The family an archivist expects for every format the demo share writes for real.
DEMO_FAMILIES = {
    "pdf": "pdf",
    "pdf17": "pdf",
    "scan-pdf": "pdf",
    "docx": "word_processing",
    "odt": "word_processing",
    "rtf": "word_processing",
    "xlsx": "spreadsheet",
    "ods": "spreadsheet",
    "pptx": "presentation",
    "odp": "presentation",
    "png": "image",
    "jpeg": "image",
    "jpeg-exif": "image",
    "photo": "image",
    "gif": "image",
    "tiff": "image",
    "scan-tiff": "image",
    "bmp": "image",
    "webp": "image",
    "ico": "image",
    "jp2": "image",
    "svg": "image",
    "eps": "image",
    "zip": "archive",
    "photo-zip": "archive",
    "gzip": "archive",
    "tar": "archive",
    "bzip2": "archive",
    "xz": "archive",
    "txt": "text",
    "md": "text",
    "csv": "data",
    "xml": "data",
    "json": "data",
    "ics": "data",
    "vcf": "data",
    "sqlite": "data",
    "html": "web",
    "eml": "email",
    "mbox": "email",
    "wav": "audio",
    "recording": "audio",
}


@pytest.fixture(autouse=True)
def _english() -> None:
    set_language("en")


def test_every_demo_format_has_the_family_an_archivist_expects() -> None:
    formats = [(f.key, f.expected_puid, f.extension) for f in SAMPLE_FORMATS]
    formats += [(f.key, f.expected_puid, f.extension) for f in LARGE_FORMATS]
    assert {key for key, _, _ in formats} == set(DEMO_FAMILIES)
    for key, puid, extension in formats:
        # By PUID alone, as the scan records it, and with a misleading extension.
        assert family_of(puid, "", "") == DEMO_FAMILIES[key], key
        assert family_of(puid, "", "exe") == DEMO_FAMILIES[key], key
        # Without a PUID the extension still tells.
        assert family_of("", "", extension) == DEMO_FAMILIES[key], key


def test_unidentified_files_fall_back_to_mime_then_extension() -> None:
    # A PUID newer than the table: the MIME type decides, parameters and case ignored.
    assert family_of("fmt/99999", "Image/HEIC; q=1", "heic") == "image"
    assert family_of("fmt/99999", "text/csv; charset=utf-8", "") == "data"
    # An exact MIME type wins over a prefix: a DWG is CAD, not a picture.
    assert family_of(None, "image/vnd.dwg", "") == "gis_cad"
    assert family_of(None, None, ".DOCX") == "word_processing"
    assert family_of(None, None, "wpd") == "word_processing"
    assert family_of(None, None, "odg") == "image"
    assert family_of(None, None, "") == UNKNOWN
    assert family_of("", "application/x-nothing", "nothing") == UNKNOWN


def test_families_are_ordered_with_distinct_keys_labels_and_colours() -> None:
    assert FAMILY_KEYS[0] == "text"
    assert FAMILY_KEYS[-1] == UNKNOWN
    for expected in (
        "word_processing",
        "spreadsheet",
        "presentation",
        "pdf",
        "image",
        "audio",
        "video",
        "email",
        "web",
        "archive",
        "data",
        "gis_cad",
        "executable",
    ):
        assert expected in FAMILY_KEYS
    assert len(set(FAMILY_KEYS)) == len(FAMILIES)
    assert len({f.color for f in FAMILIES}) == len(FAMILIES)
    assert len({family_label(k) for k in FAMILY_KEYS}) == len(FAMILIES)
    assert family_label("spreadsheet") == "Spreadsheet"
    assert family_label("no-such-family") == "no-such-family"


def test_shipped_table_only_holds_well_formed_puids() -> None:
    table = load_format_table()
    pattern = re.compile(r"^(x-)?fmt/\d+$")
    assert len(table.by_puid) > 1500
    bad = [p for p in [*table.by_puid, *table.risk_by_puid] if not pattern.match(p)]
    assert bad == []


@pytest.mark.parametrize(
    ("puid", "extension", "level", "words"),
    [
        ("x-fmt/44", "wpd", RiskLevel.OBSOLETE, "WordPerfect"),  # WordPerfect 6
        ("fmt/233", "wps", RiskLevel.OBSOLETE, "Works"),  # Works word processor 3-4
        ("x-fmt/114", "wk1", RiskLevel.OBSOLETE, "Lotus"),  # Lotus 1-2-3 2.0
        ("fmt/39", "doc", RiskLevel.OBSOLETE, "before 97"),  # Word 6.0/95
        ("fmt/40", "doc", RiskLevel.RISKY, "97-2003"),  # Word 97-2003
        ("fmt/61", "xls", RiskLevel.RISKY, "97-2003"),  # Excel 97
        ("fmt/754", "doc", RiskLevel.RISKY, "password"),  # Word, password protected
        ("fmt/494", "docx", RiskLevel.RISKY, "password"),  # Office encrypted document
        ("x-fmt/411", "exe", RiskLevel.RISKY, "Program"),  # Windows executable
        ("x-fmt/263", "zip", RiskLevel.WATCH, "unpack"),  # ZIP
        ("fmt/523", "docm", RiskLevel.WATCH, "macros"),
        ("fmt/412", "docx", RiskLevel.OK, "No known"),
        ("fmt/95", "pdf", RiskLevel.OK, "No known"),  # PDF/A-1a
        ("", "docx", RiskLevel.RISKY, "not identified"),
        (None, None, RiskLevel.RISKY, "not identified"),
        ("", "wpd", RiskLevel.OBSOLETE, "WordPerfect"),  # unidentified, but the name says
        ("", "exe", RiskLevel.RISKY, "not identified"),
    ],
)
def test_risk_says_how_bad_and_why(
    puid: str | None, extension: str | None, level: RiskLevel, words: str
) -> None:
    risk = risk_of(puid, extension)
    assert risk.level is level
    assert words.lower() in risk.text.lower()


def test_risk_levels_are_ordered_and_labelled() -> None:
    ranks = [level.rank for level in RiskLevel]
    assert ranks == sorted(ranks)
    assert RiskLevel.OBSOLETE.rank > RiskLevel.RISKY.rank > RiskLevel.WATCH.rank
    set_language("fr")
    assert RiskLevel.OBSOLETE.label  # translated or not, never empty


SMALL = """
[[family]]
key = "text"
label = "Text"
color = "#a0cbe8"
mimes = ["text/*"]
extensions = ["txt"]
puids = ["x-fmt/111"]

[[family]]
key = "unknown"
label = "Unknown"
color = "#d9d9d9"

[[risk]]
level = "watch"
reason = "Because."
puids = ["x-fmt/111"]
"""


def test_a_cdg_can_adapt_the_table(tmp_path: Path) -> None:
    path = tmp_path / "families.toml"
    path.write_text(SMALL, encoding="utf-8")
    table = load_format_table(path)
    assert [f.key for f in table.families] == ["text", "unknown"]
    assert table.family_of("x-fmt/111", "", "") == "text"
    assert table.family_of("", "text/x-anything", "") == "text"
    assert table.family_of("fmt/412", "", "docx") == UNKNOWN
    assert table.risk_of("x-fmt/111", "txt").level is RiskLevel.WATCH
    assert table.risk_of("fmt/412", "docx").level is RiskLevel.OK


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda t: t.replace(
                'puids = ["x-fmt/111"]\n\n[[family]]',
                'puids = ["x-fmt/111"]\n'
                '\n[[family]]\nkey = "other"\nlabel = "Other"\ncolor = "#000000"\n'
                'puids = ["x-fmt/111"]\n\n[[family]]',
                1,
            ),
            "already given to 'text'",
        ),
        (lambda t: t.replace('level = "watch"', 'level = "dangerous"'), "dangerous"),
        (lambda t: t.replace('key = "unknown"', 'key = "misc"'), "'unknown' is required"),
        (lambda t: t.replace("#a0cbe8", "blue"), "color"),
        (lambda t: t.replace('key = "unknown"', 'key = "text"'), "used twice"),
        (lambda t: t.replace('label = "Text"\n', ""), "'label'"),
        (lambda t: t.replace('extensions = ["txt"]', 'extensions = "txt"'), "'extensions'"),
        (lambda t: t.replace("[[risk]]", "[[risk]"), "syntax"),
        (
            lambda t: t + '\n[[risk]]\nlevel = "ok"\nreason = "x"\npuids = ["x-fmt/111"]\n',
            "already has a risk",
        ),
    ],
)
def test_a_broken_table_is_refused_with_its_place(
    change: Callable[[str], str], message: str
) -> None:
    with pytest.raises(FormatTableError) as caught:
        parse_format_table(change(SMALL), "families.toml")
    text = str(caught.value)
    assert text.startswith("families.toml: ")
    assert message in text


def test_a_missing_table_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FormatTableError, match="cannot be read"):
        load_format_table(tmp_path / "nowhere.toml")

"""The demo material: real files of many formats, and a commune share with its mess."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import os
import random
from collections import defaultdict
from pathlib import Path
from typing import Any

import pygfried
import pytest

from app.demo.documents import (
    LARGE_FORMATS,
    SAMPLE_FORMATS,
    LargeFormat,
    SampleFormat,
    make_content,
    write_sample,
)
from app.demo.share import (
    FIRST_YEAR,
    LAST_YEAR,
    ROOT_NAME,
    DemoSummary,
    generate_demo_share,
    minimum_files,
)
from app.errors import AppError
from app.tasks import Cancelled, CancelToken, Progress

SEED = 7


def _sha512(path: Path) -> str:
    return hashlib.sha512(path.read_bytes()).hexdigest()


def _files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


# --------------------------------------------------------------------------------------
# Sample formats
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("samples")
    return {
        sample.key: write_sample(sample, folder, random.Random(SEED), stem=sample.key)
        for sample in SAMPLE_FORMATS
    }


@pytest.fixture(scope="module")
def siegfried(samples: dict[str, Path]) -> dict[str, dict[str, Any]]:
    """siegfried's first match for every sample, identified in one call."""
    keys = list(samples)
    result = pygfried.Scanner().identify_many([str(samples[key]) for key in keys])
    return {
        key: dict(found["matches"][0]) for key, found in zip(keys, result["files"], strict=True)
    }


def test_at_least_24_formats_with_distinct_extensions() -> None:
    assert len(SAMPLE_FORMATS) >= 24
    assert len({sample.key for sample in SAMPLE_FORMATS}) == len(SAMPLE_FORMATS)
    assert all(sample.extension.startswith(".") for sample in SAMPLE_FORMATS)


@pytest.mark.parametrize("sample", SAMPLE_FORMATS, ids=lambda sample: sample.key)
def test_siegfried_identifies_each_sample(
    sample: SampleFormat, siegfried: dict[str, dict[str, Any]]
) -> None:
    match = siegfried[sample.key]
    assert match["id"] == sample.expected_puid, match
    if sample.basis in ("signature", "container"):
        # A real signature or container match, not a guess from the extension.
        assert "byte match" in match["basis"] or "container" in match["basis"], match
        assert match["warning"] == "", match
    elif sample.basis == "text":
        assert "text match" in match["basis"], match


@pytest.mark.parametrize("sample", SAMPLE_FORMATS, ids=lambda sample: sample.key)
def test_writers_are_deterministic(sample: SampleFormat, tmp_path: Path) -> None:
    for name in "abc":
        (tmp_path / name).mkdir()
    # Same name in three folders: a gzip file records the name of what it holds.
    first, second, other = (
        write_sample(sample, folder, random.Random(seed))
        for folder, seed in ((tmp_path / "a", SEED), (tmp_path / "b", SEED), (tmp_path / "c", 0))
    )
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()


def test_fido_agrees_where_expected(samples: dict[str, Path]) -> None:
    from fido import fido as fido_module
    from fido.versions import get_local_versions

    versions = get_local_versions(fido_module.CONFIG_DIR)
    defaults = fido_module.defaults
    defaults["xml_pronomSignature"] = versions.pronom_signature
    defaults["containersignature_file"] = versions.pronom_container_signature
    defaults["xml_fidoExtensionSignature"] = versions.fido_extension_signature
    defaults["format_files"] = [versions.pronom_signature, versions.fido_extension_signature]
    found: list[str] = []

    def record(_name: str, matches: list[Any], _delta: float, _kind: str = "") -> None:
        found.extend(fido.get_puid(match[0]) for match in matches)

    fido = fido_module.Fido(quiet=True, handle_matches=record)
    checked = [sample for sample in SAMPLE_FORMATS if sample.expected_fido_puid]
    assert len(checked) >= 20
    for sample in checked:
        found.clear()
        with contextlib.redirect_stderr(io.StringIO()):
            fido.identify_file(str(samples[sample.key]))
        assert found == [sample.expected_fido_puid], sample.key


@pytest.mark.parametrize("large", LARGE_FORMATS, ids=lambda large: large.key)
def test_large_writers_reach_their_size_and_format(large: LargeFormat, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    path = tmp_path / f"large{large.extension}"
    large.write(path, make_content(rng, "Registre", 2012), rng, 400_000)
    size = path.stat().st_size
    assert 200_000 <= size <= 4_000_000
    match = pygfried.identify(str(path), detailed=True)["files"][0]["matches"][0]
    assert match["id"] == large.expected_puid, match


# --------------------------------------------------------------------------------------
# The demo share
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoSummary, list[Progress]]:
    reports: list[Progress] = []
    dest = tmp_path_factory.mktemp("demo") / "partage"
    summary = generate_demo_share(dest, files=200, seed=SEED, workers=1, progress=reports.append)
    return summary, reports


def test_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "déjà là.txt").write_text("x")
    with pytest.raises(AppError) as refused:
        generate_demo_share(tmp_path, files=10)
    assert str(tmp_path) in refused.value.message  # whatever the language
    assert [path.name for path in tmp_path.iterdir()] == ["déjà là.txt"]


def test_refuses_a_file(tmp_path: Path) -> None:
    target = tmp_path / "fichier"
    target.write_text("x")
    with pytest.raises(AppError):
        generate_demo_share(target, files=10)


def test_stops_when_cancelled(tmp_path: Path) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        generate_demo_share(tmp_path / "demo", files=10, token=token)


def test_summary_matches_the_disk(demo: tuple[DemoSummary, list[Progress]]) -> None:
    summary, reports = demo
    files = _files(summary.root)
    assert summary.root.name == ROOT_NAME
    assert summary.files == len(files)
    assert summary.total_bytes == sum(path.stat().st_size for path in files)
    assert 190 <= summary.files <= 240  # about the 200 asked
    assert reports[-1].done == reports[-1].total == summary.files


def test_has_every_sample_format(demo: tuple[DemoSummary, list[Progress]]) -> None:
    summary, _ = demo
    assert {sample.key for sample in SAMPLE_FORMATS} <= set(summary.formats)
    extensions = {path.suffix.lower() for path in _files(summary.root)}
    assert {sample.extension for sample in SAMPLE_FORMATS} <= extensions


def test_has_duplicate_groups(demo: tuple[DemoSummary, list[Progress]]) -> None:
    summary, _ = demo
    by_hash: dict[str, list[Path]] = defaultdict(list)
    for path in _files(summary.root):
        if path.stat().st_size:  # empty files are alike, not duplicates
            by_hash[_sha512(path)].append(path)
    groups = [paths for paths in by_hash.values() if len(paths) > 1]
    assert len(groups) >= 3
    assert max(len(paths) for paths in groups) >= 3
    assert len(groups) == summary.duplicate_groups
    assert sum(len(paths) - 1 for paths in groups) == summary.duplicate_files
    # Copies live in other folders, or as "Copie de ..." next to the original.
    assert any(len({path.parent for path in paths}) > 1 for paths in groups)
    assert any(path.name.startswith("Copie de ") for paths in groups for path in paths)


def test_has_temporary_and_system_files(demo: tuple[DemoSummary, list[Progress]]) -> None:
    summary, _ = demo
    names = {path.name for path in _files(summary.root)}
    expected = {
        "~$Compte rendu CM.docx",
        "Thumbs.db",
        "desktop.ini",
        ".DS_Store",
        "~WRL0003.tmp",
        ".~lock.budget.ods#",
    }
    assert expected <= names
    assert summary.temp_files >= len(expected)


def test_has_long_paths(demo: tuple[DemoSummary, list[Progress]]) -> None:
    summary, _ = demo
    dest = summary.root.parent
    long = [path for path in _files(summary.root) if len(str(path.relative_to(dest))) > 260]
    assert long
    assert summary.long_paths >= len(long)


def test_has_awkward_names(demo: tuple[DemoSummary, list[Progress]]) -> None:
    summary, _ = demo
    names = [path.name for path in summary.root.rglob("*")]
    text = "\n".join(names)
    for awkward in ("é", "è", "à", "ç", "œ", "«", "»", "’", "'", "  ", "#", "&", "%", "("):
        assert awkward in text, awkward
    assert any(ord(char) > 0xFFFF for char in text)  # an emoji
    assert any(name.startswith(" ") for name in names)
    if os.name != "nt":
        assert any(name.endswith(" ") for name in names)
    assert max(len(name) for name in names) >= 180


def test_has_empty_files_and_folders(demo: tuple[DemoSummary, list[Progress]]) -> None:
    summary, _ = demo
    empty_files = [path for path in _files(summary.root) if path.stat().st_size == 0]
    empty_folders = [
        path for path in summary.root.rglob("*") if path.is_dir() and not any(path.iterdir())
    ]
    assert empty_files
    assert empty_folders
    assert summary.empty_files == len(empty_files)
    assert summary.empty_folders == len(empty_folders)


def test_has_a_lying_extension_and_no_extension(
    demo: tuple[DemoSummary, list[Progress]],
) -> None:
    summary, _ = demo
    files = _files(summary.root)
    lying = [p for p in files if p.suffix == ".pdf" and p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"]
    assert lying
    assert [p for p in files if not p.suffix and p.stat().st_size > 0]


def test_dates_spread_over_years_and_match_folders(
    demo: tuple[DemoSummary, list[Progress]],
) -> None:
    summary, _ = demo
    files = _files(summary.root)
    years = {_year(path) for path in files}
    assert len(years) >= 10
    assert min(years) >= FIRST_YEAR
    assert max(years) <= LAST_YEAR
    assert (summary.first_year, summary.last_year) == (min(years), max(years))
    for path in files:
        if path.parent.name.isdigit() and len(path.parent.name) == 4:
            assert _year(path) == int(path.parent.name), path
    # A folder is dated by its newest item, as a real file server does.
    newest = max(path.stat().st_mtime for path in summary.root.rglob("*"))
    assert summary.root.stat().st_mtime == newest


def _year(path: Path) -> int:
    return dt.datetime.fromtimestamp(path.stat().st_mtime).year


def test_same_seed_same_share(demo: tuple[DemoSummary, list[Progress]], tmp_path: Path) -> None:
    """Same paths and bytes again, even written by two processes instead of one."""
    summary, _ = demo
    again = generate_demo_share(tmp_path / "partage", files=200, seed=SEED, workers=2)
    first = {str(p.relative_to(summary.root)): p for p in summary.root.rglob("*")}
    second = {str(p.relative_to(again.root)): p for p in again.root.rglob("*")}
    assert sorted(first) == sorted(second)
    for rel, path in first.items():
        if path.is_file():
            assert _sha512(path) == _sha512(second[rel]), rel
            assert path.stat().st_mtime == second[rel].stat().st_mtime, rel


def test_reaches_the_size_asked(tmp_path: Path) -> None:
    size = 30_000_000
    summary = generate_demo_share(
        tmp_path / "grand", files=minimum_files(), total_bytes=size, workers=1
    )
    files = _files(summary.root)
    assert summary.total_bytes == sum(path.stat().st_size for path in files)
    assert size <= summary.total_bytes <= size * 1.3
    assert max(path.stat().st_size for path in files) >= 1_000_000

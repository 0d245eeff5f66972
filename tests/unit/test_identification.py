"""Real files of many formats, made by real libraries, get their PRONOM identifiers."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from conftest import rows, run_scan

from app.demo.documents import SAMPLE_FORMATS, DocumentContent, SampleFormat
from app.inventory.identify import Identifier, create_identifier
from app.project import Project

CONTENT = DocumentContent(
    title="Délibération n°2019-045 — Vente d'un terrain communal",
    paragraphs=["Le conseil municipal, après en avoir délibéré, décide à l'unanimité…"],
    year=2019,
    author="Mairie de Saint-Exemple",
)


def sample_name(sample: SampleFormat) -> str:
    return f"échantillon {sample.key}{sample.extension}"


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("samples")
    for sample in SAMPLE_FORMATS:
        sample.write(folder / sample_name(sample), CONTENT, random.Random(7))
    return folder


@pytest.fixture(scope="module")
def fido() -> Identifier:
    return create_identifier("fido")


def test_at_least_twenty_formats_are_covered() -> None:
    assert len({s.expected_puid for s in SAMPLE_FORMATS}) >= 20


def test_the_scan_identifies_every_sample_with_siegfried(project: Project, samples: Path) -> None:
    run_scan(project, samples, workers=2)
    found = rows(project.conn)
    wrong = {
        s.key: (found[sample_name(s)]["puid"], s.expected_puid)
        for s in SAMPLE_FORMATS
        if found[sample_name(s)]["puid"] != s.expected_puid
    }
    assert not wrong
    for sample in SAMPLE_FORMATS:
        row = found[sample_name(sample)]
        assert row["basis"] in {"signature", "container", "text", "extension"}
        assert row["format_name"]


@pytest.mark.parametrize(
    "sample", [s for s in SAMPLE_FORMATS if s.expected_fido_puid], ids=lambda s: s.key
)
def test_fido_identifies_the_formats_it_knows(
    sample: SampleFormat, samples: Path, fido: Identifier
) -> None:
    (result,) = fido.identify_many([str(samples / sample_name(sample))])
    assert result.puid == sample.expected_fido_puid

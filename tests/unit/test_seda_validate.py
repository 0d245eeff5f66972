"""The SIP validator: valid packages of every SEDA version pass, every tampering is located."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from app.errors import AppError, Severity
from app.seda import schemas as seda_schemas
from app.seda import validate as seda_validate
from app.seda.schemas import (
    SEDA_VERSIONS,
    default_schema_dir,
    find_schema_set,
    install_schemas,
    load_schema,
    namespace,
    version_of,
)
from app.seda.validate import (
    UnusableSipError,
    ValidationProblem,
    ValidationReport,
    ZipLimits,
    validate_manifest,
    validate_sip,
)
from app.tasks import Cancelled, CancelToken, Progress

SHARED_SEDA = (Path(__file__).resolve().parents[2] / ".." / "shared" / "seda").resolve()
M = "manifest.xml"
DOP = "/ArchiveTransfer/DataObjectPackage"
ROOT_UNIT = f"{DOP}/DescriptiveMetadata/ArchiveUnit[@id='AU_ROOT']"


# ---------------------------------------------------------------------------------------------
# A small but complete SIP, written the way a builder would


@dataclass
class Sip:
    version: str
    manifest: str
    files: dict[str, bytes] = field(default_factory=dict)

    def replace(self, old: str, new: str, count: int = 1) -> Sip:
        assert self.manifest.count(old) >= count, old
        return Sip(self.version, self.manifest.replace(old, new, count), dict(self.files))

    def line_of(self, marker: str) -> int:
        return self.manifest[: self.manifest.index(marker)].count("\n") + 1

    def zip(self, path: Path, *, extra: Iterable[tuple[str, bytes]] = (), name: str = M) -> Path:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(name, self.manifest.encode("utf-8"))
            for entry, data in self.files.items():
                archive.writestr(entry, data)
            for entry, data in extra:
                archive.writestr(entry, data)
        return path


DOCUMENTS = {
    "OBJ_DELIB": ("content/OBJ_DELIB.pdf", b"%PDF-1.4 deliberation du 12 mars 2019\n"),
    "OBJ_DELIB_TXT": ("content/OBJ_DELIB.txt", b"Deliberation du 12 mars 2019 (texte)\n"),
    "OBJ_ARRETE": ("content/OBJ_ARRETE.odt", b"PK arrete du maire n 2019-12\n"),
    "OBJ_PLAN": ("content/OBJ_PLAN.png", b"\x89PNG plan cadastral\n"),
}


def _binary(version: str, ident: str, usage: str, group_line: str = "") -> str:
    uri, data = DOCUMENTS[ident]
    usage_23 = ""
    if version == "2.3":
        name, _sep, number = usage.partition("_")
        usage_23 = (
            f"<DataObjectUse>{name}</DataObjectUse><DataObjectNumber>{number}</DataObjectNumber>"
        )
    return f"""
      <BinaryDataObject id="{ident}">{group_line}
        <DataObjectVersion>{usage}</DataObjectVersion>{usage_23}
        <Uri>{uri}</Uri>
        <MessageDigest algorithm="SHA-512">{hashlib.sha512(data).hexdigest()}</MessageDigest>
        <Size>{len(data)}</Size>
        <FormatIdentification>
          <FormatLitteral>Document</FormatLitteral>
          <MimeType>application/octet-stream</MimeType>
        </FormatIdentification>
        <FileInfo>
          <Filename>{uri.rsplit("/", 1)[1]}</Filename>
          <LastModified>2019-03-12T10:00:00</LastModified>
        </FileInfo>
      </BinaryDataObject>"""


def build_sip(version: str) -> Sip:
    """Header, two explicit object groups, a 2.1-style group in 2.1, nested units, rules."""
    if version == "2.1":
        group_id = "<DataObjectGroupId>GRP_PLAN</DataObjectGroupId>"
        grouping = f"""{_binary(version, "OBJ_PLAN", "BinaryMaster_1", group_id)}
      <PhysicalDataObject id="PHY_PLAN">
        <DataObjectGroupReferenceId>GRP_PLAN</DataObjectGroupReferenceId>
        <DataObjectVersion>PhysicalMaster_1</DataObjectVersion>
        <PhysicalId>2019-PLAN-01</PhysicalId>
      </PhysicalDataObject>"""
    else:
        grouping = f"""
      <DataObjectGroup id="GRP_PLAN">{_binary(version, "OBJ_PLAN", "BinaryMaster_1")}
      </DataObjectGroup>"""
    delib = _binary(version, "OBJ_DELIB", "BinaryMaster_1") + _binary(
        version, "OBJ_DELIB_TXT", "TextContent_1"
    )
    manifest = f"""<?xml version="1.0" encoding="UTF-8"?>
<ArchiveTransfer xmlns="{namespace(version)}" xmlns:xlink="http://www.w3.org/1999/xlink">
  <Comment>Versement des délibérations 2019 de la commune de Saint-Exemple</Comment>
  <Date>2024-05-02T10:00:00</Date>
  <MessageIdentifier>BESACE-2024-0001</MessageIdentifier>
  <ArchivalAgreement>IC-000001</ArchivalAgreement>
  <CodeListVersions>
    <ReplyCodeListVersion>ReplyCodeListVersion0</ReplyCodeListVersion>
    <MessageDigestAlgorithmCodeListVersion>DigestAlgorithmCodeListVersion0</MessageDigestAlgorithmCodeListVersion>
    <FileFormatCodeListVersion>PRONOM</FileFormatCodeListVersion>
  </CodeListVersions>
  <DataObjectPackage>
    <DataObjectGroup id="GRP_DELIB">{delib}
    </DataObjectGroup>
    <DataObjectGroup id="GRP_ARRETE">{_binary(version, "OBJ_ARRETE", "BinaryMaster_1")}
    </DataObjectGroup>{grouping}
    <DescriptiveMetadata>
      <ArchiveUnit id="AU_ROOT">
        <Management>
          <AppraisalRule>
            <Rule>APP-10A</Rule>
            <StartDate>2019-12-31</StartDate>
            <FinalAction>Keep</FinalAction>
          </AppraisalRule>
        </Management>
        <Content>
          <DescriptionLevel>RecordGrp</DescriptionLevel>
          <Title>Conseil municipal</Title>
          <Description>Délibérations et arrêtés de l'année 2019.</Description>
          <StartDate>2019-01-01</StartDate>
          <EndDate>2019-12-31</EndDate>
        </Content>
        <ArchiveUnit id="AU_DELIB">
          <Content>
            <DescriptionLevel>Item</DescriptionLevel>
            <Title>Délibération du 12 mars 2019</Title>
          </Content>
          <DataObjectReference>
            <DataObjectGroupReferenceId>GRP_DELIB</DataObjectGroupReferenceId>
          </DataObjectReference>
        </ArchiveUnit>
        <ArchiveUnit id="AU_ARRETES">
          <Content>
            <DescriptionLevel>RecordGrp</DescriptionLevel>
            <Title>Arrêtés du maire</Title>
          </Content>
          <ArchiveUnit id="AU_ARRETE">
            <Content>
              <DescriptionLevel>Item</DescriptionLevel>
              <Title>Arrêté n° 2019-12</Title>
            </Content>
            <DataObjectReference>
              <DataObjectGroupReferenceId>GRP_ARRETE</DataObjectGroupReferenceId>
            </DataObjectReference>
          </ArchiveUnit>
          <ArchiveUnit id="AU_PLAN">
            <Content>
              <DescriptionLevel>Item</DescriptionLevel>
              <Title>Plan annexé à l'arrêté</Title>
            </Content>
            <DataObjectReference>
              <DataObjectGroupReferenceId>GRP_PLAN</DataObjectGroupReferenceId>
            </DataObjectReference>
          </ArchiveUnit>
        </ArchiveUnit>
        <ArchiveUnit id="AU_DELIB_AGAIN">
          <ArchiveUnitRefId>AU_DELIB</ArchiveUnitRefId>
        </ArchiveUnit>
      </ArchiveUnit>
    </DescriptiveMetadata>
    <ManagementMetadata>
      <OriginatingAgencyIdentifier>FRAD000-COMMUNE</OriginatingAgencyIdentifier>
      <SubmissionAgencyIdentifier>FRAD000-SECRETARIAT</SubmissionAgencyIdentifier>
    </ManagementMetadata>
  </DataObjectPackage>
  <ArchivalAgency>
    <Identifier>FRAD000</Identifier>
  </ArchivalAgency>
  <TransferringAgency>
    <Identifier>FRAD000-COMMUNE</Identifier>
  </TransferringAgency>
</ArchiveTransfer>
"""
    return Sip(version, manifest, dict(DOCUMENTS.values()))


_LEVEL = "<DescriptionLevel>Item</DescriptionLevel>"
_TITLE = "<Title>Délibération du 12 mars 2019</Title>"
LEVEL_THEN_TITLE = f"{_LEVEL}\n            {_TITLE}"
TITLE_THEN_LEVEL = f"{_TITLE}\n            {_LEVEL}"


def check(path: Path, *, schemas: Path = SHARED_SEDA, **options: Any) -> ValidationReport:
    return validate_sip(path, schemas=schemas, **options)


def only(report: ValidationReport, code: str) -> ValidationProblem:
    found = [p for p in report.problems if p.code == code]
    assert len(found) == 1, report.problems
    return found[0]


def error_codes(report: ValidationReport) -> set[str]:
    return {p.code for p in report.errors}


def obj(group: str, ident: str) -> str:
    return f"{M} {DOP}/DataObjectGroup[@id='{group}']/BinaryDataObject[@id='{ident}']"


# ---------------------------------------------------------------------------------------------
# Valid packages


@pytest.mark.parametrize("version", SEDA_VERSIONS)
def test_the_test_manifests_are_valid_against_the_official_schema(version: str) -> None:
    schema = load_schema(SHARED_SEDA / version, version)
    assert schema.validate(etree.fromstring(build_sip(version).manifest.encode()))


@pytest.mark.parametrize("version", SEDA_VERSIONS)
@pytest.mark.parametrize("profile", ["generic", "vitam", "asalae"])
def test_a_complete_sip_is_valid(tmp_path: Path, version: str, profile: str) -> None:
    report = check(build_sip(version).zip(tmp_path / "sip.zip"), profile=profile)
    assert report.problems == []
    assert report.valid
    assert report.xsd_checked
    assert report.version == version
    assert report.profile == profile
    assert report.units == 6
    assert report.objects == (5 if version == "2.1" else 4)


def test_schemas_helpers() -> None:
    assert namespace("2.2") == "fr:gouv:culture:archivesdefrance:seda:v2.2"
    assert version_of("fr:gouv:culture:archivesdefrance:seda:v2.3") == "2.3"
    assert version_of("fr:gouv:culture:archivesdefrance:seda:v1.0") is None
    assert version_of(None) is None
    assert find_schema_set(SHARED_SEDA, "2.1") == SHARED_SEDA / "2.1"
    assert find_schema_set(SHARED_SEDA / "2.2", "2.2") == SHARED_SEDA / "2.2"
    assert find_schema_set(SHARED_SEDA / "2.2", "2.1") is None
    assert find_schema_set(None, "2.1") is None
    assert load_schema(SHARED_SEDA / "2.1", "2.1") is load_schema(SHARED_SEDA / "2.1", "2.1")


def test_a_bare_manifest_is_checked_without_its_files(tmp_path: Path) -> None:
    sip = build_sip("2.2")
    path = tmp_path / M
    path.write_text(sip.manifest, encoding="utf-8")
    report = validate_manifest(path, schemas=SHARED_SEDA, profile="vitam")
    assert report.valid
    assert report.xsd_checked
    assert report.units == 6
    assert report.objects == 4
    assert [p.code for p in report.problems] == ["CONTENT_NOT_CHECKED"]
    assert report.problems[0].severity is Severity.INFO


def test_embedded_attachments_are_checked_too(tmp_path: Path) -> None:
    data = b"Compte rendu de la commission des finances\n"
    embedded = f"""<Attachment filename="cr.txt">{base64.b64encode(data).decode()}</Attachment>
        <MessageDigest algorithm="SHA-256">{hashlib.sha256(data).hexdigest()}</MessageDigest>
        <Size>{len(data)}</Size>"""
    uri, content = DOCUMENTS["OBJ_ARRETE"]
    old = f"""<Uri>{uri}</Uri>
        <MessageDigest algorithm="SHA-512">{hashlib.sha512(content).hexdigest()}</MessageDigest>
        <Size>{len(content)}</Size>"""
    sip = build_sip("2.2").replace(old, embedded)
    del sip.files[uri]
    assert check(sip.zip(tmp_path / "ok.zip")).problems == []
    bad = sip.replace(f"<Size>{len(data)}</Size>", f"<Size>{len(data) + 1}</Size>")
    report = check(bad.zip(tmp_path / "bad.zip"))
    problem = only(report, "SIZE_MISMATCH")
    assert problem.where == obj("GRP_ARRETE", "OBJ_ARRETE") + "/Size"
    assert problem.line == bad.line_of(f"<Size>{len(data) + 1}</Size>")
    tampered = base64.b64encode(data.replace(b"finances", b"travaux!")).decode()
    bad = sip.replace(base64.b64encode(data).decode(), tampered)
    problem = only(check(bad.zip(tmp_path / "bad2.zip")), "DIGEST_MISMATCH")
    assert problem.where == obj("GRP_ARRETE", "OBJ_ARRETE") + "/MessageDigest"
    assert problem.line == bad.line_of('<MessageDigest algorithm="SHA-256">')


def test_a_percent_encoded_uri_finds_its_file(tmp_path: Path) -> None:
    sip = build_sip("2.1")
    data = sip.files.pop("content/OBJ_DELIB.pdf")
    sip.files["content/délibération 2019.pdf"] = data
    sip = sip.replace(
        "<Uri>content/OBJ_DELIB.pdf</Uri>", "<Uri>content/d%C3%A9lib%C3%A9ration%202019.pdf</Uri>"
    )
    assert check(sip.zip(tmp_path / "sip.zip")).problems == []


# ---------------------------------------------------------------------------------------------
# Tampered packages: each problem has its code, its place and its line


def test_wrong_digest(tmp_path: Path) -> None:
    sip = build_sip("2.2")
    sip.files["content/OBJ_DELIB.pdf"] = b"%PDF-1.4 deliberation du 13 mars 2019\n"  # same size
    report = check(sip.zip(tmp_path / "sip.zip"))
    assert not report.valid
    problem = only(report, "DIGEST_MISMATCH")
    assert problem.severity is Severity.ERROR
    assert problem.where == obj("GRP_DELIB", "OBJ_DELIB") + "/MessageDigest"
    digest = hashlib.sha512(DOCUMENTS["OBJ_DELIB"][1]).hexdigest()
    assert problem.line == sip.line_of(digest)
    assert digest in problem.message
    assert error_codes(report) == {"DIGEST_MISMATCH"}


def test_wrong_size(tmp_path: Path) -> None:
    sip = build_sip("2.3")
    size = len(DOCUMENTS["OBJ_ARRETE"][1])
    sip = sip.replace(f"<Size>{size}</Size>", f"<Size>{size + 10}</Size>")
    report = check(sip.zip(tmp_path / "sip.zip"))
    problem = only(report, "SIZE_MISMATCH")
    assert problem.where == obj("GRP_ARRETE", "OBJ_ARRETE") + "/Size"
    assert problem.line == sip.line_of(f"<Size>{size + 10}</Size>")
    assert error_codes(report) == {"SIZE_MISMATCH"}


def test_missing_content_file(tmp_path: Path) -> None:
    sip = build_sip("2.1")
    del sip.files["content/OBJ_ARRETE.odt"]
    report = check(sip.zip(tmp_path / "sip.zip"))
    problem = only(report, "URI_NOT_FOUND")
    assert problem.where == obj("GRP_ARRETE", "OBJ_ARRETE") + "/Uri"
    assert problem.line == sip.line_of("<Uri>content/OBJ_ARRETE.odt</Uri>")
    assert error_codes(report) == {"URI_NOT_FOUND"}


def test_content_file_nobody_points_to_is_a_warning(tmp_path: Path) -> None:
    sip = build_sip("2.2")
    report = check(sip.zip(tmp_path / "sip.zip", extra=[("content/oubli.txt", b"x")]))
    assert report.valid
    problem = only(report, "CONTENT_UNREFERENCED")
    assert (problem.severity, problem.where) == (Severity.WARNING, "content/oubli.txt")


def test_duplicate_id(tmp_path: Path) -> None:
    sip = build_sip("2.2").replace('<ArchiveUnit id="AU_PLAN">', '<ArchiveUnit id="AU_ARRETE">')
    report = check(sip.zip(tmp_path / "sip.zip"))
    problem = only(report, "ID_DUPLICATE")
    assert (
        problem.where
        == f"{M} {ROOT_UNIT}/ArchiveUnit[@id='AU_ARRETES']/ArchiveUnit[@id='AU_ARRETE']"
    )
    assert problem.line == sip.line_of("<Title>Plan") - 3
    assert str(sip.line_of('<ArchiveUnit id="AU_ARRETE">')) in problem.message
    # libxml2's streaming validation does not track xs:ID: only our check sees it.
    assert error_codes(report) == {"ID_DUPLICATE"}


def test_dangling_reference(tmp_path: Path) -> None:
    sip = build_sip("2.3").replace(
        "<DataObjectGroupReferenceId>GRP_ARRETE</DataObjectGroupReferenceId>",
        "<DataObjectGroupReferenceId>GRP_PERDU</DataObjectGroupReferenceId>",
    )
    report = check(sip.zip(tmp_path / "sip.zip"))
    problem = only(report, "REF_DANGLING")
    assert problem.where == (
        f"{M} {ROOT_UNIT}/ArchiveUnit[@id='AU_ARRETES']/ArchiveUnit[@id='AU_ARRETE']"
        "/DataObjectReference/DataObjectGroupReferenceId"
    )
    assert problem.line == sip.line_of("GRP_PERDU")
    assert "GRP_PERDU" in problem.message
    unattached = only(report, "OBJECT_UNREFERENCED")
    assert unattached.where == f"{M} {DOP}/DataObjectGroup[@id='GRP_ARRETE']"
    assert unattached.severity is Severity.WARNING


def test_reference_to_the_wrong_kind_of_thing(tmp_path: Path) -> None:
    sip = build_sip("2.2").replace(
        "<ArchiveUnitRefId>AU_DELIB</ArchiveUnitRefId>",
        "<ArchiveUnitRefId>GRP_DELIB</ArchiveUnitRefId>",
    )
    report = check(sip.zip(tmp_path / "sip.zip"))
    problem = only(report, "REF_WRONG_KIND")
    assert problem.where.endswith("ArchiveUnit[@id='AU_DELIB_AGAIN']/ArchiveUnitRefId")
    assert problem.line == sip.line_of("<ArchiveUnitRefId>GRP_DELIB")


def test_element_out_of_schema_order(tmp_path: Path) -> None:
    sip = build_sip("2.2").replace(LEVEL_THEN_TITLE, TITLE_THEN_LEVEL)
    report = check(sip.zip(tmp_path / "sip.zip"))
    assert report.xsd_checked
    problem = only(report, "XSD_INVALID")
    assert problem.where == f"{M} {ROOT_UNIT}/ArchiveUnit[@id='AU_DELIB']/Content/DescriptionLevel"
    assert problem.line == sip.line_of(TITLE_THEN_LEVEL) + 1
    assert "DescriptionLevel" in problem.message
    assert "{" not in problem.message
    assert error_codes(report) == {"XSD_INVALID"}


def test_every_schema_error_is_listed_and_the_other_checks_still_run(tmp_path: Path) -> None:
    sip = build_sip("2.1")
    sip = sip.replace("<FinalAction>Keep</FinalAction>", "<FinalAction>Garder</FinalAction>")
    sip = sip.replace(
        "<StartDate>2019-01-01</StartDate>", "<StartDate>1er janvier 2019</StartDate>"
    )
    sip.files["content/OBJ_PLAN.png"] = b"\x89PNG plan cadastral modifie\n"
    report = check(sip.zip(tmp_path / "sip.zip"))
    lines = sorted(p.line or 0 for p in report.problems if p.code == "XSD_INVALID")
    assert lines == [sip.line_of("<FinalAction>Garder"), sip.line_of("<StartDate>1er janvier")]
    assert {"DIGEST_MISMATCH", "SIZE_MISMATCH"} <= error_codes(report)
    assert report.units == 6
    assert report.objects == 5


def test_long_lists_are_validated_in_slices_with_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sip = build_sip("2.1")
    sip = sip.replace("<FinalAction>Keep</FinalAction>", "<FinalAction>Garder</FinalAction>")
    sip = sip.replace("<Size>", "<Size>-", 2)
    sip = sip.replace("<Title>Plan annexé à l'arrêté</Title>", "<Title>Plan</Title><Oops/>")
    path = sip.zip(tmp_path / "sip.zip")
    whole = [p for p in check(path).problems if p.code == "XSD_INVALID"]
    assert len(whole) == 4
    monkeypatch.setattr(seda_validate, "_SLICE", 1)
    sliced = [p for p in check(path).problems if p.code == "XSD_INVALID"]
    assert sliced == whole


def test_prefixed_manifest_errors_are_located(tmp_path: Path) -> None:
    sip = build_sip("2.2")
    manifest = re.sub(r"<(/?)([A-Za-z]+)([ >/])", r"<\1seda:\2\3", sip.manifest)
    manifest = manifest.replace('xmlns="fr:gouv', 'xmlns:seda="fr:gouv')
    manifest = manifest.replace("<seda:Title>Plan annexé à l'arrêté</seda:Title>", "<seda:Oops/>")
    prefixed = Sip("2.2", manifest, sip.files)
    problem = only(check(prefixed.zip(tmp_path / "sip.zip")), "XSD_INVALID")
    assert problem.where == (
        f"{M} {ROOT_UNIT}/ArchiveUnit[@id='AU_ARRETES']/ArchiveUnit[@id='AU_PLAN']/Content/Oops"
    )
    assert problem.line == prefixed.line_of("<seda:Oops/>")


def test_very_large_invalid_manifest_reports_the_first_schema_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(seda_validate, "FULL_TREE_LIMIT", 0)
    sip = build_sip("2.2").replace(
        "<FinalAction>Keep</FinalAction>", "<FinalAction>Garder</FinalAction>"
    )
    del sip.files["content/OBJ_PLAN.png"]
    report = check(sip.zip(tmp_path / "sip.zip"))
    assert "Garder" in only(report, "XSD_INVALID").message
    assert only(report, "XSD_FIRST_ERROR_ONLY").severity is Severity.INFO
    assert only(report, "URI_NOT_FOUND").line == sip.line_of("<Uri>content/OBJ_PLAN.png")


def test_manifest_not_at_the_root(tmp_path: Path) -> None:
    sip = build_sip("2.2")
    path = tmp_path / "sip.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("versement/manifest.xml", sip.manifest)
        for name, data in sip.files.items():
            archive.writestr("versement/" + name, data)
    report = check(path)
    problem = only(report, "MANIFEST_NOT_AT_ROOT")
    assert problem.where == "versement/manifest.xml"
    assert error_codes(report) == {"MANIFEST_NOT_AT_ROOT"}  # the files were found beside it
    assert report.xsd_checked
    assert report.objects == 4


def test_two_manifests(tmp_path: Path) -> None:
    sip = build_sip("2.2")
    report = check(sip.zip(tmp_path / "sip.zip", extra=[("ancien_manifest.xml", b"<x/>")]))
    problem = only(report, "MANIFEST_MULTIPLE")
    assert problem.where == "ancien_manifest.xml"
    assert error_codes(report) == {"MANIFEST_MULTIPLE"}
    assert report.version == "2.2"  # manifest.xml was the one checked


def test_no_manifest_and_files_out_of_place(tmp_path: Path) -> None:
    sip = build_sip("2.2")
    path = sip.zip(
        tmp_path / "sip.zip",
        name="bordereau.xml",
        extra=[("lisez-moi.txt", b"x"), ("annexes/plan.pdf", b"y"), ("Content/ok.txt", b"z")],
    )
    report = check(path)
    assert only(report, "MANIFEST_MISSING").where == "sip.zip"
    roots = sorted(p.where for p in report.problems if p.code == "ZIP_ROOT_FILE")
    assert roots == ["bordereau.xml", "lisez-moi.txt"]
    assert only(report, "ZIP_OUTSIDE_CONTENT").where == "annexes/plan.pdf"
    assert report.version is None
    assert not report.xsd_checked


def test_vitam_prefixed_manifest_name_is_accepted(tmp_path: Path) -> None:
    report = check(build_sip("2.1").zip(tmp_path / "sip.zip", name="SIP-2019_manifest.xml"))
    assert report.problems == []


@pytest.mark.parametrize(
    "entry",
    ["content/../../etc/passwd", "/etc/passwd", "content\\..\\..\\boot.ini", "C:/Windows/x"],
)
def test_path_traversal_makes_the_package_unusable(tmp_path: Path, entry: str) -> None:
    path = build_sip("2.2").zip(tmp_path / "sip.zip", extra=[(entry, b"pwned")])
    with pytest.raises(UnusableSipError) as caught:
        check(path)
    assert isinstance(caught.value, AppError)
    assert repr(entry) in caught.value.details


def test_a_symbolic_link_makes_the_package_unusable(tmp_path: Path) -> None:
    path = build_sip("2.2").zip(tmp_path / "sip.zip")
    link = zipfile.ZipInfo("content/lien")
    link.create_system = 3
    link.external_attr = 0o120777 << 16
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(link, "/etc/passwd")
    with pytest.raises(UnusableSipError):
        check(path)


def test_zip_bomb_and_garbage_are_unusable(tmp_path: Path) -> None:
    path = build_sip("2.2").zip(
        tmp_path / "bomb.zip", extra=[("content/zeros.bin", bytes(1 << 20))]
    )
    with pytest.raises(UnusableSipError):
        check(path, limits=ZipLimits(ratio_floor=1 << 19))
    assert check(path).valid  # the default guard leaves a 1 MB file of zeros alone
    with pytest.raises(UnusableSipError):
        check(path, limits=ZipLimits(max_entries=3))
    garbage = tmp_path / "garbage.zip"
    garbage.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(UnusableSipError):
        check(garbage)
    with pytest.raises(UnusableSipError):
        check(tmp_path / "absent.zip")


def test_a_damaged_content_entry_is_reported(tmp_path: Path) -> None:
    sip = build_sip("2.2")
    path = sip.zip(tmp_path / "sip.zip")
    data = bytearray(path.read_bytes())
    # Flip a byte inside the stored data of one content file: its CRC no longer matches.
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("content/OBJ_ARRETE.odt")
    offset = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 2
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))
    report = check(path)
    assert only(report, "ZIP_ENTRY_UNREADABLE").where == "content/OBJ_ARRETE.odt"


def test_a_damaged_manifest_entry_is_reported(tmp_path: Path) -> None:
    sip = build_sip("2.2")
    path = tmp_path / "sip.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(M, sip.manifest)
        for name, data in sip.files.items():
            archive.writestr(name, data)
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(M)
    damaged = bytearray(path.read_bytes())
    damaged[info.header_offset + 30 + len(M) + len(info.extra) + 3000] ^= 0x01
    path.write_bytes(bytes(damaged))
    report = check(path)
    assert only(report, "ZIP_ENTRY_UNREADABLE").where == M
    assert not report.valid


def test_doctype_with_entities_is_refused(tmp_path: Path) -> None:
    sip = build_sip("2.2")
    sip = sip.replace(
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE ArchiveTransfer [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>\n',
    ).replace("<Comment>Versement", "<Comment>&b; Versement")
    report = check(sip.zip(tmp_path / "sip.zip"))
    problem = only(report, "MANIFEST_DOCTYPE")
    assert (problem.where, problem.line) == (M, 2)
    assert not report.valid
    assert not report.xsd_checked
    assert report.version is None


def test_unknown_namespace(tmp_path: Path) -> None:
    sip = build_sip("2.2").replace(namespace("2.2"), "fr:gouv:culture:archivesdefrance:seda:v1.0")
    report = check(sip.zip(tmp_path / "sip.zip"))
    problem = only(report, "MANIFEST_NAMESPACE")
    assert (problem.where, problem.line) == (f"{M} /ArchiveTransfer", 2)
    assert "seda:v1.0" in problem.message
    assert report.version is None


def test_not_well_formed_manifest(tmp_path: Path) -> None:
    sip = build_sip("2.3").replace(
        "<Title>Arrêtés du maire</Title>", "<Title>Arrêtés du maire</Titre>"
    )
    report = check(sip.zip(tmp_path / "sip.zip"))
    problem = only(report, "MANIFEST_NOT_WELL_FORMED")
    assert problem.line == sip.line_of("</Titre>")
    assert error_codes(report) == {"MANIFEST_NOT_WELL_FORMED"}


# ---------------------------------------------------------------------------------------------
# Without the schemas


def test_without_schemas_the_report_says_the_xsd_check_was_skipped(tmp_path: Path) -> None:
    sip = build_sip("2.2").replace(LEVEL_THEN_TITLE, TITLE_THEN_LEVEL)
    path = sip.zip(tmp_path / "sip.zip")
    empty = tmp_path / "nothing-here"
    empty.mkdir()
    for report in (check(path, schemas=empty), validate_sip(path)):  # default: not installed yet
        assert not report.xsd_checked
        assert report.valid  # nothing else is wrong, but...
        problem = only(report, "XSD_SKIPPED")
        assert problem.severity is Severity.WARNING
        assert "2.2" in problem.message


def test_install_schemas_then_use_them_by_default(tmp_path: Path) -> None:
    installed = install_schemas(SHARED_SEDA, default_schema_dir())
    assert installed == ["2.1", "2.2", "2.3"]
    assert sorted(p.name for p in (default_schema_dir() / "2.3").iterdir()) == sorted(
        seda_schemas.schema_file_names("2.3")
    )
    report = validate_sip(build_sip("2.3").zip(tmp_path / "sip.zip"))
    assert report.xsd_checked
    assert report.problems == []


def test_install_one_flat_set_and_refuse_broken_ones(tmp_path: Path) -> None:
    flat = tmp_path / "telechargement"
    shutil.copytree(SHARED_SEDA / "2.2", flat)
    dest = tmp_path / "schemas"
    assert install_schemas(flat, dest) == ["2.2"]
    assert find_schema_set(dest, "2.2") == dest / "2.2"

    (flat / "seda-2.2-types.xsd").write_text("<not a schema", encoding="utf-8")
    with pytest.raises(AppError) as caught:
        install_schemas(flat, tmp_path / "other")
    assert "2.2" in caught.value.message
    assert not (tmp_path / "other" / "2.2").exists()

    (flat / "xlink.xsd").unlink()
    with pytest.raises(AppError):
        install_schemas(flat, tmp_path / "other")
    with pytest.raises(AppError):
        install_schemas(tmp_path / "nothing", tmp_path / "other")


# ---------------------------------------------------------------------------------------------
# Profiles


def test_vitam_profile_wants_titles_and_a_real_archival_agreement(tmp_path: Path) -> None:
    # SEDA 2.1 lets identifiers be empty, so only the Vitam rules catch these.
    sip = (
        build_sip("2.1")
        .replace(
            "<ArchivalAgreement>IC-000001</ArchivalAgreement>",
            "<ArchivalAgreement></ArchivalAgreement>",
        )
        .replace("<Title>Arrêté n° 2019-12</Title>", "")
    )
    path = sip.zip(tmp_path / "sip.zip")
    assert check(path).problems == []
    report = check(path, profile="vitam")
    assert error_codes(report) == {"VITAM_TITLE_MISSING", "VITAM_ARCHIVAL_AGREEMENT"}
    title = only(report, "VITAM_TITLE_MISSING")
    assert (
        title.where
        == f"{M} {ROOT_UNIT}/ArchiveUnit[@id='AU_ARRETES']/ArchiveUnit[@id='AU_ARRETE']/Content"
    )
    assert title.line == sip.line_of(
        "<Content>\n              <DescriptionLevel>Item</DescriptionLevel>\n              \n"
    )
    agreement = only(report, "VITAM_ARCHIVAL_AGREEMENT")
    assert (agreement.where, agreement.line) == (
        f"{M} /ArchiveTransfer/ArchivalAgreement",
        sip.line_of("<ArchivalAgreement>"),
    )
    assert error_codes(check(path, profile="asalae")) == {"ASALAE_ARCHIVAL_AGREEMENT"}


def test_vitam_profile_header_and_object_rules(tmp_path: Path) -> None:
    sip = (
        build_sip("2.1")
        .replace("<ArchivalAgreement>IC-000001</ArchivalAgreement>\n", "")
        .replace("<SubmissionAgencyIdentifier>FRAD000-SECRETARIAT</SubmissionAgencyIdentifier>", "")
        .replace("<MessageIdentifier>BESACE-2024-0001</MessageIdentifier>", "<MessageIdentifier/>")
        .replace(
            "<DataObjectVersion>TextContent_1</DataObjectVersion>",
            "<DataObjectVersion>Texte</DataObjectVersion>",
        )
        .replace('algorithm="SHA-512"', 'algorithm="sha512"', 1)
    )
    path = sip.zip(tmp_path / "sip.zip")
    generic = check(path)
    assert generic.valid
    assert only(generic, "DIGEST_ALGORITHM_NAME").severity is Severity.WARNING
    report = check(path, profile="vitam")
    assert error_codes(report) == {
        "VITAM_ARCHIVAL_AGREEMENT",
        "VITAM_SUBMISSION_AGENCY",
        "EMPTY_IDENTIFIER",
        "VITAM_OBJECT_VERSION",
        "VITAM_DIGEST_ALGORITHM",
    }
    assert only(report, "VITAM_ARCHIVAL_AGREEMENT").where == f"{M} /ArchiveTransfer"
    assert only(report, "VITAM_SUBMISSION_AGENCY").where == f"{M} {DOP}/ManagementMetadata"
    assert only(report, "EMPTY_IDENTIFIER").where == f"{M} /ArchiveTransfer/MessageIdentifier"
    version = only(report, "VITAM_OBJECT_VERSION")
    assert version.where == obj("GRP_DELIB", "OBJ_DELIB_TXT") + "/DataObjectVersion"
    assert version.line == sip.line_of("<DataObjectVersion>Texte")
    algorithm = only(report, "VITAM_DIGEST_ALGORITHM")
    assert algorithm.where == obj("GRP_DELIB", "OBJ_DELIB") + "/MessageDigest"


def test_unknown_profile_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AppError):
        check(build_sip("2.2").zip(tmp_path / "sip.zip"), profile="pastell")


# ---------------------------------------------------------------------------------------------
# Long work: progress, cancel, scale


def test_progress_and_cancel(tmp_path: Path) -> None:
    path = build_sip("2.2").zip(tmp_path / "sip.zip")
    seen: list[Progress] = []
    check(path, progress=seen.append)
    assert seen
    assert seen[-1].done == seen[-1].total == 4
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        check(path, token=token)


def large_sip(path: Path, count: int) -> Path:
    """`count` one-line files, one group and one unit each, in a stored zip."""
    ns = namespace("2.2")
    parts = [
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ArchiveTransfer xmlns="{ns}">'
        "<Date>2024-05-02T10:00:00</Date><MessageIdentifier>BIG</MessageIdentifier>"
        "<ArchivalAgreement>IC-1</ArchivalAgreement><CodeListVersions/><DataObjectPackage>\n"
    ]
    files = []
    for i in range(count):
        data = f"pièce {i}\n".encode()
        files.append((f"content/F{i}.txt", data))
        parts.append(
            f'<DataObjectGroup id="G{i}"><BinaryDataObject id="O{i}">'
            f"<DataObjectVersion>BinaryMaster_1</DataObjectVersion><Uri>content/F{i}.txt</Uri>"
            f'<MessageDigest algorithm="SHA-512">{hashlib.sha512(data).hexdigest()}</MessageDigest>'
            f"<Size>{len(data)}</Size><FormatIdentification><MimeType>text/plain</MimeType>"
            f"<FormatId>x-fmt/111</FormatId></FormatIdentification><FileInfo><Filename>F{i}.txt"
            "</Filename></FileInfo></BinaryDataObject></DataObjectGroup>\n"
        )
    parts.append(
        '<DescriptiveMetadata><ArchiveUnit id="ROOT"><Content><DescriptionLevel>Series'
        "</DescriptionLevel><Title>Pièces</Title></Content>\n"
    )
    parts.extend(
        f'<ArchiveUnit id="U{i}"><Content><DescriptionLevel>Item</DescriptionLevel>'
        f"<Title>Pièce {i}</Title></Content><DataObjectReference><DataObjectGroupReferenceId>"
        f"G{i}</DataObjectGroupReferenceId></DataObjectReference></ArchiveUnit>\n"
        for i in range(count)
    )
    parts.append(
        "</ArchiveUnit></DescriptiveMetadata><ManagementMetadata><OriginatingAgencyIdentifier>"
        "FRAD000</OriginatingAgencyIdentifier><SubmissionAgencyIdentifier>FRAD000"
        "</SubmissionAgencyIdentifier></ManagementMetadata></DataObjectPackage>"
        "<ArchivalAgency><Identifier>AD</Identifier></ArchivalAgency><TransferringAgency>"
        "<Identifier>MAIRIE</Identifier></TransferringAgency></ArchiveTransfer>\n"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(zipfile.ZipInfo(M), "".join(parts), compress_type=zipfile.ZIP_DEFLATED)
        for name, data in files:
            archive.writestr(zipfile.ZipInfo(name), data)
    return path


def test_twenty_thousand_objects(tmp_path: Path) -> None:
    path = large_sip(tmp_path / "big.zip", 20_000)
    report = check(path, profile="vitam")
    assert report.problems == []
    assert (report.objects, report.units) == (20_000, 20_001)

"""Opening existing SIPs: hand-made packages of each SEDA version with what other tools write
(flat units, groups of several objects, physical objects, languages), and hostile ones."""

from __future__ import annotations

import base64
import hashlib
import stat
import zipfile
from pathlib import Path
from typing import Any

import pytest

from app.errors import AppError
from app.i18n import set_language
from app.project import Project
from app.seda.imported import (
    ImportedUnit,
    imported_transfer,
    imports_folder,
    list_packages,
    load_tree,
    management_to_json,
    package_summary,
)
from app.seda.metadata import to_json
from app.seda.package import PackOptions, write_package
from app.seda.sip_import import SipLimits, import_sip
from app.seda.validate import ZipLimits, validate_sip

SCHEMAS = Path(__file__).resolve().parents[2].parent / "shared" / "seda"
VERSIONS = ("2.1", "2.2", "2.3")
PDF = b"%PDF-1.4 deliberation du conseil municipal"
TXT = "Texte de la délibération".encode()
JPG = b"\xff\xd8\xff\xe0 plan cadastral"


@pytest.fixture(autouse=True)
def _english() -> None:
    set_language("en")


def sha(data: bytes, name: str = "sha512") -> str:
    return hashlib.new(name, data).hexdigest()


def binary(
    object_id: str, version: str, uri: str, data: bytes, filename: str, algorithm: str = "SHA-512"
) -> str:
    digest = sha(data, algorithm.replace("-", "").lower())
    return (
        f'<BinaryDataObject id="{object_id}"><DataObjectVersion>{version}</DataObjectVersion>'
        f"<Uri>{uri}</Uri>"
        f'<MessageDigest algorithm="{algorithm}">{digest}</MessageDigest><Size>{len(data)}</Size>'
        "<FormatIdentification><FormatLitteral>Acrobat PDF 1.4</FormatLitteral>"
        "<MimeType>application/pdf</MimeType><FormatId>fmt/18</FormatId></FormatIdentification>"
        f"<FileInfo><Filename>{filename}</Filename>"
        "<LastModified>2019-05-14T10:00:00Z</LastModified></FileInfo></BinaryDataObject>"
    )


def manifest(version: str, objects: str, units: str, management: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<ArchiveTransfer xmlns="fr:gouv:culture:archivesdefrance:seda:v{version}" '
        'xmlns:xlink="http://www.w3.org/1999/xlink">\n'
        "<Comment>Versement des délibérations</Comment>"
        "<Date>2024-01-02T03:04:05</Date><MessageIdentifier>MSG-0001</MessageIdentifier>"
        "<ArchivalAgreement>IC-000001</ArchivalAgreement>"
        "<CodeListVersions><ReplyCodeListVersion>R1</ReplyCodeListVersion></CodeListVersions>\n"
        f"<DataObjectPackage>{objects}\n<DescriptiveMetadata>{units}</DescriptiveMetadata>\n"
        "<ManagementMetadata><OriginatingAgencyIdentifier>FRAD045_MAIRIE"
        f"</OriginatingAgencyIdentifier>{management}</ManagementMetadata></DataObjectPackage>\n"
        "<ArchivalAgency><Identifier>FRAD045</Identifier></ArchivalAgency>"
        "<TransferringAgency><Identifier>MAIRIE</Identifier></TransferringAgency>"
        "</ArchiveTransfer>\n"
    )


def rich_manifest(version: str) -> str:
    """Flat and nested units, a group of three objects, another group, languages, rules."""
    hold = (
        "<HoldRule><Rule>HOL-1</Rule><HoldReason>Contentieux</HoldReason></HoldRule>"
        if version != "2.1"
        else ""
    )
    objects = (
        '<DataObjectGroup id="GOT1">'
        + binary("BDO1", "BinaryMaster_1", "content/BDO1.pdf", PDF, "délibération 45.pdf")
        + binary("BDO2", "TextContent_1", "content/BDO2.txt", TXT, "délibération 45.txt", "MD5")
        + '<PhysicalDataObject id="PDO1"><DataObjectVersion>PhysicalMaster_1</DataObjectVersion>'
        "<PhysicalId>REGISTRE-1952</PhysicalId><PhysicalDimensions>"
        '<Width unit="centimetre">21</Width><Height unit="centimetre">29.7</Height>'
        "</PhysicalDimensions></PhysicalDataObject></DataObjectGroup>"
        '<DataObjectGroup id="GOT2">'
        + binary("BDO3", "BinaryMaster_1", "content/sub%20dir/plan.jpg", JPG, "plan.jpg")
        + "</DataObjectGroup>"
    )
    units = (
        '<ArchiveUnit id="AU1"><Management>'
        "<AppraisalRule><Rule>APP-00001</Rule><StartDate>2019-12-31</StartDate>"
        "<FinalAction>Destroy</FinalAction></AppraisalRule>"
        "<AccessRule><Rule>ACC-00001</Rule><StartDate>2020-01-01</StartDate>"
        "<Rule>ACC-00002</Rule><PreventInheritance>true</PreventInheritance></AccessRule>"
        f"{hold}</Management>"
        "<Content><DescriptionLevel>Series</DescriptionLevel>"
        '<Title>Délibérations</Title><Title xml:lang="en">Deliberations</Title>'
        '<Description xml:lang="fr">Registre</Description>'
        "<Writer><FullName>Jeanne Martin</FullName></Writer>"
        "<StartDate>2019-01-01T00:00:00</StartDate></Content>"
        '<ArchiveUnit id="REF1"><ArchiveUnitRefId>AU2</ArchiveUnitRefId></ArchiveUnit>'
        '<ArchiveUnit id="AU3"><Content><DescriptionLevel>Item</DescriptionLevel>'
        "<Title>Plan</Title></Content>"
        "<DataObjectReference><DataObjectGroupReferenceId>GOT2</DataObjectGroupReferenceId>"
        "</DataObjectReference></ArchiveUnit></ArchiveUnit>"
        '<ArchiveUnit id="AU2"><Content><DescriptionLevel>Item</DescriptionLevel>'
        '<Title xml:lang="fr">Délibération 45</Title></Content>'
        "<DataObjectReference><DataObjectGroupReferenceId>GOT1</DataObjectGroupReferenceId>"
        "</DataObjectReference></ArchiveUnit>"
    )
    return manifest(version, objects, units)


RICH_FILES = {"content/BDO1.pdf": PDF, "content/BDO2.txt": TXT, "content/sub dir/plan.jpg": JPG}


def make_sip(path: Path, manifest_xml: str, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.xml", manifest_xml.encode("utf-8"))
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def nothing_imported(project: Project) -> bool:
    rows = project.conn.execute("SELECT COUNT(*) FROM imported_package").fetchone()[0]
    folder = imports_folder(project)
    leftovers = list(folder.iterdir()) if folder.exists() else []
    return rows == 0 and not leftovers


# -- what other tools write -----------------------------------------------------------------------
@pytest.mark.parametrize("version", VERSIONS)
def test_hand_made_packages_are_valid_seda(tmp_path: Path, version: str) -> None:
    """The fixtures below are real SEDA: the official schema says so."""
    sip = make_sip(tmp_path / "sip.zip", rich_manifest(version), RICH_FILES)
    report = validate_sip(sip, schemas=SCHEMAS)
    assert report.xsd_checked
    assert report.valid, report.problems


@pytest.mark.parametrize("version", VERSIONS)
def test_flat_units_groups_physical_objects_and_languages(
    tmp_path: Path, project: Project, version: str
) -> None:
    sip = make_sip(tmp_path / "sip.zip", rich_manifest(version), RICH_FILES)
    package_id, tree = import_sip(project, sip)
    assert tree.seda_version == version
    stored = load_tree(project, package_id)
    [root] = stored.units
    assert (root.key, root.level, root.title) == ("AU1", "Series", "Délibérations")
    # The flat unit AU2 sits where ArchiveUnitRefId put it, before the nested AU3.
    assert [(c.key, c.title) for c in root.children] == [("AU2", ""), ("AU3", "Plan")]
    assert to_json(root.content) == [
        {"name": "Title", "text": "Deliberations", "attrs": {"xml:lang": "en"}},
        {"name": "Description", "text": "Registre", "attrs": {"xml:lang": "fr"}},
        {"name": "Writer", "children": [{"name": "FullName", "text": "Jeanne Martin"}]},
        {"name": "StartDate", "text": "2019-01-01T00:00:00"},
    ]
    au2 = root.children[0]
    assert to_json(au2.content) == [
        {"name": "Title", "text": "Délibération 45", "attrs": {"xml:lang": "fr"}}
    ]
    assert [(o.kind, o.usage_version, o.filename) for o in au2.objects] == [
        ("binary", "BinaryMaster_1", "délibération 45.pdf"),
        ("binary", "TextContent_1", "délibération 45.txt"),
        ("physical", "PhysicalMaster_1", ""),
    ]
    pdf, text, paper = au2.objects
    assert pdf.sha512 == hashlib.sha512(PDF).digest()
    assert (text.original_algorithm, text.original_digest) == ("MD5", sha(TXT, "md5"))
    assert text.sha512 == hashlib.sha512(TXT).digest()
    assert to_json(paper.physical) == [
        {"name": "PhysicalId", "text": "REGISTRE-1952"},
        {
            "name": "PhysicalDimensions",
            "children": [
                {"name": "Width", "text": "21", "attrs": {"unit": "centimetre"}},
                {"name": "Height", "text": "29.7", "attrs": {"unit": "centimetre"}},
            ],
        },
    ]
    summary = package_summary(project, package_id)
    assert summary.files_dir is not None
    assert (summary.files_dir / pdf.path).read_bytes() == PDF
    assert (summary.files_dir / root.children[1].objects[0].path).read_bytes() == JPG
    assert (summary.objects, summary.physical_objects, summary.units) == (3, 1, 3)
    rules = management_to_json(root.management) if root.management else {}
    assert rules["categories"]["AppraisalRule"]["final_action"] == "Destroy"
    assert rules["categories"]["AccessRule"]["rules"] == [
        {"rule": "ACC-00001", "start_date": "2020-01-01"},
        {"rule": "ACC-00002"},
    ]
    if version != "2.1":
        assert rules["categories"]["HoldRule"]["rules"] == [
            {"rule": "HOL-1", "fields": {"HoldReason": "Contentieux"}}
        ]
    assert stored.header["message_identifier"] == "MSG-0001"
    assert stored.header["archival_agreement"] == "IC-000001"
    assert stored.header["originating_agency"] == "FRAD045_MAIRIE"
    assert stored.header["archival_agency"] == "FRAD045"


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("target", VERSIONS)
def test_reexport_validates_against_the_official_schema(
    tmp_path: Path, project: Project, version: str, target: str
) -> None:
    sip = make_sip(tmp_path / "sip.zip", rich_manifest(version), RICH_FILES)
    package_id, _tree = import_sip(project, sip)
    transfer = imported_transfer(project, package_id)
    assert transfer.header.message_identifier == "MSG-0001"
    if target == "2.1" and version != "2.1":
        with pytest.raises(AppError, match="HoldRule"):  # refused, never dropped
            write_package(transfer, tmp_path / "out.zip", options=PackOptions(version=target))
        return
    built = write_package(transfer, tmp_path / "out.zip", options=PackOptions(version=target))
    report = validate_sip(built.path, schemas=SCHEMAS)
    assert report.valid, report.problems
    assert (report.units, report.objects) == (3, 4)
    xml = zipfile.ZipFile(built.path).read("manifest.xml").decode()
    for expected in (
        "<Title>Délibérations</Title>",
        '<Title xml:lang="en">Deliberations</Title>',
        '<Title xml:lang="fr">Délibération 45</Title>',
        "<PhysicalId>REGISTRE-1952</PhysicalId>",
        '<Width unit="centimetre">21</Width>',
        "<DataObjectVersion>TextContent_1</DataObjectVersion>",
        "<StartDate>2019-01-01T00:00:00</StartDate>",
        "<Rule>ACC-00002</Rule>",
        "<OriginatingAgencyIdentifier>FRAD045_MAIRIE</OriginatingAgencyIdentifier>",
    ):
        assert expected in xml
    assert xml.count("<Title") == 4  # no plain Title added to the unit titled by language


def test_seda_2_1_bare_objects_grouped_by_reference(tmp_path: Path, project: Project) -> None:
    objects = (
        binary("BDO1", "BinaryMaster_1", "content/a.pdf", PDF, "a.pdf").replace(
            "<DataObjectVersion>", "<DataObjectGroupId>GRP1</DataObjectGroupId><DataObjectVersion>"
        )
        + binary("BDO2", "Dissemination_1", "content/b.txt", TXT, "b.txt").replace(
            "<DataObjectVersion>",
            "<DataObjectGroupReferenceId>GRP1</DataObjectGroupReferenceId><DataObjectVersion>",
        )
        + binary("BDO3", "BinaryMaster_1", "content/c.jpg", JPG, "c.jpg")
    )
    units = (
        '<ArchiveUnit id="AU1"><Content><DescriptionLevel>File</DescriptionLevel>'
        "<Title>Dossier</Title></Content>"
        "<DataObjectReference><DataObjectGroupReferenceId>GRP1</DataObjectGroupReferenceId>"
        "</DataObjectReference>"
        "<DataObjectReference><DataObjectReferenceId>BDO3</DataObjectReferenceId>"
        "</DataObjectReference></ArchiveUnit>"
    )
    sip = make_sip(
        tmp_path / "sip.zip",
        manifest("2.1", objects, units),
        {"content/a.pdf": PDF, "content/b.txt": TXT, "content/c.jpg": JPG},
    )
    assert validate_sip(sip, schemas=SCHEMAS).valid
    package_id, _tree = import_sip(project, sip)
    [unit] = load_tree(project, package_id).units
    assert [(o.usage_version, o.filename) for o in unit.objects] == [
        ("BinaryMaster_1", "a.pdf"),
        ("Dissemination_1", "b.txt"),
        ("BinaryMaster_1", "c.jpg"),
    ]


def test_a_unit_with_two_parents_is_copied_under_each(tmp_path: Path, project: Project) -> None:
    units = (
        '<ArchiveUnit id="A"><Content><DescriptionLevel>Series</DescriptionLevel><Title>A</Title>'
        '</Content><ArchiveUnit id="R1"><ArchiveUnitRefId>C</ArchiveUnitRefId></ArchiveUnit>'
        "</ArchiveUnit>"
        '<ArchiveUnit id="B"><Content><DescriptionLevel>Series</DescriptionLevel><Title>B</Title>'
        '</Content><ArchiveUnit id="R2"><ArchiveUnitRefId>C</ArchiveUnitRefId></ArchiveUnit>'
        "</ArchiveUnit>"
        '<ArchiveUnit id="C"><Content><DescriptionLevel>Item</DescriptionLevel><Title>C</Title>'
        "</Content></ArchiveUnit>"
    )
    sip = make_sip(tmp_path / "sip.zip", manifest("2.2", "", units), {})
    package_id, tree = import_sip(project, sip)
    stored = load_tree(project, package_id)
    assert [(u.key, [c.key for c in u.children]) for u in stored.units] == [
        ("A", ["C"]),
        ("B", ["C~2"]),
    ]
    assert any("several parents" in w for w in tree.warnings)


def test_our_own_packages_import_with_every_unit_and_file(tmp_path: Path, project: Project) -> None:
    """A package written by the builder reads back: titles, levels, files (the e2e tests run
    `besace build` itself)."""
    sip = make_sip(tmp_path / "sip.zip", rich_manifest("2.2"), RICH_FILES)
    first_id, _tree = import_sip(project, sip)
    rebuilt = write_package(
        imported_transfer(project, first_id), tmp_path / "rebuilt.zip", options=PackOptions()
    )
    second_id, _tree = import_sip(project, rebuilt.path)
    first, second = load_tree(project, first_id), load_tree(project, second_id)

    def outline(units: list[ImportedUnit]) -> list[Any]:
        return [
            (
                u.level,
                u.title,
                to_json(u.content),
                management_to_json(u.management) if u.management else None,
                [
                    (o.kind, o.usage_version, o.sha512, o.filename, to_json(o.physical))
                    for o in u.objects
                ],
                outline(u.children),
            )
            for u in units
        ]

    assert outline(second.units) == outline(first.units)
    assert [p.id for p in list_packages(project)] == [first_id, second_id]


# -- hostile or broken packages -------------------------------------------------------------------
def broken_digest(version: str) -> tuple[str, dict[str, bytes]]:
    return rich_manifest(version), {**RICH_FILES, "content/BDO2.txt": b"altered text"}


@pytest.mark.parametrize("version", VERSIONS)
def test_digest_mismatch_names_object_and_entry(
    tmp_path: Path, project: Project, version: str
) -> None:
    xml, files = broken_digest(version)
    sip = make_sip(tmp_path / "sip.zip", xml, files)
    with pytest.raises(AppError) as caught:
        import_sip(project, sip)
    message = str(caught.value)
    assert "BinaryDataObject BDO2 (content/BDO2.txt)" in message
    assert "digest mismatch" in message or "size mismatch" in message
    assert "nothing was imported" in message
    assert nothing_imported(project)


@pytest.mark.parametrize("version", VERSIONS)
def test_dangling_references_are_named(tmp_path: Path, project: Project, version: str) -> None:
    xml = (
        rich_manifest(version)
        .replace(
            "<ArchiveUnitRefId>AU2</ArchiveUnitRefId>", "<ArchiveUnitRefId>AU9</ArchiveUnitRefId>"
        )
        .replace(
            "<DataObjectGroupReferenceId>GOT2</DataObjectGroupReferenceId>",
            "<DataObjectGroupReferenceId>GOT9</DataObjectGroupReferenceId>",
        )
    )
    sip = make_sip(tmp_path / "sip.zip", xml, RICH_FILES)
    with pytest.raises(AppError) as caught:
        import_sip(project, sip)
    message = str(caught.value)
    assert "ArchiveUnitRefId AU9 names no archive unit" in message
    assert "DataObjectGroupReferenceId GOT9 names no object group" in message
    assert "manifest.xml, line" in message
    assert nothing_imported(project)


def test_loops_of_units_are_refused(tmp_path: Path, project: Project) -> None:
    units = (
        '<ArchiveUnit id="A"><Content><Title>A</Title></Content>'
        '<ArchiveUnit id="R1"><ArchiveUnitRefId>B</ArchiveUnitRefId></ArchiveUnit></ArchiveUnit>'
        '<ArchiveUnit id="B"><Content><Title>B</Title></Content>'
        '<ArchiveUnit id="R2"><ArchiveUnitRefId>A</ArchiveUnitRefId></ArchiveUnit></ArchiveUnit>'
    )
    sip = make_sip(tmp_path / "sip.zip", manifest("2.2", "", units), {})
    with pytest.raises(AppError, match="A → B → A"):
        import_sip(project, sip)
    assert nothing_imported(project)


@pytest.mark.parametrize("version", VERSIONS)
def test_path_traversal_entry_is_refused(tmp_path: Path, project: Project, version: str) -> None:
    sip = make_sip(tmp_path / "sip.zip", rich_manifest(version), {**RICH_FILES, "../evil": b"x"})
    with pytest.raises(AppError) as caught:
        import_sip(project, sip)
    assert "../evil" in str(caught.value)
    assert "unsafe paths" in str(caught.value)
    assert not (tmp_path / "evil").exists()
    assert nothing_imported(project)


def test_absolute_paths_and_links_are_refused(tmp_path: Path, project: Project) -> None:
    for name in ("/etc/evil", "C:/evil.txt"):
        sip = make_sip(tmp_path / "sip.zip", rich_manifest("2.2"), {**RICH_FILES, name: b"x"})
        with pytest.raises(AppError, match="unsafe paths"):
            import_sip(project, sip)
    link = tmp_path / "link.zip"
    make_sip(link, rich_manifest("2.2"), RICH_FILES)
    with zipfile.ZipFile(link, "a") as zf:
        info = zipfile.ZipInfo("content/link")
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(AppError, match="content/link"):
        import_sip(project, link)
    assert nothing_imported(project)


@pytest.mark.parametrize("version", VERSIONS)
def test_xxe_attempt_is_refused(tmp_path: Path, project: Project, version: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("mot de passe")
    xml = (
        rich_manifest(version)
        .replace(
            '<?xml version="1.0" encoding="UTF-8"?>\n',
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<!DOCTYPE ArchiveTransfer [<!ENTITY xxe SYSTEM "file://{secret}">]>\n',
        )
        .replace("<Title>Plan</Title>", "<Title>&xxe;</Title>")
    )
    sip = make_sip(tmp_path / "sip.zip", xml, RICH_FILES)
    with pytest.raises(AppError) as caught:
        import_sip(project, sip)
    assert "DOCTYPE" in str(caught.value)
    assert "manifest.xml, line 2" in str(caught.value)
    assert nothing_imported(project)


def test_zip_bombs_and_huge_packages_are_refused(tmp_path: Path, project: Project) -> None:
    sip = make_sip(
        tmp_path / "sip.zip", rich_manifest("2.2"), {**RICH_FILES, "content/zeros": bytes(1 << 20)}
    )
    tight = SipLimits(zip=ZipLimits(max_ratio=10.0, ratio_floor=1 << 16))
    with pytest.raises(AppError, match="zip bomb"):
        import_sip(project, sip, limits=tight)
    with pytest.raises(AppError, match="entries"):
        import_sip(project, sip, limits=SipLimits(zip=ZipLimits(max_entries=3)))
    with pytest.raises(AppError, match="more than the"):
        import_sip(project, sip, limits=SipLimits(max_total_bytes=10))
    assert nothing_imported(project)


def test_missing_file_and_bad_namespace(tmp_path: Path, project: Project) -> None:
    files = dict(RICH_FILES)
    del files["content/BDO1.pdf"]
    sip = make_sip(tmp_path / "sip.zip", rich_manifest("2.3"), files)
    with pytest.raises(AppError, match=r"content/BDO1\.pdf is not in the package"):
        import_sip(project, sip)
    other = make_sip(
        tmp_path / "other.zip",
        rich_manifest("2.2").replace("seda:v2.2", "seda:v1.0"),
        RICH_FILES,
    )
    with pytest.raises(AppError, match="namespace"):
        import_sip(project, other)
    (tmp_path / "not.zip").write_text("bonjour")
    with pytest.raises(AppError, match="not a readable zip"):
        import_sip(project, tmp_path / "not.zip")
    assert nothing_imported(project)


def test_inline_attachment_is_extracted_and_checked(tmp_path: Path, project: Project) -> None:
    data = b"contenu en ligne"
    objects = (
        '<DataObjectGroup id="G"><BinaryDataObject id="B"><DataObjectVersion>BinaryMaster_1'
        f'</DataObjectVersion><Attachment filename="note.txt">{base64.b64encode(data).decode()}'
        f'</Attachment><MessageDigest algorithm="SHA-256">{sha(data, "sha256")}</MessageDigest>'
        f"<Size>{len(data)}</Size></BinaryDataObject></DataObjectGroup>"
    )
    units = (
        '<ArchiveUnit id="U"><Content><DescriptionLevel>Item</DescriptionLevel><Title>Note'
        "</Title></Content><DataObjectReference><DataObjectGroupReferenceId>G"
        "</DataObjectGroupReferenceId></DataObjectReference></ArchiveUnit>"
    )
    sip = make_sip(tmp_path / "sip.zip", manifest("2.2", objects, units), {})
    package_id, _tree = import_sip(project, sip)
    [unit] = load_tree(project, package_id).units
    summary = package_summary(project, package_id)
    assert summary.files_dir is not None
    assert (summary.files_dir / unit.objects[0].path).read_bytes() == data
    assert unit.objects[0].filename == "note.txt"

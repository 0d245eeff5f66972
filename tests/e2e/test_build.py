"""Packages built from a scanned share validate against the official SEDA schemas."""

from __future__ import annotations

import hashlib
import os
import signal
import time
import zipfile
from pathlib import Path

import pytest
from conftest import run_besace, run_scan, start_besace, write

from app.demo.share import generate_demo_share
from app.errors import AppError
from app.project import MissionIdentity, Project
from app.seda.from_project import HeaderOptions, SubtreeSelection, plan_transfer
from app.seda.model import Management, RuleCategory, RuleRef
from app.seda.package import PackOptions, SourceChangedError, split_transfer, write_package
from app.seda.validate import validate_sip

SCHEMAS = Path(__file__).resolve().parents[2].parent / "shared" / "seda"
HEADER = HeaderOptions(
    archival_agency="FRAD045",
    transferring_agency="FRAD045_MAIRIE_SEL",
    archival_agreement="IC-000001",
    originating_agency="FRAD045_MAIRIE_SEL",
    submission_agency="FRAD045_MAIRIE_SEL",
)
RULES = Management(
    {
        "AppraisalRule": RuleCategory([RuleRef("APP-DELIB")], final_action="Keep"),
        "AccessRule": RuleCategory([RuleRef("ACC-00001")]),
    }
)


@pytest.fixture(scope="module")
def demo_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("demo")
    summary = generate_demo_share(base / "partage", files=300)
    project_path = base / "mission.besace"
    project = Project.create(project_path, MissionIdentity(name="Mairie de Saint-Exemple"))
    run_scan(project, base / "partage", workers=2)
    project.close()
    assert summary.root.name == "Mairie de Saint-Exemple-sur-Loire"
    return project_path


def plan(project_path: Path, version: str, folder: str = "Mairie de Saint-Exemple-sur-Loire"):  # type: ignore[no-untyped-def]
    with Project.open(project_path) as project:
        return plan_transfer(
            project, SubtreeSelection(folder=folder, management=RULES), HEADER, version=version
        )


@pytest.mark.parametrize("version", ["2.1", "2.2", "2.3"])
@pytest.mark.parametrize("profile", ["generic", "vitam", "asalae"])
def test_every_version_and_profile_validates(
    demo_project: Path, tmp_path: Path, version: str, profile: str
) -> None:
    planned = plan(demo_project, version)
    package = write_package(
        planned.transfer,
        tmp_path / "sip.zip",
        options=PackOptions(version=version, profile=profile),
    )
    report = validate_sip(package.path, schemas=SCHEMAS, profile=profile)
    assert report.xsd_checked
    assert report.version == version
    assert report.valid, [p for p in report.problems]
    assert report.objects == package.objects > 200
    with zipfile.ZipFile(package.path) as zf:
        names = zf.namelist()
    assert "manifest.xml" in names
    assert all(n == "manifest.xml" or n.startswith("content/BDO") for n in names)


def test_temporary_system_and_empty_files_are_left_out_and_reported(demo_project: Path) -> None:
    planned = plan(demo_project, "2.2")
    reasons = {item.reason for item in planned.left_out}
    assert {"fichier temporaire", "fichier système", "fichier vide"} <= reasons
    packed = {o.filename for o in planned.transfer.objects()}
    assert not any(name.startswith("~$") or name == "Thumbs.db" for name in packed)


def test_units_carry_dates_rules_and_formats(demo_project: Path, tmp_path: Path) -> None:
    planned = plan(demo_project, "2.2")
    root = planned.transfer.units[0]
    assert root.level == "RecordGrp"
    assert root.management.categories["AppraisalRule"].final_action == "Keep"
    assert root.start_date is not None
    assert root.end_date is not None
    assert root.start_date.year <= 2006
    assert root.end_date.year >= 2024
    items = [u for u in root.walk() if u.objects]
    assert all(u.level == "Item" and u.start_date for u in items)
    pdf = next(o for u in items for o in u.objects if o.puid == "fmt/18")
    assert pdf.mime == "application/pdf"
    assert pdf.uri.startswith("content/BDO")
    assert pdf.uri.endswith(".pdf")


def test_split_packages_are_each_complete_and_together_hold_everything(
    demo_project: Path, tmp_path: Path
) -> None:
    planned = plan(demo_project, "2.2")
    parts = split_transfer(planned.transfer, max_objects=100)
    assert len(parts) >= 3
    seen: list[str] = []
    identifiers = set()
    for i, transfer in enumerate(parts):
        package = write_package(
            transfer, tmp_path / f"part{i}.zip", options=PackOptions(version="2.2")
        )
        report = validate_sip(package.path, schemas=SCHEMAS)
        assert report.valid, report.problems
        assert package.objects <= 100
        seen += [o.id for o in transfer.objects()]
        identifiers.add(transfer.header.message_identifier)
    assert sorted(seen) == sorted(o.id for o in planned.transfer.objects())
    assert len(identifiers) == len(parts)
    by_size = split_transfer(planned.transfer, max_bytes=2 * 1024 * 1024)
    for transfer in by_size:
        objects = transfer.objects()
        assert sum(o.size for o in objects) <= 2 * 1024 * 1024 or len(objects) == 1


def test_reproducible_builds_give_identical_bytes(demo_project: Path, tmp_path: Path) -> None:
    digests = []
    for name in ("a.zip", "b.zip"):
        with Project.open(demo_project) as project:
            planned = plan_transfer(
                project,
                SubtreeSelection(folder="Mairie de Saint-Exemple-sur-Loire", management=RULES),
                _reproducible(),
                version="2.3",
            )
        package = write_package(
            planned.transfer, tmp_path / name, options=PackOptions(version="2.3", reproducible=True)
        )
        digests.append(hashlib.sha512(package.path.read_bytes()).hexdigest())
    assert digests[0] == digests[1]


def _reproducible() -> HeaderOptions:
    options = HeaderOptions(
        archival_agency=HEADER.archival_agency,
        transferring_agency=HEADER.transferring_agency,
        archival_agreement=HEADER.archival_agreement,
    )
    options.reproducible = True
    return options


def test_a_file_changed_since_the_scan_stops_the_build(tmp_path: Path) -> None:
    share = tmp_path / "share"
    write(share / "a.txt", "version scannée")
    write(share / "b.txt", "inchangé")
    project = Project.create(tmp_path / "p.besace", MissionIdentity(name="x"))
    run_scan(project, share)
    planned = plan_transfer(project, SubtreeSelection(), HEADER, version="2.2")
    project.close()
    (share / "a.txt").write_text("version modifiée après l'analyse")
    before = (share / "a.txt").read_bytes()
    with pytest.raises(SourceChangedError) as caught:
        write_package(planned.transfer, tmp_path / "out/sip.zip", options=PackOptions())
    assert caught.value.paths == [str(share / "a.txt")]
    assert not (tmp_path / "out/sip.zip").exists()
    assert not list((tmp_path / "out").iterdir())  # no partial file left either
    assert (share / "a.txt").read_bytes() == before  # the source is never touched


def test_same_size_same_date_change_is_caught_by_the_digest(tmp_path: Path) -> None:
    share = tmp_path / "share"
    target = write(share / "a.txt", "AAAA", 1_600_000_000)
    project = Project.create(tmp_path / "p.besace", MissionIdentity(name="x"))
    run_scan(project, share)
    planned = plan_transfer(project, SubtreeSelection(), HEADER, version="2.2")
    project.close()
    target.write_text("BBBB")
    os.utime(target, (1_600_000_000, 1_600_000_000))
    with pytest.raises(SourceChangedError):
        write_package(planned.transfer, tmp_path / "sip.zip", options=PackOptions())
    assert not (tmp_path / "sip.zip").exists()


def test_elements_the_version_lacks_are_refused_not_dropped(
    demo_project: Path, tmp_path: Path
) -> None:
    planned = plan(demo_project, "2.1")
    planned.transfer.units[0].management.categories["HoldRule"] = RuleCategory([RuleRef("HOL-1")])
    with pytest.raises(AppError, match=r"2\.2"):
        write_package(planned.transfer, tmp_path / "sip.zip", options=PackOptions(version="2.1"))
    assert not (tmp_path / "sip.zip").exists()


def test_cli_build_then_validate(demo_project: Path, tmp_path: Path) -> None:
    out = tmp_path / "paquets"
    built = run_besace(
        "build",
        str(demo_project),
        "--out",
        str(out),
        "--seda",
        "2.2",
        "--profile",
        "vitam",
        "--agreement",
        "IC-000001",
        "--archival-agency",
        "FRAD045",
        "--transferring-agency",
        "MAIRIE",
        "--appraisal",
        "APP-00001:2024-01-01",
        "--final-action",
        "Destroy",
        "--access",
        "ACC-00001",
        "--max-objects",
        "150",
        "--schemas",
        str(SCHEMAS),
    )
    assert built.returncode == 0, built.stdout + built.stderr
    zips = sorted(out.glob("*.zip"))
    assert len(zips) >= 2
    assert "valide" in built.stdout
    checked = run_besace(
        "validate", *map(str, zips), "--schemas", str(SCHEMAS), "--profile", "vitam"
    )
    assert checked.returncode == 0, checked.stdout
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(zips[0]) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("content/") and not dst.namelist()[1:]:
                data = data + b"!"
            dst.writestr(info, data)
    assert run_besace("validate", str(broken), "--schemas", str(SCHEMAS)).returncode == 1
    (tmp_path / "not-a-zip.zip").write_text("bonjour")
    assert run_besace("validate", str(tmp_path / "not-a-zip.zip")).returncode == 2


def test_kill_9_during_a_build_leaves_nothing_at_the_final_path(tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    for i in range(3):
        with (share / f"scan-{i}.bin").open("wb") as handle:  # sparse: cheap on disk
            handle.truncate(700 * 1024 * 1024)
    project_path = tmp_path / "p.besace"
    project = Project.create(project_path, MissionIdentity(name="x"))
    run_scan(project, share, workers=2)
    project.close()
    out = tmp_path / "out"
    build_args = (
        "build",
        str(project_path),
        "--out",
        str(out),
        "--archival-agency",
        "AD",
        "--transferring-agency",
        "M",
        "--message-id",
        "SIP1",
        "--no-validate",
    )
    process = start_besace(*build_args, start_new_session=True)
    deadline = time.monotonic() + 60
    while not list(out.glob(".*.part")) and time.monotonic() < deadline:
        assert process.poll() is None
        time.sleep(0.01)
    time.sleep(0.3)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(30)
    assert not (out / "SIP1.zip").exists()
    rebuilt = run_besace(*build_args)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert [p.name for p in out.iterdir()] == ["SIP1.zip"]  # the leftover was cleared


@pytest.mark.slow
def test_a_file_over_4_gib_goes_through_zip64(tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    with (share / "sauvegarde.bin").open("wb") as handle:
        handle.truncate(4 * 1024**3 + 3)
    write(share / "petit.txt", "petit")
    project = Project.create(tmp_path / "p.besace", MissionIdentity(name="x"))
    run_scan(project, share, workers=2)
    planned = plan_transfer(project, SubtreeSelection(), HEADER, version="2.2")
    project.close()
    package = write_package(planned.transfer, tmp_path / "sip.zip", options=PackOptions())
    with zipfile.ZipFile(package.path) as zf:
        big = next(i for i in zf.infolist() if i.file_size > 4 * 1024**3)
        assert big.file_size == 4 * 1024**3 + 3
    report = validate_sip(package.path, schemas=SCHEMAS)
    assert report.valid, report.problems


def test_the_archivists_metadata_reaches_the_manifest(tmp_path: Path) -> None:
    share = tmp_path / "share"
    write(share / "Conseil municipal/2019/délibération 45.txt", "Vente d'un terrain")
    project_path = tmp_path / "p.besace"
    Project.create(project_path, MissionIdentity(name="x")).close()
    with Project.open(project_path) as project:
        run_scan(project, share)
    base = ["describe", str(project_path)]
    assert (
        run_besace(
            *base,
            "Conseil municipal",
            "--set",
            "Title=Délibérations",
            "--set",
            "Description=Registre des délibérations",
            "--set",
            "Keyword.0.KeywordContent=urbanisme",
            "--set",
            "Agent.0.FullName=Jeanne Martin",
        ).returncode
        == 0
    )
    assert (
        run_besace(
            *base, "Conseil municipal/2019/délibération 45.txt", "--set", "StartDate=2019-05-14"
        ).returncode
        == 0
    )
    shown = run_besace(*base, "Conseil municipal")
    assert "Keyword.KeywordContent = urbanisme" in shown.stdout

    with Project.open(project_path) as project:
        planned = plan_transfer(project, SubtreeSelection(), HEADER, version="2.2")
    package = write_package(planned.transfer, tmp_path / "sip.zip", options=PackOptions())
    assert validate_sip(package.path, schemas=SCHEMAS).valid
    manifest = zipfile.ZipFile(package.path).read("manifest.xml").decode()
    for expected in (
        "<Title>Délibérations</Title>",
        "Registre des délibérations",
        "<KeywordContent>urbanisme</KeywordContent>",
        "<FullName>Jeanne Martin",
        "<StartDate>2019-05-14</StartDate>",
    ):
        assert expected in manifest
    # Agent is a SEDA 2.2 element: a 2.1 package refuses it instead of dropping it.
    with Project.open(project_path) as project:
        old = plan_transfer(project, SubtreeSelection(), HEADER, version="2.1")
    with pytest.raises(AppError, match="Agent"):
        write_package(old.transfer, tmp_path / "old.zip", options=PackOptions(version="2.1"))

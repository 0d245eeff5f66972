"""Smoke-test the frozen bundle as a user would run it: no Python, no repository, no venv.

Usage: python installer/bundle_test.py [dist/besace]

Every command runs with an environment made from scratch (PATH, HOME and a temporary
BESACE_CONFIG_DIR only, like `env -i`) from a temporary folder outside the repository, so the
bundle can only use what it carries. Each check is printed; the first failure stops the run
with exit status 1.
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_SEDA = ROOT.parent / "shared" / "seda"
IS_WINDOWS = sys.platform == "win32"
CLI_NAME = "besace-cli.exe" if IS_WINDOWS else "besace"
GUI_NAME = "Besace.exe" if IS_WINDOWS else "besace-gui"
PORTABLE_MARKER = "besace-portable.txt"
FINANCES = "Mairie de Saint-Exemple-sur-Loire/Finances"
# Windows cannot start a process without these; they carry no Python or repository path.
WINDOWS_KEPT = ("SYSTEMROOT", "SYSTEMDRIVE", "WINDIR", "TEMP", "TMP", "COMSPEC", "PATHEXT")


class CheckFailed(Exception):
    pass


def app_version() -> str:
    tree = ast.parse((ROOT / "app" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets
        ):
            return str(ast.literal_eval(node.value))
    raise CheckFailed("app/__init__.py has no __version__")


def clean_env(home: Path, config: Path | None, **extra: str) -> dict[str, str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home)}
    if IS_WINDOWS:
        env = {k: os.environ[k] for k in WINDOWS_KEPT if k in os.environ}
        env["PATH"] = os.environ.get("SYSTEMROOT", r"C:\Windows") + r"\System32"
        env["USERPROFILE"] = str(home)
        # platformdirs asks Windows for these folders unless overridden like this.
        env["WIN_PD_OVERRIDE_APPDATA"] = env["APPDATA"] = str(home / "AppData" / "Roaming")
        env["WIN_PD_OVERRIDE_LOCAL_APPDATA"] = env["LOCALAPPDATA"] = str(home / "AppData" / "Local")
    if config is not None:
        env["BESACE_CONFIG_DIR"] = str(config)
    env.update(extra)
    return env


def run(
    what: str,
    command: Sequence[str | Path],
    *,
    cwd: Path,
    env: dict[str, str],
    expect: int = 0,
    timeout: float = 300,
) -> str:
    """Run one command, print what it checks, return its output (stdout then stderr)."""
    print(f"-- {what}", flush=True)
    args = [str(part) for part in command]
    started = time.monotonic()
    try:
        done = subprocess.run(
            args,
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise CheckFailed(f"{what}: no answer after {timeout:.0f} s: {args}") from exc
    output = done.stdout + done.stderr
    if done.returncode != expect:
        raise CheckFailed(
            f"{what}: exit status {done.returncode}, expected {expect}\n"
            f"command: {args}\n--- output ---\n{output}"
        )
    print(f"   ok ({time.monotonic() - started:.1f} s)", flush=True)
    return output


def check(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)
    print(f"   ok: {message}", flush=True)


def check_identified(inventory: Path, engine: str) -> None:
    """PDFs of the demo share carry a PRONOM PUID found by signature, by the expected engine."""
    files = json.loads(inventory.read_text(encoding="utf-8"))["files"]
    pdfs = [f for f in files if f["extension"] == "pdf" and f["puid"]]
    by_signature = [f for f in pdfs if re.fullmatch(r"fmt/\d+", f["puid"]) and "PDF" in f["format"]]
    engines = {f["engine"].split(" ", 1)[0] for f in files if f["engine"]}
    identified = [f for f in files if f["puid"]]
    check(engines == {engine}, f"the formats come from {engine} (engines seen: {engines})")
    check(
        len(by_signature) >= 3,
        f"{len(by_signature)} PDF files identified by {engine} with a PDF PUID "
        f"(e.g. {by_signature[0]['puid'] if by_signature else '—'})",
    )
    check(
        len(identified) >= len(files) * 3 // 4,
        f"{len(identified)} of {len(files)} files have a PUID",
    )


def clone_bundle(bundle: Path, target: Path) -> None:
    """A copy of the bundle, hard-linked when possible (instant, no extra disk)."""
    try:
        shutil.copytree(bundle, target, copy_function=os.link, symlinks=True)
    except OSError:
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(bundle, target, symlinks=True)


def archived_modules(executable: Path) -> set[str] | None:
    """The Python modules frozen into an executable, or None without PyInstaller at hand."""
    try:
        readers = importlib.import_module("PyInstaller.archive.readers")
    except ImportError:
        return None
    return set(readers.pkg_archive_contents(str(executable)))


def test_contents(bundle: Path) -> None:
    """What a clean machine cannot exercise here (no keyring daemon, no SAE, no display):
    check that it was frozen in."""
    internal = bundle / "_internal"
    files = {
        "CA certificates (httpx)": "certifi/cacert.pem",
        "fido's PRONOM signatures": "fido/conf/formats-v*.xml",
        "siegfried (pygfried, signatures built in)": "pygfried*",
        "PDFium (previews)": "pypdfium2_raw/*pdfium*",
        "Qt offscreen platform": "PySide6/Qt/plugins/platforms/*qoffscreen*",
        "Qt image formats": "PySide6/Qt/plugins/imageformats/*",
        "Qt translations": "PySide6/Qt/translations/qtbase_fr.qm",
        "Besace's translations": "app/resources/i18n/fr.po",
    }
    if IS_WINDOWS:
        files["Qt Windows platform"] = "PySide6/Qt/plugins/platforms/qwindows.dll"
    else:
        files["Qt X11 platform"] = "PySide6/Qt/plugins/platforms/libqxcb.so"
        files["Qt Wayland platform"] = "PySide6/Qt/plugins/platforms/libqwayland*.so"
    print("-- bundle contents", flush=True)
    for what, pattern in files.items():
        found = sorted(internal.glob(pattern))
        check(bool(found), f"{what}: {found[0].relative_to(bundle) if found else pattern}")
    keyring = ["keyring.backends.SecretService", "secretstorage", "jeepney.io.blocking"]
    if IS_WINDOWS:
        keyring = ["keyring.backends.Windows", "win32ctypes.pywin32.win32cred"]
    for name, required in (
        (CLI_NAME, [*keyring, "httpx", "certifi", "fido.fido", "openpyxl", "reportlab"]),
        (GUI_NAME, [*keyring, "httpx", "pypdfium2", "PySide6", "app.ui.application"]),
    ):
        modules = archived_modules(bundle / name)
        if modules is None:
            print(f"   (PyInstaller not importable: modules of {name} not listed)", flush=True)
            continue
        missing = [module for module in required if module not in modules]
        check(not missing, f"{name} holds {', '.join(required)} (missing: {missing})")
    forbidden = [m for m in archived_modules(bundle / CLI_NAME) or () if m.startswith("PySide6")]
    check(not forbidden, "the command line carries no Qt")


def test_cli(bundle: Path, work: Path, version: str) -> None:
    cli = bundle / CLI_NAME
    home, config = work / "home", work / "config"
    home.mkdir()
    env = clean_env(home, config)

    output = run("besace --version", [cli, "--version"], cwd=work, env=env)
    check(output.strip() == f"Besace {version}", f"the bundle reports version {version}")

    # The French catalog ships inside the bundle: the default help is not the English source.
    output = run("besace --help (French by default)", [cli, "--help"], cwd=work, env=env)
    check(
        "create a mission project file" not in output and "besace" in output,
        "the help is translated (French catalog found in the bundle)",
    )
    config.mkdir()
    (config / "settings.toml").write_text('language = "en"\n', encoding="utf-8")
    output = run("besace --help (English from the settings)", [cli, "--help"], cwd=work, env=env)
    check(
        "create a mission project file" in output,
        "settings.toml is read from BESACE_CONFIG_DIR",
    )

    share = work / "share"
    run("besace demo (small share)", [cli, "demo", share, "--files", "150"], cwd=work, env=env)
    check(any(share.rglob("*.pdf")), "the demo share holds PDF files (reportlab frozen)")

    project = work / "mission.besace"
    run(
        "besace new",
        [
            cli,
            "new",
            project,
            "--name",
            "Mairie de Saint-Exemple-sur-Loire",
            "--producer",
            "Mairie de Saint-Exemple-sur-Loire",
            "--transferring-agency",
            "Secrétariat de mairie",
            "--archival-agency",
            "Archives départementales",
        ],
        cwd=work,
        env=env,
    )
    check(project.is_file(), "the project file exists")

    output = run(
        "besace scan (siegfried, 2 worker processes)",
        [cli, "scan", project, share, "--workers", "2"],
        cwd=work,
        env=env,
    )
    check("siegfried" in output, "the scan ran with siegfried in the worker processes")
    inventory = work / "inventory.json"
    run(
        "besace inventory --json",
        [cli, "inventory", project, "--json", inventory],
        cwd=work,
        env=env,
    )
    check_identified(inventory, "siegfried")

    fido_project = work / "fido.besace"
    run(
        "besace new (fido project)", [cli, "new", fido_project, "--name", "Fido"], cwd=work, env=env
    )
    run(
        "besace scan --engine fido (2 worker processes)",
        [cli, "scan", fido_project, share / FINANCES, "--engine", "fido", "--workers", "2"],
        cwd=work,
        env=env,
    )
    fido_inventory = work / "fido.json"
    run(
        "besace inventory --json (fido)",
        [cli, "inventory", fido_project, "--json", fido_inventory],
        cwd=work,
        env=env,
    )
    check_identified(fido_inventory, "fido")

    output = run("besace stats", [cli, "stats", project], cwd=work, env=env)
    check("fmt/" in output, "the statistics list PRONOM formats")

    schemas = SHARED_SEDA.is_dir()
    if schemas:
        run("besace schemas install", [cli, "schemas", "install", SHARED_SEDA], cwd=work, env=env)
        check(
            any((config / "schemas" / "seda").rglob("*.xsd")),
            "the schemas are installed in BESACE_CONFIG_DIR",
        )
    else:
        print(f"-- {SHARED_SEDA} not found: validation without the XSD check", flush=True)

    packages = work / "packages"
    run(
        "besace build (SEDA 2.2, Vitam profile)",
        [
            cli,
            "build",
            project,
            "--out",
            packages,
            "--seda",
            "2.2",
            "--profile",
            "vitam",
            "--folder",
            FINANCES,
            "--title",
            "Finances communales",
            "--agreement",
            "IC-000001",
            "--archival-agency",
            "FRAD045",
            "--transferring-agency",
            "FRAD045_MAIRIE",
            "--appraisal",
            "APP-FIN:2025-01-01",
            "--final-action",
            "Keep",
            "--access",
            "ACC-00001",
            "--reproducible",
        ],
        cwd=work,
        env=env,
    )
    zips = sorted(packages.glob("*.zip"))
    check(bool(zips), f"{len(zips)} SEDA package(s) written")
    output = run(
        "besace validate", [cli, "validate", *zips, "--profile", "vitam"], cwd=work, env=env
    )
    if schemas:
        check("valid against the SEDA 2.2 schema" in output, "valid against the official XSD")
    else:
        check("valid" in output, "the package is valid")


def check_smoke_output(output: str, version: str, what: str) -> None:
    if f"Besace OK {version}" in output:
        check(True, f"{what}: the window opened and closed ({output.strip()!r})")
    elif IS_WINDOWS and not output.strip():
        # A windowed program may have no standard output at all: its log tells instead.
        print(f"   {what}: no output from the windowed program, its log is checked", flush=True)
    else:
        raise CheckFailed(f"{what}: unexpected output {output!r}")


def check_gui_log(log: Path, version: str) -> None:
    """The window's log: it started, found Qt's French strings frozen, and nothing went wrong."""
    check(log.is_file(), f"the window wrote its log: {log}")
    text = log.read_text(encoding="utf-8", errors="replace")
    check(f"Besace {version} starting" in text, "the log records the start of this version")
    check("no Qt translation" not in text, "Qt's French translations were found in the bundle")
    problems = [line for line in text.splitlines() if " ERROR " in line or "Traceback" in line]
    check(not problems, f"no error in the log ({problems[:3]})")


def test_gui(bundle: Path, work: Path, version: str) -> None:
    gui = bundle / GUI_NAME
    if not gui.exists():
        raise CheckFailed(f"{gui} is missing")
    home = work / "gui-home"
    home.mkdir()
    env = clean_env(home, work / "gui-config", QT_QPA_PLATFORM="offscreen")
    output = run("besace-gui --smoke-test (offscreen)", [gui, "--smoke-test"], cwd=work, env=env)
    check_smoke_output(output, version, "offscreen")
    logs = sorted(home.rglob("besace.log"))
    check(bool(logs), "the log is in the user's log folder")
    check_gui_log(logs[0], version)
    # A real X11 display when Xvfb is installed: the xcb platform plugin and its libraries.
    xvfb_run = shutil.which("xvfb-run")
    if IS_WINDOWS or xvfb_run is None:
        print("-- no xvfb-run: the X11 (xcb) platform is not started", flush=True)
        return
    output = run(
        "besace-gui --smoke-test (X11 through Xvfb)",
        [xvfb_run, "-a", "env", "QT_QPA_PLATFORM=xcb", gui, "--smoke-test"],
        cwd=work,
        env=env | {"PATH": "/usr/bin:/bin"},
    )
    check_smoke_output(output, version, "X11")


def test_portable(bundle: Path, work: Path, version: str) -> None:
    """With the marker beside the executables, settings and logs live beside them too."""
    portable = work / "portable" / "besace"
    clone_bundle(bundle, portable)
    (portable / PORTABLE_MARKER).write_text("portable\n", encoding="utf-8")
    home = work / "portable-home"
    home.mkdir()
    env = clean_env(home, None)  # no BESACE_CONFIG_DIR: it would win over the marker
    depot = work / "depot"
    depot.mkdir()
    run(
        "portable: besace server add (writes the settings)",
        [portable / CLI_NAME, "server", "add", "depot", "--kind", "folder", "--url", depot],
        cwd=work,
        env=env,
    )
    check(
        (portable / "config" / "settings.toml").is_file(),
        "portable: settings.toml is written beside the executable",
    )
    output = run(
        "portable: besace-gui --smoke-test (offscreen)",
        [portable / GUI_NAME, "--smoke-test"],
        cwd=work,
        env={**env, "QT_QPA_PLATFORM": "offscreen"},
    )
    check_smoke_output(output, version, "portable")
    check_gui_log(portable / "logs" / "besace.log", version)
    leaked = [str(p.relative_to(home)) for p in home.rglob("*") if p.is_file()]
    check(not leaked, f"portable: nothing written in the home folder ({leaked[:5]})")
    shutil.rmtree(portable.parent)


def main(argv: Sequence[str]) -> int:
    bundle = Path(argv[0] if argv else ROOT / "dist" / "besace").resolve()
    if not (bundle / CLI_NAME).is_file():
        print(f"FAILED: no bundle at {bundle} (run `make bundle` first)", file=sys.stderr)
        return 1
    version = app_version()
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="besace-bundle-test-")).resolve()
    print(f"Testing the bundle {bundle} (Besace {version}) in {work}", flush=True)
    try:
        test_contents(bundle)
        test_cli(bundle, work, version)
        test_gui(bundle, work, version)
        test_portable(bundle, work, version)
    except CheckFailed as exc:
        print(f"\nFAILED: {exc}\n(work folder kept: {work})", file=sys.stderr)
        return 1
    shutil.rmtree(work, ignore_errors=True)
    print(f"Bundle test passed in {time.monotonic() - started:.0f} s.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

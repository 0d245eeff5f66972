"""Turn PyInstaller's `dist/besace/` folder into what we hand out.

Linux: add the desktop integration (install.sh, .desktop file, MIME type, icons, a short
LISEZMOI.txt) to the folder, then write two tarballs:
  dist/besace-<version>-linux-<arch>.tar.gz           (settings in ~/.config/besace)
  dist/besace-<version>-linux-<arch>-portable.tar.gz  (settings beside the executable)
Windows: write the portable zip dist/besace-<version>-windows-x64-portable.zip; the
installer itself is built by Inno Setup (installer/windows/besace.iss).

Usage: python installer/package_bundle.py [dist/besace]
"""

from __future__ import annotations

import ast
import io
import platform
import shutil
import stat
import sys
import tarfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTALLER = ROOT / "installer"
PORTABLE_MARKER = "besace-portable.txt"  # app/paths.py looks for this name
PORTABLE_TEXT = """\
Besace portable : les réglages (config/), les journaux (logs/) et les données (data/) sont
gardés dans ce dossier, à côté du programme, et non dans le profil de l'utilisateur.
Supprimez ce fichier pour revenir au fonctionnement habituel.

Portable Besace: settings (config/), logs (logs/) and data (data/) are kept in this folder,
beside the program, not in the user's profile. Delete this file to go back to the usual
behaviour.
"""
README_TEXT = """\
Besace {version}

Lancer l'application : ./besace-gui      Ligne de commande : ./besace --help
Ajouter Besace au menu, associer les fichiers .besace et installer les commandes dans
~/.local/bin : ./install.sh     (retrait : ./install.sh --uninstall ; vos projets sont gardés)

Version portable : si le fichier besace-portable.txt est présent dans ce dossier, les réglages,
les journaux et les données sont écrits ici (config/, logs/, data/) au lieu du profil.

Start the application: ./besace-gui      Command line: ./besace --help
Add Besace to the menu, open .besace files with it and install the commands in ~/.local/bin:
./install.sh     (removal: ./install.sh --uninstall; your projects are kept)
"""
# Where each desktop file goes inside the bundle: the layout of ~/.local/share.
LINUX_SHARE = {
    INSTALLER / "linux" / "besace.desktop": "share/applications/besace.desktop",
    INSTALLER / "linux" / "besace-mime.xml": "share/mime/packages/besace.xml",
    INSTALLER / "icons" / "besace.png": "share/icons/hicolor/256x256/apps/besace.png",
    INSTALLER / "icons" / "besace.svg": "share/icons/hicolor/scalable/apps/besace.svg",
}


def app_version() -> str:
    tree = ast.parse((ROOT / "app" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets
        ):
            return str(ast.literal_eval(node.value))
    raise SystemExit("app/__init__.py has no __version__")


def add_linux_integration(bundle: Path, version: str) -> None:
    for source, relative in LINUX_SHARE.items():
        target = bundle / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    script = bundle / "install.sh"
    shutil.copyfile(INSTALLER / "linux" / "install.sh", script)
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    (bundle / "LISEZMOI.txt").write_text(README_TEXT.format(version=version), encoding="utf-8")


def _normalised(info: tarfile.TarInfo) -> tarfile.TarInfo:
    """No build-machine user names in the archive."""
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def write_tarball(bundle: Path, target: Path, top: str, *, portable: bool) -> None:
    partial = target.with_name(target.name + ".part")
    with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=top, filter=_normalised)
        if portable:
            data = PORTABLE_TEXT.encode("utf-8")
            info = _normalised(tarfile.TarInfo(f"{top}/{PORTABLE_MARKER}"))
            info.size, info.mode, info.mtime = len(data), 0o644, int(time.time())
            tar.addfile(info, io.BytesIO(data))
    partial.replace(target)  # a half-written archive never has the final name


def write_portable_zip(bundle: Path, target: Path, top: str) -> None:
    partial = target.with_name(target.name + ".part")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for path in sorted(bundle.rglob("*")):
            if path.is_file():
                archive.write(path, f"{top}/{path.relative_to(bundle).as_posix()}")
        archive.writestr(f"{top}/{PORTABLE_MARKER}", PORTABLE_TEXT)
    partial.replace(target)


def main(argv: list[str]) -> int:
    bundle = Path(argv[0] if argv else ROOT / "dist" / "besace").resolve()
    if not bundle.is_dir():
        print(f"No bundle at {bundle}: run PyInstaller first (make bundle).", file=sys.stderr)
        return 1
    version = app_version()
    dist = bundle.parent
    top = f"besace-{version}"
    written: list[Path] = []
    if sys.platform == "win32":
        target = dist / f"besace-{version}-windows-x64-portable.zip"
        write_portable_zip(bundle, target, top)
        written.append(target)
    else:
        add_linux_integration(bundle, version)
        arch = platform.machine() or "unknown"
        for portable in (False, True):
            suffix = "-portable" if portable else ""
            target = dist / f"besace-{version}-linux-{arch}{suffix}.tar.gz"
            write_tarball(bundle, target, top, portable=portable)
            written.append(target)
    for path in written:
        print(f"{path} ({path.stat().st_size / 1024**2:.0f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

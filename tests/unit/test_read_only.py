"""The scanner never writes to, renames or re-times anything in the scanned tree.

Any write, rename, chmod or utime changes a file's ctime, so comparing lstat (with
ctime), content digests and folder listings before and after proves nothing was touched.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from conftest import run_scan, write

from app.project import Project


def snapshot(root: Path) -> dict[bytes, tuple[object, ...]]:
    state: dict[bytes, tuple[object, ...]] = {}
    for folder, dirs, files in os.walk(os.fsencode(root)):
        for name in [*dirs, *files]:
            path = os.path.join(folder, name)
            st = os.lstat(path)
            digest = b""
            if os.path.isfile(path) and not os.path.islink(path):
                with open(path, "rb") as handle:
                    digest = hashlib.sha512(handle.read()).digest()
            state[path] = (
                st.st_mode,
                st.st_ino,
                st.st_nlink,
                st.st_size,
                st.st_mtime_ns,
                st.st_ctime_ns,
                st.st_uid,
                st.st_gid,
                digest,
            )
        st = os.lstat(folder)
        state[folder + b"/"] = (sorted(os.listdir(folder)), st.st_mtime_ns, st.st_ctime_ns)
    return state


def test_scan_and_rescan_leave_the_share_untouched(project: Project, tmp_path: Path) -> None:
    share = tmp_path / "share"
    write(share / "Délibérations/2019/délibération 12.txt", "Le conseil municipal…\n" * 200)
    write(share / "Délibérations/2019/copie.txt", "Le conseil municipal…\n" * 200)
    write(share / "Courriers/~$lettre.docx", b"\x0b")
    write(share / "Courriers/Thumbs.db", b"\xd0\xcf\x11\xe0")
    write(share / "vide.txt", b"")
    (share / "Dossier vide").mkdir()
    (share / "lien").symlink_to(share / "vide.txt")
    raw_name = os.path.join(os.fsencode(share), b"ancien nom \xe9.txt")
    with open(raw_name, "wb") as handle:
        handle.write(b"latin-1")
    for path in share.rglob("*"):
        if path.is_file() and not path.is_symlink():
            os.utime(path, (1_500_000_000, 1_500_000_000))

    before = snapshot(share)
    run_scan(project, share, workers=2)
    run_scan(project, share, workers=2, extra_algorithms=("md5",))
    assert snapshot(share) == before
    # nothing of ours was left in the share: lock, journal and links live elsewhere
    assert not any(p.name.endswith((".lock", "-wal", "-shm")) for p in share.rglob("*"))

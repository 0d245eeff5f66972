"""PRONOM format identification behind one interface: siegfried (pygfried) or fido.

Both engines hold the GIL while they work, so the scan runs them in worker processes,
one long-lived identifier each, fed batches of a few hundred paths.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from app.errors import AppError
from app.i18n import _

ENGINES = ("siegfried", "fido")
DEFAULT_ENGINE = "siegfried"


@dataclass(frozen=True, slots=True)
class Identification:
    """What an engine says of one file. `puid` is '' when the format is unknown."""

    puid: str = ""
    format_name: str = ""
    format_version: str = ""
    mime: str = ""
    basis: str = ""  # signature, container, text, extension, or '' when unidentified
    warning: str = ""
    error: str = ""


@dataclass(frozen=True, slots=True)
class EngineInfo:
    name: str
    version: str
    signature: str


class Identifier(Protocol):
    info: EngineInfo

    def identify_many(self, paths: Sequence[str]) -> list[Identification]: ...

    def close(self) -> None: ...


def normalise_basis(raw: str) -> str:
    """siegfried's free-text basis → one word we can count and filter on."""
    text = raw.lower()
    if "container" in text:
        return "container"
    if "byte match" in text or "xml match" in text:
        return "signature"
    if "text match" in text:
        return "text"
    if "extension match" in text or "filename match" in text:
        return "extension"
    return text.split(" ", 1)[0] if text else ""


class SiegfriedIdentifier:
    """siegfried through pygfried, with its embedded PRONOM signatures."""

    def __init__(self) -> None:
        import pygfried

        self._scanner: Any = pygfried.Scanner()
        header = self._scanner.identify_many([])
        details = "; ".join(i.get("details", "") for i in header.get("identifiers", []))
        self.info = EngineInfo("siegfried", str(header.get("siegfried", "")), details)
        self._aliases: str | None = None

    def _alias(self, path: str, index: int) -> str:
        """siegfried takes UTF-8 paths only: reach other names through a link of our own.

        The link lives in our temporary folder, never in the scanned share.
        """
        if self._aliases is None:
            self._aliases = tempfile.mkdtemp(prefix="besace-sf-")
        ext = os.path.splitext(path)[1].encode("utf-8", "replace").decode("ascii", "ignore")
        alias = os.path.join(self._aliases, f"{index}{ext}")
        with contextlib.suppress(FileNotFoundError):
            os.unlink(alias)
        os.symlink(path, alias)
        return alias

    def identify_many(self, paths: Sequence[str]) -> list[Identification]:
        if not paths:
            return []
        queried: list[str] = []
        for index, path in enumerate(paths):
            try:
                path.encode("utf-8")
                queried.append(path)
            except UnicodeEncodeError:
                queried.append(self._alias(path, index))
        try:
            files = self._scanner.identify_many(queried)["files"]
        finally:
            self.close()  # links live only for the call: nothing is left in /tmp
        results: list[Identification] = []
        for entry in files:
            results.append(self._convert(entry))
        if len(results) != len(paths):  # never pair a result with the wrong file
            return [self._convert(self._scanner.identify(p, True)["files"][0]) for p in queried]
        return results

    @staticmethod
    def _convert(entry: dict[str, Any]) -> Identification:
        error = str(entry.get("errors") or "")
        matches = entry.get("matches") or []
        if not matches:
            return Identification(error=error)
        match = matches[0]
        puid = str(match.get("id") or "")
        if puid == "UNKNOWN":
            return Identification(warning=str(match.get("warning") or ""), error=error)
        return Identification(
            puid=puid,
            format_name=str(match.get("format") or ""),
            format_version=str(match.get("version") or ""),
            mime=str(match.get("mime") or ""),
            basis=normalise_basis(str(match.get("basis") or "")),
            warning=str(match.get("warning") or ""),
            error=error,
        )

    def close(self) -> None:
        if self._aliases is not None:
            shutil.rmtree(self._aliases, ignore_errors=True)
            self._aliases = None


class FidoIdentifier:
    """fido (Open Preservation Foundation), pure Python, with the signatures it ships."""

    def __init__(self) -> None:
        from fido import __version__ as fido_version
        from fido import fido as fido_module
        from fido.versions import get_local_versions

        # fido's API defaults to a signature file 1.6.1 no longer ships: load what it has,
        # the way its own main() does.
        versions = get_local_versions(fido_module.CONFIG_DIR)
        defaults = fido_module.defaults
        defaults["xml_pronomSignature"] = versions.pronom_signature
        defaults["containersignature_file"] = versions.pronom_container_signature
        defaults["xml_fidoExtensionSignature"] = versions.fido_extension_signature
        defaults["format_files"] = [versions.pronom_signature, versions.fido_extension_signature]
        self._matches: list[tuple[list[Any], str]] = []
        self._fido: Any = fido_module.Fido(
            quiet=True,
            handle_matches=lambda _name, matches, _t, matchtype="": self._matches.append(
                (matches, matchtype)
            ),
        )
        self.info = EngineInfo(
            "fido",
            str(fido_version),
            f"{versions.pronom_signature}; {versions.pronom_container_signature}",
        )

    def _one(self, path: str) -> Identification:
        self._matches.clear()
        stderr = io.StringIO()
        with contextlib.redirect_stderr(stderr):
            self._fido.identify_file(path)
        complaint = stderr.getvalue().strip()
        if not self._matches or not self._matches[-1][0]:
            return Identification(error=complaint)
        matches, matchtype = self._matches[0]
        fmt = matches[0][0]
        others = [self._fido.get_puid(m[0]) for m in matches[1:]]

        def text(tag: str) -> str:
            node = fmt.find(tag)
            return str(node.text) if node is not None and node.text else ""

        basis = {"signature": "signature", "container": "container", "extension": "extension"}
        warning = ""
        if others:
            warning = _("other possible formats: {puids}").format(puids=", ".join(others))
        if matchtype == "extension":
            warning = "; ".join(w for w in (_("match on extension only"), warning) if w)
        return Identification(
            puid=str(self._fido.get_puid(fmt)),
            format_name=text("name"),
            format_version=text("version"),
            mime=text("mime"),
            basis=basis.get(matchtype, matchtype),
            warning=warning,
            error=complaint,
        )

    def identify_many(self, paths: Sequence[str]) -> list[Identification]:
        return [self._one(path) for path in paths]

    def close(self) -> None:
        pass


def create_identifier(engine: str) -> Identifier:
    if engine == "siegfried":
        return SiegfriedIdentifier()
    if engine == "fido":
        return FidoIdentifier()
    raise AppError(
        _("Unknown identification engine {engine} (choose among: {choices}).").format(
            engine=engine, choices=", ".join(ENGINES)
        )
    )

"""The official SEDA 2.x XSD sets: where they live, how to install them, how to compile them.

The schemas are not shipped with Besace: the user installs them once from the official
distribution. lxml never fetches anything from the network, so the two W3C imports
(xml.xsd, xlink.xsd) are mapped to the local copies that sit beside the SEDA files.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from lxml import etree

from app.errors import AppError
from app.i18n import _
from app.paths import config_dir
from app.seda.model import SEDA_VERSIONS

_NAMESPACE_PREFIX = "fr:gouv:culture:archivesdefrance:seda:v"
_MODULES = ("main", "types", "technical", "management", "descriptive", "ontology")
# The W3C schemas imported by absolute URL, and the local file that stands in for each.
W3C_SCHEMAS = {
    "http://www.w3.org/2001/xml.xsd": "xml.xsd",
    "http://www.w3.org/1999/xlink.xsd": "xlink.xsd",
}
# How deep install_schemas looks for the sets, so that pointing it at a home folder stays quick.
_MAX_SEARCH_DEPTH = 4


def namespace(version: str) -> str:
    """`2.2` → `fr:gouv:culture:archivesdefrance:seda:v2.2`."""
    if version not in SEDA_VERSIONS:
        raise ValueError(f"unknown SEDA version {version!r}")
    return _NAMESPACE_PREFIX + version


def version_of(namespace_uri: str | None) -> str | None:
    """The SEDA version of a namespace URI, or None when it is not a known SEDA namespace."""
    if namespace_uri is None or not namespace_uri.startswith(_NAMESPACE_PREFIX):
        return None
    version = namespace_uri[len(_NAMESPACE_PREFIX) :]
    return version if version in SEDA_VERSIONS else None


def main_schema_name(version: str) -> str:
    return f"seda-{version}-main.xsd"


def schema_file_names(version: str) -> tuple[str, ...]:
    """Every file a complete set of this version holds."""
    return (*(f"seda-{version}-{module}.xsd" for module in _MODULES), *W3C_SCHEMAS.values())


def default_schema_dir() -> Path:
    """Where `besace schemas install` puts the sets: one sub-folder per version."""
    return config_dir() / "schemas" / "seda"


def _is_complete(folder: Path, version: str) -> bool:
    return all((folder / name).is_file() for name in schema_file_names(version))


def find_schema_set(base: Path | None, version: str) -> Path | None:
    """The folder holding a complete set of `version`: `base/<version>/`, else `base` itself."""
    if base is None or version not in SEDA_VERSIONS:
        return None
    for folder in (base / version, base):
        if _is_complete(folder, version):
            return folder
    return None


class _LocalW3CResolver(etree.Resolver):  # type: ignore[misc]
    """Serves the W3C schemas from the set's folder instead of w3.org."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self._map = {url: folder / name for url, name in W3C_SCHEMAS.items()}

    def resolve(self, url: str, pubid: str | None, context: Any) -> Any:
        local = self._map.get(url)
        return self.resolve_filename(str(local), context) if local is not None else None


class _SchemaCache(threading.local):
    """Compiled schemas of this thread: an lxml schema keeps its error log, so no sharing."""

    def __init__(self) -> None:
        self.generation = -1
        self.schemas: dict[tuple[str, str], Any] = {}


_cache = _SchemaCache()
_generation = 0  # bumped by clear_schema_cache so every thread drops its copies


def load_schema(xsd_dir: Path, version: str) -> Any:
    """The compiled `lxml.etree.XMLSchema` of the set in `xsd_dir`, built once per thread."""
    if _cache.generation != _generation:
        _cache.schemas.clear()
        _cache.generation = _generation
    key = (str(xsd_dir.resolve()), version)
    schema = _cache.schemas.get(key)
    if schema is None:
        schema = _cache.schemas[key] = _compile(xsd_dir, version)
    return schema


def clear_schema_cache() -> None:
    global _generation
    _generation += 1


def _compile(xsd_dir: Path, version: str) -> Any:
    main = xsd_dir / main_schema_name(version)
    if not main.is_file():
        raise AppError(
            _("No SEDA {version} schema in {folder}.").format(version=version, folder=xsd_dir)
        )
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_LocalW3CResolver(xsd_dir))
    try:
        return etree.XMLSchema(etree.parse(str(main), parser))
    except (etree.XMLSyntaxError, etree.XMLSchemaParseError, OSError) as exc:
        log = getattr(exc, "error_log", None)
        raise AppError(
            _("The SEDA {version} schema in {folder} cannot be compiled.").format(
                version=version, folder=xsd_dir
            ),
            details=str(log) if log else str(exc),
        ) from exc


def _candidate_folders(source: Path, version: str) -> list[Path]:
    """Folders under `source` that hold `seda-<version>-main.xsd`, shallowest first."""
    target = main_schema_name(version)
    found: list[tuple[int, str, Path]] = []
    root_depth = len(source.parts)
    for folder, dirs, files in os.walk(source):
        here = Path(folder)
        depth = len(here.parts) - root_depth
        if depth >= _MAX_SEARCH_DEPTH:
            dirs.clear()
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        if target in files:
            found.append((depth, str(here), here))
    return [path for _depth, _name, path in sorted(found)]


def _locate_w3c(set_folder: Path, source: Path, name: str) -> Path | None:
    """xml.xsd / xlink.xsd beside the set, else in a parent folder up to `source`."""
    folder = set_folder
    while True:
        if (folder / name).is_file():
            return folder / name
        if folder in (source, folder.parent):
            return None
        folder = folder.parent


def install_schemas(source: Path, dest: Path) -> list[str]:
    """Copy every complete, compilable SEDA set found under `source` to `dest/<version>/`.

    Returns the versions installed. Nothing is copied unless every set found compiles.
    """
    source = source.resolve()
    if not source.is_dir():
        raise AppError(_("{folder} is not a folder.").format(folder=source))
    plans: list[tuple[str, dict[str, Path]]] = []
    incomplete: list[str] = []
    for version in SEDA_VERSIONS:
        for folder in _candidate_folders(source, version):
            files: dict[str, Path] = {}
            for name in schema_file_names(version):
                path = (
                    _locate_w3c(folder, source, name)
                    if name in W3C_SCHEMAS.values()
                    else folder / name
                )
                if path is not None and path.is_file():
                    files[name] = path
            missing = [name for name in schema_file_names(version) if name not in files]
            if missing:
                incomplete.append(f"{folder}: {', '.join(missing)}")
                continue
            plans.append((version, files))
            break
    if not plans:
        raise AppError(
            _(
                "No complete SEDA schema set (seda-2.x-main.xsd and its modules) in {folder}."
            ).format(folder=source),
            details="\n".join(incomplete),
        )
    try:
        with _staging(dest) as staging:
            for version, files in plans:
                folder = staging / version
                folder.mkdir()
                for name, path in files.items():
                    shutil.copyfile(path, folder / name)
                _compile(folder, version)  # a clear AppError, and nothing is installed
            for version, _files in plans:
                final = dest / version
                if final.exists():
                    shutil.rmtree(final)
                (staging / version).rename(final)
    except OSError as exc:
        raise AppError(
            _("Cannot write the schemas to {folder}.").format(folder=dest), details=str(exc)
        ) from exc
    clear_schema_cache()
    return [version for version, _files in plans]


@contextmanager
def _staging(dest: Path) -> Iterator[Path]:
    """A scratch folder inside `dest` (same file system, so the final move is a rename)."""
    dest.mkdir(parents=True, exist_ok=True)
    path = dest / f".install-{os.getpid()}"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir()
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)

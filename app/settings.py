"""Typed application settings, stored as TOML, versioned with upgrade steps.

Secrets never live here: passwords and passphrases go to the OS keyring.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import tomli_w

from app.errors import AppError
from app.i18n import _

SCHEMA_VERSION = 1

# Names a scan flags as temporary or system files (shell-style patterns, case-insensitive).
DEFAULT_TEMPORARY_PATTERNS = (
    "~$*",
    "~*.tmp",
    "*.tmp",
    "*.temp",
    ".~lock.*#",
    "*.swp",
    "*.crdownload",
    "*.part",
)
DEFAULT_SYSTEM_PATTERNS = (
    "Thumbs.db",
    "ehthumbs.db",
    "desktop.ini",
    ".DS_Store",
    "._*",
    "Icon\r",
    "$RECYCLE.BIN",
    "System Volume Information",
    ".Trashes",
    ".Spotlight-V100",
    ".fseventsd",
    ".TemporaryItems",
    "@eaDir",
)


@dataclass
class ScanSettings:
    engine: str = "siegfried"
    extra_algorithms: list[str] = field(default_factory=list)
    temporary_patterns: list[str] = field(default_factory=lambda: list(DEFAULT_TEMPORARY_PATTERNS))
    system_patterns: list[str] = field(default_factory=lambda: list(DEFAULT_SYSTEM_PATTERNS))
    # Listed in the inventory as excluded, neither read nor descended into.
    exclude_patterns: list[str] = field(default_factory=list)


SERVER_KINDS = ("vitam", "asalae", "folder")


@dataclass
class ServerSettings:
    """One archiving system (SAE) or drop folder. No secret here: they live in the keyring."""

    name: str = ""
    kind: str = "vitam"  # vitam | asalae | folder
    # vitam: ingest-external base (https://host:8443); asalae: https://host (before
    # /restservices); folder: the local or network folder.
    url: str = ""
    admin_url: str = ""  # vitam: access-external base (https://host:8444); default: url
    tenant: int = 0
    context: str = "DEFAULT_WORKFLOW"
    dry_run_context: str = "BLANK_TEST"
    access_contract: str = ""  # vitam: lets the outbox look a transfer up after a crash
    client_certificate: str = ""  # vitam: PKCS#12 (.p12, .pfx) or PEM file
    client_key: str = ""  # vitam: PEM key when it is not in the certificate file
    ca_bundle: str = ""  # extra CA certificates (PEM) to trust; verification stays on
    username: str = ""  # asalae: web-service user
    hash_password: bool = False  # asalae: send the SHA-256 of the password, as Pastell does
    profile: str = ""  # validation profile; default from the kind
    timeout: float = 60.0


@dataclass
class Settings:
    schema_version: int = SCHEMA_VERSION
    language: str = "fr"
    scan: ScanSettings = field(default_factory=ScanSettings)
    recent_projects: list[str] = field(default_factory=list)
    servers: list[ServerSettings] = field(default_factory=list)


# Upgrade steps: UPGRADES[n] turns a version-n document into a version-(n+1) one.
UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def _from_dict(cls: type[Any], data: dict[str, Any]) -> Any:
    kwargs: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in data:
            continue
        value = data[f.name]
        if f.name == "scan" and isinstance(value, dict):
            value = _from_dict(ScanSettings, value)
        if f.name == "servers" and isinstance(value, list):
            value = [_from_dict(ServerSettings, v) for v in value if isinstance(v, dict)]
        kwargs[f.name] = value
    return cls(**kwargs)


def load_settings(path: Path) -> Settings:
    if not path.exists():
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise AppError(
            _("The settings file {path} cannot be read.").format(path=path), details=str(exc)
        ) from exc
    version = int(data.get("schema_version", 1))
    while version < SCHEMA_VERSION:
        data = UPGRADES[version](data)
        version += 1
    data["schema_version"] = SCHEMA_VERSION
    settings: Settings = _from_dict(Settings, data)
    return settings


def save_settings(settings: Settings, path: Path) -> None:
    """Write atomically: a crash leaves the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = tomli_w.dumps(asdict(settings))
    fd, tmp = tempfile.mkstemp(prefix=".settings-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

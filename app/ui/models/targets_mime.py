"""Inventory folders and files carried by a drag: the MIME type shared by the trees and lists."""

from __future__ import annotations

import json
from collections.abc import Iterable

from PySide6.QtCore import QByteArray, QMimeData

from app.project.metadata import Target

TARGETS_MIME = "application/x-besace-targets"


def targets_mime(targets: Iterable[Target]) -> QMimeData:
    data = QMimeData()
    items = [{"kind": t.kind, "id": t.id, "rel_path": t.rel_path} for t in targets]
    data.setData(TARGETS_MIME, QByteArray(json.dumps(items).encode("utf-8")))
    data.setText("\n".join(item["rel_path"] or "/" for item in items))  # type: ignore[misc]
    return data


def targets_from_mime(data: QMimeData) -> list[Target]:
    if not data.hasFormat(TARGETS_MIME):
        return []
    try:
        items = json.loads(bytes(data.data(TARGETS_MIME).data()).decode("utf-8"))
        return [Target(str(i["kind"]), int(i["id"]), str(i["rel_path"])) for i in items]
    except (ValueError, KeyError, TypeError):
        return []

"""Descriptive metadata as the archivist writes it: dotted paths, as in Resip's CSV columns.

`Description`, `Keyword.0.KeywordContent`, `Writer.1.FullName`: a name, an optional rank
among its repetitions (0 by default), then the child's name, and so on.
"""

from __future__ import annotations

from typing import Any

from app.errors import AppError
from app.i18n import _
from app.seda.model import Element
from app.seda.ontology import CONTENT_TYPES

ROOT_TYPE = "DescriptiveMetadataContentType"


def to_json(elements: list[Element]) -> list[dict[str, Any]]:
    return [
        {
            "name": e.name,
            **({"text": e.text} if e.text is not None else {}),
            **({"children": to_json(e.children)} if e.children else {}),
            **({"attrs": dict(e.attrs)} if e.attrs else {}),
        }
        for e in elements
    ]


def from_json(data: list[dict[str, Any]]) -> list[Element]:
    return [
        Element(
            str(item["name"]),
            item.get("text"),
            from_json(item.get("children", [])),
            dict(item.get("attrs", {})),
        )
        for item in data
    ]


def _steps(path: str) -> list[tuple[str, int]]:
    parts = [p for p in path.strip().split(".") if p]
    if parts and parts[0] == "Content":  # Resip's column prefix
        parts = parts[1:]
    steps: list[tuple[str, int]] = []
    for part in parts:
        if part.isdigit():
            if not steps:
                raise AppError(_("{path}: a rank must follow a name.").format(path=path))
            name, _rank = steps[-1]
            steps[-1] = (name, int(part))
        else:
            steps.append((part, 0))
    if not steps:
        raise AppError(_("Empty metadata path."))
    return steps


def check_path(path: str) -> None:
    """Refuse a path that no SEDA version knows, naming the wrong element."""
    for types in CONTENT_TYPES.values():
        type_name = ROOT_TYPE
        for name, _rank in _steps(path):
            children = {child: ctype for child, ctype, _r in types.get(type_name, ())}
            if name not in children:
                break
            type_name = children[name]
        else:
            return
    raise AppError(_("{path} is not a SEDA descriptive metadata element.").format(path=path))


def assign(elements: list[Element], path: str, value: str | None) -> None:
    """Set the text at `path` (creating what is missing), or remove it when `value` is None."""
    check_path(path)
    steps = _steps(path)
    level = elements
    for depth, (name, rank) in enumerate(steps):
        same = [e for e in level if e.name == name]
        last = depth == len(steps) - 1
        if rank >= len(same):
            if value is None:
                return
            for _missing in range(rank - len(same) + 1):
                level.append(Element(name))
            same = [e for e in level if e.name == name]
        target = same[rank]
        if last:
            if value is None:
                level.remove(target)
            else:
                target.text = value
                target.children = []
            return
        target.text = None
        level = target.children


def flatten(elements: list[Element], prefix: str = "") -> list[tuple[str, str]]:
    """(dotted path, text) pairs, for display and export."""
    pairs: list[tuple[str, str]] = []
    ranks: dict[str, int] = {}
    for element in elements:
        rank = ranks.get(element.name, 0)
        ranks[element.name] = rank + 1
        path = f"{prefix}{element.name}.{rank}" if rank else f"{prefix}{element.name}"
        if element.children:
            pairs += flatten(element.children, path + ".")
        else:
            pairs.append((path, element.text or ""))
    return pairs

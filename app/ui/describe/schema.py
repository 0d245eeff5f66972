"""What the structured editor needs to know of SEDA descriptive metadata, per version.

Built from `app.seda.ontology` (the element order of the official XSDs): the children of each
type, whether they repeat, whether a type holds text or other elements, and how the top-level
elements are grouped in the form.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from app.i18n import N_
from app.seda.metadata import ROOT_TYPE
from app.seda.model import SEDA_VERSIONS
from app.seda.ontology import CONTENT_TYPES

DEFAULT_VERSION = "2.2"
DATE_TYPES = frozenset({"DateType", "xsd:date", "xsd:dateTime"})

# Top-level elements shown in each group of the form, even when empty ("always"), in order.
# Elements of the version not listed anywhere go to the last group, added on demand.
GROUPS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        N_("Identification"),
        ("Title", "Description", "DescriptionLevel"),
        (
            "FilePlanPosition",
            "OriginatingAgencyArchiveUnitIdentifier",
            "TransferringAgencyArchiveUnitIdentifier",
            "ArchivalAgencyArchiveUnitIdentifier",
            "SystemId",
            "OriginatingSystemId",
            "Type",
            "DocumentType",
            "Status",
            "Version",
            "Source",
        ),
    ),
    (
        N_("Dates"),
        ("StartDate", "EndDate"),
        (
            "CreatedDate",
            "TransactedDate",
            "AcquiredDate",
            "SentDate",
            "ReceivedDate",
            "RegisteredDate",
            "DateLitteral",
        ),
    ),
    (N_("Keywords and language"), ("Keyword", "Language"), ("Tag", "DescriptionLanguage")),
    (
        N_("Agents"),
        ("OriginatingAgency", "Writer", "Addressee"),
        (
            "SubmissionAgency",
            "Agent",
            "AuthorizedAgent",
            "Recipient",
            "Transmitter",
            "Sender",
        ),
    ),
    (N_("History"), ("CustodialHistory",), ("Event", "RelatedObjectReference", "Coverage")),
    (N_("Other elements"), (), ()),
)
OTHER_GROUP = GROUPS[-1][0]


@dataclass(frozen=True, slots=True)
class Child:
    name: str
    type_name: str
    repeatable: bool


def versions() -> tuple[str, ...]:
    return tuple(v for v in SEDA_VERSIONS if v in CONTENT_TYPES)


@cache
def children(version: str, type_name: str) -> tuple[Child, ...]:
    """The elements a type holds, in schema order (empty for a type that holds text)."""
    types = CONTENT_TYPES.get(version) or CONTENT_TYPES[DEFAULT_VERSION]
    return tuple(Child(n, t, r) for n, t, r in types.get(type_name, ()))


def top_level(version: str) -> tuple[Child, ...]:
    return children(version, ROOT_TYPE)


def child(version: str, type_name: str, name: str) -> Child | None:
    return next((c for c in children(version, type_name) if c.name == name), None)


def holds_text(version: str, type_name: str) -> bool:
    return not children(version, type_name)


def group_of(name: str) -> str:
    for title, always, optional in GROUPS:
        if name in always or name in optional:
            return title
    return OTHER_GROUP


def order_index(version: str, type_name: str) -> dict[str, int]:
    return {c.name: i for i, c in enumerate(children(version, type_name))}

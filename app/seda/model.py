"""One version-independent model of a transfer; the manifest writer serialises it per version."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol, TypeVar

SEDA_VERSIONS = ("2.1", "2.2", "2.3")
PROFILES = ("generic", "vitam", "asalae")

# Rule categories in the order of the SEDA management group; HoldRule exists from 2.2.
RULE_CATEGORIES = (
    "StorageRule",
    "AppraisalRule",
    "AccessRule",
    "DisseminationRule",
    "ReuseRule",
    "ClassificationRule",
    "HoldRule",
)
FINAL_ACTIONS = {
    "AppraisalRule": ("Keep", "Destroy"),
    "StorageRule": ("RestrictAccess", "Transfer", "Copy"),
}
DESCRIPTION_LEVELS = (
    "Fonds",
    "Subfonds",
    "Class",
    "Collection",
    "Series",
    "Subseries",
    "RecordGrp",
    "SubGrp",
    "File",
    "Item",
    "OtherLevel",
)


class _Node(Protocol):
    @property
    def children(self) -> Sequence[Any]: ...


NodeT = TypeVar("NodeT", bound=_Node)


def walk_tree(root: NodeT) -> list[NodeT]:
    """A unit and all below it, depth first, in document order, without recursion limits."""
    found: list[NodeT] = []
    stack = [root]
    while stack:
        unit = stack.pop()
        found.append(unit)
        stack.extend(reversed(unit.children))
    return found


@dataclass(slots=True)
class Element:
    """A descriptive metadata element: text, or children, with attributes (e.g. xml:lang)."""

    name: str
    text: str | None = None
    children: list[Element] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class RuleRef:
    rule_id: str
    start_date: date | None = None
    # HoldRule fields that belong to this rule (HoldEndDate, HoldReason…); they win over the
    # category's fields of the same name.
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class RuleCategory:
    rules: list[RuleRef] = field(default_factory=list)
    prevent_inheritance: bool = False
    ref_non_rule_ids: list[str] = field(default_factory=list)
    final_action: str | None = None
    # ClassificationRule: ClassificationLevel, ClassificationOwner…; HoldRule: HoldReason…
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Management:
    categories: dict[str, RuleCategory] = field(default_factory=dict)
    need_authorization: bool | None = None

    def is_empty(self) -> bool:
        return not self.categories and self.need_authorization is None


@dataclass(slots=True)
class DataObject:
    """One file of the package: where it comes from, where it goes, what it is."""

    id: str
    source: bytes  # OS path of the file on the share, exact bytes
    uri: str  # entry in the zip, e.g. content/BDO12.pdf
    size: int
    sha512: bytes
    filename: str
    mtime_ns: int | None = None
    puid: str = ""
    format_name: str = ""
    mime: str = ""
    version: str = "BinaryMaster_1"

    @property
    def last_modified(self) -> datetime | None:
        if self.mtime_ns is None:
            return None
        return datetime.fromtimestamp(self.mtime_ns / 1e9, UTC).astimezone()


@dataclass(slots=True)
class PhysicalObject:
    """A paper or other non-digital object: its version and its description elements
    (PhysicalId, PhysicalDimensions…), in schema order."""

    id: str
    version: str = "PhysicalMaster_1"
    elements: list[Element] = field(default_factory=list)


@dataclass(slots=True)
class ArchiveUnit:
    id: str
    level: str
    title: str
    content: list[Element] = field(default_factory=list)  # besides level, title and dates
    start_date: date | None = None
    end_date: date | None = None
    management: Management | None = None  # None: everything inherited from above
    children: list[ArchiveUnit] = field(default_factory=list)
    group_id: str | None = None  # DataObjectGroup of this unit's objects
    objects: list[DataObject] = field(default_factory=list)
    physical_objects: list[PhysicalObject] = field(default_factory=list)  # same group
    pinned_dates: bool = False  # dates set by the archivist, not computed from the files

    def walk(self) -> list[ArchiveUnit]:
        return walk_tree(self)


@dataclass(slots=True)
class Agency:
    identifier: str
    name: str = ""


@dataclass(slots=True)
class TransferHeader:
    message_identifier: str
    date: datetime
    archival_agency: Agency
    transferring_agency: Agency
    comment: str = ""
    archival_agreement: str = ""
    originating_agency: str = ""
    submission_agency: str = ""
    acquisition_information: str = ""
    legal_status: str = ""  # Public Archive, Private Archive, Public and Private Archive
    archival_profile: str = ""
    management: Management = field(default_factory=Management)


@dataclass(slots=True)
class Transfer:
    header: TransferHeader
    units: list[ArchiveUnit]

    def objects(self) -> list[DataObject]:
        return [obj for root in self.units for unit in root.walk() for obj in unit.objects]

"""Write the SEDA manifest of a transfer, streamed, in the schema order of its version.

lxml's `xmlfile` writes element by element, so a 100,000-object manifest never sits in
memory as a tree.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import IO, Any

from lxml import etree

from app.errors import AppError
from app.i18n import _
from app.seda.model import (
    FINAL_ACTIONS,
    RULE_CATEGORIES,
    ArchiveUnit,
    DataObject,
    Element,
    Management,
    RuleCategory,
    Transfer,
)
from app.seda.ontology import CONTENT_TYPES
from app.seda.schemas import namespace

XML_NS = "http://www.w3.org/XML/1998/namespace"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
CONTENT_ROOT = "DescriptiveMetadataContentType"
# Elements the builder writes itself, from the unit's fields.
RESERVED_CONTENT = {"DescriptionLevel", "Title", "StartDate", "EndDate"}
CLASSIFICATION_FIELDS = (
    "ClassificationAudience",
    "ClassificationLevel",
    "ClassificationOwner",
    "ClassificationReassessingDate",
    "NeedReassessingAuthorization",
)
HOLD_FIELDS = (
    "HoldEndDate",
    "HoldOwner",
    "HoldReassessingDate",
    "HoldReason",
    "PreventRearrangement",
)


class ManifestError(AppError):
    """The transfer cannot be written in the chosen SEDA version."""


def iso_date(value: date) -> str:
    return value.isoformat()


def iso_datetime(value: datetime) -> str:
    return value.replace(microsecond=0).isoformat()


class ManifestWriter:
    def __init__(self, version: str, profile: str) -> None:
        self.version = version
        self.profile = profile
        self.ns = namespace(version)
        self._types = CONTENT_TYPES[version]
        self._orders: dict[str, dict[str, int]] = {
            name: {child: i for i, (child, _t, _r) in enumerate(children)}
            for name, children in self._types.items()
        }
        self._child_types: dict[str, dict[str, str]] = {
            name: {child: ctype for child, ctype, _r in children}
            for name, children in self._types.items()
        }

    # -- entry points --------------------------------------------------------------------------
    def check(self, transfer: Transfer) -> None:
        """Refuse, before anything is written, what this version cannot express: all of it."""
        problems: list[str] = []
        units = [unit for root in transfer.units for unit in root.walk()]
        for unit in units:
            self._check_elements(unit.content, CONTENT_ROOT, unit.id, problems)
            self._check_management(unit.management, unit.id, problems)
        self._check_management(transfer.header.management, "ManagementMetadata", problems)
        if problems:
            raise ManifestError(
                _("The transfer cannot be written in SEDA {version}.").format(version=self.version),
                details="\n".join(problems[:100]),
            )

    def _check_elements(
        self, elements: list[Element], type_name: str, where: str, problems: list[str]
    ) -> None:
        order = self._orders.get(type_name, {})
        unknown = sorted({e.name for e in elements if e.name not in order})
        if unknown:
            problems.append(
                _("Unit {unit}: {elements} cannot be written in SEDA {version}.").format(
                    unit=where, elements=", ".join(unknown), version=self.version
                )
            )
        for element in elements:
            if element.children and element.name in order:
                child_type = self._child_types[type_name][element.name]
                self._check_elements(element.children, child_type, where, problems)

    def _check_management(self, management: Management, where: str, problems: list[str]) -> None:
        if "HoldRule" in management.categories and self.version == "2.1":
            problems.append(
                _("Unit {unit}: HoldRule exists only from SEDA 2.2.").format(unit=where)
            )
        for category, choices in FINAL_ACTIONS.items():
            rules = management.categories.get(category)
            if rules is not None and rules.final_action not in choices:
                problems.append(
                    _("Unit {unit}: {category} needs a final action ({choices}).").format(
                        unit=where, category=category, choices=", ".join(choices)
                    )
                )

    def write(self, transfer: Transfer, out: IO[bytes]) -> None:
        header = transfer.header
        with etree.xmlfile(out, encoding="UTF-8") as xf:
            xf.write_declaration()
            with xf.element(
                self._q("ArchiveTransfer"),
                nsmap={None: self.ns, "xlink": "http://www.w3.org/1999/xlink"},
            ):
                if header.comment:
                    self._leaf(xf, "Comment", header.comment)
                self._leaf(xf, "Date", iso_datetime(header.date))
                self._leaf(xf, "MessageIdentifier", header.message_identifier)
                if header.archival_agreement:
                    self._leaf(xf, "ArchivalAgreement", header.archival_agreement)
                self._code_lists(xf)
                with xf.element(self._q("DataObjectPackage")):
                    for root in transfer.units:
                        for unit in root.walk():
                            if unit.objects:
                                self._object_group(xf, unit)
                    with xf.element(self._q("DescriptiveMetadata")):
                        for root in transfer.units:
                            self._unit(xf, root)
                    self._management_metadata(xf, transfer)
                self._organisation(xf, "ArchivalAgency", header.archival_agency.identifier)
                self._organisation(xf, "TransferringAgency", header.transferring_agency.identifier)

    # -- helpers -------------------------------------------------------------------------------
    def _q(self, name: str) -> str:
        return f"{{{self.ns}}}{name}"

    def _leaf(self, xf: Any, name: str, text: str, attrs: dict[str, str] | None = None) -> None:
        with xf.element(self._q(name), attrs or {}):
            xf.write(text)

    def _organisation(self, xf: Any, name: str, identifier: str) -> None:
        with xf.element(self._q(name)):
            self._leaf(xf, "Identifier", identifier)

    def _code_lists(self, xf: Any) -> None:
        with xf.element(self._q("CodeListVersions")):
            # Vitam and As@lae read these for information only; name the lists we follow.
            self._leaf(xf, "ReplyCodeListVersion", "ReplyCodeListVersion0")
            self._leaf(
                xf,
                "MessageDigestAlgorithmCodeListVersion",
                "MessageDigestAlgorithmCodeListVersion0",
            )
            self._leaf(xf, "FileFormatCodeListVersion", "PRONOM")

    # -- objects -------------------------------------------------------------------------------
    def _object_group(self, xf: Any, unit: ArchiveUnit) -> None:
        with xf.element(self._q("DataObjectGroup"), {"id": str(unit.group_id)}):
            for obj in unit.objects:
                self._binary_object(xf, obj)

    def _binary_object(self, xf: Any, obj: DataObject) -> None:
        with xf.element(self._q("BinaryDataObject"), {"id": obj.id}):
            if self.version == "2.3":
                usage, _sep, number = obj.version.partition("_")
                self._leaf(xf, "DataObjectVersion", obj.version)
                self._leaf(xf, "DataObjectUse", usage)
                if number:
                    self._leaf(xf, "DataObjectNumber", number)
            else:
                self._leaf(xf, "DataObjectVersion", obj.version)
            self._leaf(xf, "Uri", obj.uri)
            self._leaf(xf, "MessageDigest", obj.sha512.hex(), {"algorithm": "SHA-512"})
            self._leaf(xf, "Size", str(obj.size))
            with xf.element(self._q("FormatIdentification")):
                if obj.format_name:
                    self._leaf(xf, "FormatLitteral", obj.format_name)
                if obj.mime:
                    self._leaf(xf, "MimeType", obj.mime)
                if obj.puid:
                    self._leaf(xf, "FormatId", obj.puid)
            with xf.element(self._q("FileInfo")):
                self._leaf(xf, "Filename", obj.filename)
                if obj.last_modified is not None:
                    self._leaf(xf, "LastModified", iso_datetime(obj.last_modified))

    # -- units ---------------------------------------------------------------------------------
    def _unit(self, xf: Any, root: ArchiveUnit) -> None:
        # Iterative, so a deep plan de classement cannot exhaust Python's recursion limit.
        stack: list[tuple[ArchiveUnit, Any]] = []
        pending: list[tuple[ArchiveUnit, int]] = [(root, 0)]
        while pending:
            unit, depth = pending.pop()
            while len(stack) > depth:
                stack.pop()[1].__exit__(None, None, None)
            context = xf.element(self._q("ArchiveUnit"), {"id": unit.id})
            context.__enter__()
            stack.append((unit, context))
            if not unit.management.is_empty():
                with xf.element(self._q("Management")):
                    self._management(xf, unit.management, unit.id)
            self._content(xf, unit)
            if unit.group_id is not None and unit.objects:
                with xf.element(self._q("DataObjectReference")):
                    self._leaf(xf, "DataObjectGroupReferenceId", unit.group_id)
            pending.extend((child, depth + 1) for child in reversed(unit.children))
        while stack:
            stack.pop()[1].__exit__(None, None, None)

    def _content(self, xf: Any, unit: ArchiveUnit) -> None:
        elements = [Element("DescriptionLevel", unit.level), Element("Title", unit.title)]
        for element in unit.content:
            if element.name in RESERVED_CONTENT and element.name != "Title":
                continue
            elements.append(element)
        if unit.start_date is not None:
            elements.append(Element("StartDate", iso_date(unit.start_date)))
        if unit.end_date is not None:
            elements.append(Element("EndDate", iso_date(unit.end_date)))
        with xf.element(self._q("Content")):
            self._elements(xf, elements, CONTENT_ROOT, unit.id)

    def _elements(self, xf: Any, elements: list[Element], type_name: str, where: str) -> None:
        order = self._orders[type_name]
        for element in sorted(elements, key=lambda e: order[e.name]):
            attrs = {
                (f"{{{XML_NS}}}lang" if key in ("xml:lang", "lang") else key): value
                for key, value in element.attrs.items()
            }
            with xf.element(self._q(element.name), attrs):
                if element.children:
                    child_type = self._child_types[type_name][element.name]
                    self._elements(xf, element.children, child_type, where)
                elif element.text is not None:
                    xf.write(element.text)

    # -- management ----------------------------------------------------------------------------
    def _management(self, xf: Any, management: Management, where: str) -> None:
        for category in RULE_CATEGORIES:
            if category == "HoldRule":
                continue  # written after NeedAuthorization, where 2.2+ put it
            rules = management.categories.get(category)
            if rules is not None:
                self._category(xf, category, rules, where)
        if management.need_authorization is not None:
            self._leaf(
                xf, "NeedAuthorization", "true" if management.need_authorization else "false"
            )
        hold = management.categories.get("HoldRule")
        if hold is not None:
            self._category(xf, "HoldRule", hold, where)

    def _category(self, xf: Any, category: str, rules: RuleCategory, where: str) -> None:
        with xf.element(self._q(category)):
            for rule in rules.rules:
                self._leaf(xf, "Rule", rule.rule_id)
                if rule.start_date is not None:
                    self._leaf(xf, "StartDate", iso_date(rule.start_date))
                if category == "HoldRule":
                    for name in HOLD_FIELDS:
                        if name in rules.fields:
                            self._leaf(xf, name, rules.fields[name])
            if category == "ClassificationRule" and "ClassificationAudience" in rules.fields:
                self._leaf(xf, "ClassificationAudience", rules.fields["ClassificationAudience"])
            if rules.prevent_inheritance:
                self._leaf(xf, "PreventInheritance", "true")
            else:
                for ref in rules.ref_non_rule_ids:
                    self._leaf(xf, "RefNonRuleId", ref)
            if category in FINAL_ACTIONS and rules.final_action:
                self._leaf(xf, "FinalAction", rules.final_action)
            if category == "ClassificationRule":
                for name in CLASSIFICATION_FIELDS[1:]:
                    if name in rules.fields:
                        self._leaf(xf, name, rules.fields[name])

    def _management_metadata(self, xf: Any, transfer: Transfer) -> None:
        header = transfer.header
        with xf.element(self._q("ManagementMetadata")):
            if header.archival_profile:
                self._leaf(xf, "ArchivalProfile", header.archival_profile)
            if header.acquisition_information:
                self._leaf(xf, "AcquisitionInformation", header.acquisition_information)
            if header.legal_status:
                self._leaf(xf, "LegalStatus", header.legal_status)
            if header.originating_agency:
                self._leaf(xf, "OriginatingAgencyIdentifier", header.originating_agency)
            if header.submission_agency:
                self._leaf(xf, "SubmissionAgencyIdentifier", header.submission_agency)
            self._management(xf, header.management, "ManagementMetadata")

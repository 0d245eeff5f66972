"""A unit's descriptive metadata as the XML of its `<Content>`, for the expert view.

`to_xml` writes the elements in schema order; `parse_content` reads what the archivist typed
and checks it as SEDA would: well-formed XML, element names allowed where they stand, in the
schema's order, non-repeatable elements once, text only in elements that hold text. Every
problem carries its line, so the editor can point at it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from PySide6.QtCore import QXmlStreamReader

from app.i18n import _
from app.seda.metadata import ROOT_TYPE
from app.seda.model import Element
from app.ui.describe.schema import child, children, holds_text, order_index

INDENT = "  "


def _escape(text: str, *, attribute: bool = False) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if attribute else text


def sorted_elements(elements: list[Element], version: str, type_name: str) -> list[Element]:
    """Schema order (stable); elements the schema does not know stay at the end."""
    order = order_index(version, type_name)
    return sorted(elements, key=lambda e: order.get(e.name, len(order)))


def to_xml(elements: list[Element], version: str) -> str:
    lines = ["<Content>"]

    def write(items: list[Element], type_name: str, depth: int) -> None:
        for e in sorted_elements(items, version, type_name):
            attrs = "".join(f' {k}="{_escape(v, attribute=True)}"' for k, v in e.attrs.items())
            pad = INDENT * depth
            if e.children:
                lines.append(f"{pad}<{e.name}{attrs}>")
                found = child(version, type_name, e.name)
                write(e.children, found.type_name if found else "", depth + 1)
                lines.append(f"{pad}</{e.name}>")
            else:
                lines.append(f"{pad}<{e.name}{attrs}>{_escape(e.text or '')}</{e.name}>")

    write(elements, ROOT_TYPE, 1)
    lines.append("</Content>")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class XmlProblem:
    line: int
    message: str


@dataclass(slots=True)
class ParsedContent:
    elements: list[Element]
    problems: list[XmlProblem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems


@dataclass(slots=True)
class _Open:
    element: Element
    type_name: str  # "" when the element is not known here: nothing below is checked
    line: int
    last_index: int = -1
    last_name: str = ""
    seen: set[str] = field(default_factory=set)
    text: list[str] = field(default_factory=list)


def parse_content(text: str, version: str) -> ParsedContent:
    """The elements of a `<Content>` document, and what is wrong with it (if anything)."""
    reader = QXmlStreamReader(text)
    reader.setNamespaceProcessing(False)
    result = ParsedContent([])
    stack: list[_Open] = []
    root_seen = False

    def problem(line: int, message: str) -> None:
        result.problems.append(XmlProblem(line, message))

    while not reader.atEnd():
        token = reader.readNext()
        line = int(reader.lineNumber())
        if token == QXmlStreamReader.TokenType.StartElement:
            name = str(reader.qualifiedName())
            found = reader.attributes()
            attrs = {
                str(found.at(i).qualifiedName()): str(found.at(i).value())
                for i in range(found.size())
            }
            if not root_seen:
                root_seen = True
                if name != "Content":
                    problem(
                        line,
                        _("The root element must be <Content>, not <{name}>.").format(name=name),
                    )
                stack.append(_Open(Element("Content"), ROOT_TYPE, line))
                continue
            parent = stack[-1]
            element = Element(name, attrs=attrs)
            parent.element.children.append(element)
            type_name = ""
            if parent.type_name:
                known = child(version, parent.type_name, name)
                if known is None:
                    names = [c.name for c in children(version, parent.type_name)]
                    close = difflib.get_close_matches(name, names, n=1)
                    problem(
                        line,
                        _("<{name}> is not allowed in <{parent}> in SEDA {version}.").format(
                            name=name, parent=parent.element.name, version=version
                        )
                        + (
                            " " + _("Did you mean <{name}>?").format(name=close[0]) if close else ""
                        ),
                    )
                else:
                    type_name = known.type_name
                    index = order_index(version, parent.type_name)[name]
                    if name in parent.seen and not known.repeatable:
                        problem(
                            line,
                            _("<{name}> can appear only once in <{parent}>.").format(
                                name=name, parent=parent.element.name
                            ),
                        )
                    elif index < parent.last_index:
                        problem(
                            line,
                            _("<{name}> must come before <{previous}> (SEDA order).").format(
                                name=name, previous=parent.last_name
                            ),
                        )
                    parent.seen.add(name)
                    if index >= parent.last_index:
                        parent.last_index, parent.last_name = index, name
            stack.append(_Open(element, type_name, line))
        elif token == QXmlStreamReader.TokenType.Characters and stack:
            stack[-1].text.append(str(reader.text()))
        elif token == QXmlStreamReader.TokenType.EndElement and stack:
            closed = stack.pop()
            text = "".join(closed.text).strip()
            element = closed.element
            if element.children:
                if text:
                    problem(
                        closed.line,
                        _("<{name}> holds elements; its text {text!r} has no place.").format(
                            name=element.name, text=text[:40]
                        ),
                    )
            elif closed.type_name and not holds_text(version, closed.type_name):
                if text:
                    problem(
                        closed.line,
                        _("<{name}> holds other elements, not text.").format(name=element.name),
                    )
            else:
                element.text = text
            if not stack:
                result.elements = element.children
    if reader.hasError():  # the XML itself first: what follows may only be its echo
        result.problems.insert(
            0,
            XmlProblem(
                int(reader.lineNumber()),
                _("The XML is not well formed: {error}").format(error=reader.errorString()),
            ),
        )
    elif not root_seen:
        problem(1, _("Write the unit's description inside <Content>…</Content>."))
    return result


def element_problems(
    elements: list[Element], version: str, type_name: str = ROOT_TYPE
) -> list[str]:
    """What SEDA `version` refuses in an element list (names, repetitions), in words."""
    problems: list[str] = []
    seen: set[str] = set()
    for e in elements:
        known = child(version, type_name, e.name)
        if known is None:
            problems.append(
                _("<{name}> does not exist in SEDA {version}.").format(name=e.name, version=version)
            )
            continue
        if e.name in seen and not known.repeatable:
            problems.append(_("<{name}> appears more than once.").format(name=e.name))
        seen.add(e.name)
        if e.children:
            problems.extend(element_problems(e.children, version, known.type_name))
    return problems

"""The expert view: the unit's `<Content>` as XML, checked as you type.

A moment after each keystroke the text is parsed and checked against the SEDA ontology; the
first problem is said in words with its line number, and that line is marked in the margin
and highlighted. Valid XML replaces the unit's elements (`parsed` signal).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFontDatabase, QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QTextEdit, QVBoxLayout, QWidget

from app.i18n import _
from app.seda.model import Element
from app.ui.describe.content_xml import ParsedContent, XmlProblem, parse_content, to_xml

CHECK_DELAY_MS = 300


class XmlEditor(QWidget):
    parsed = Signal(object)  # list[Element], after an edit that left valid XML

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.version = "2.2"
        self.problems: list[XmlProblem] = []
        self._loading = False
        self.text = QPlainTextEdit()
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setAccessibleName(_("Descriptive metadata as XML"))
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setTabChangesFocus(False)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName(_("Check of the XML"))
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.status)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CHECK_DELAY_MS)
        self._timer.timeout.connect(self.check)
        self.text.textChanged.connect(self._typed)

    def set_elements(self, elements: list[Element], version: str) -> None:
        self.version = version
        self._loading = True
        try:
            self.text.setPlainText(to_xml(elements, version))
        finally:
            self._loading = False
        self.check(emit=False)

    @property
    def valid(self) -> bool:
        return not self.problems

    def pending(self) -> bool:
        return self._timer.isActive()

    def _typed(self) -> None:
        if not self._loading:
            self._timer.start()

    def check(self, *, emit: bool = True) -> ParsedContent:
        self._timer.stop()
        result = parse_content(self.text.toPlainText(), self.version)
        self.problems = result.problems
        self._mark(result.problems[0] if result.problems else None)
        if result.problems:
            first = result.problems[0]
            more = len(result.problems) - 1
            text = "⚠ " + _("Line {line}: {message}").format(line=first.line, message=first.message)
            if more:
                text += " " + _("(and {n} other problems)").format(n=more)
            self.status.setText(text)
        else:
            self.status.setText(
                "✓ " + _("Well-formed, and valid for SEDA {version}.").format(version=self.version)
            )
            if emit:
                self.parsed.emit(result.elements)
        return result

    def _mark(self, problem: XmlProblem | None) -> None:
        if problem is None:
            self.text.setExtraSelections([])
            return
        block = self.text.document().findBlockByLineNumber(max(0, problem.line - 1))
        selection = QTextEdit.ExtraSelection()
        selection.format.setBackground(QColor(255, 220, 200))
        selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        selection.format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        cursor = QTextCursor(block)
        selection.cursor = cursor
        self.text.setExtraSelections([selection])

    def go_to_problem(self) -> None:
        if not self.problems:
            return
        block = self.text.document().findBlockByLineNumber(max(0, self.problems[0].line - 1))
        self.text.setTextCursor(QTextCursor(block))
        self.text.setFocus()

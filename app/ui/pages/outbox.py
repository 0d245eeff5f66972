"""Envoi: the packages waiting in the outbox, sending them, and what the SAE answered.

Sending is `app.transfer.outbox.Outbox.run`, on the writing thread. Nothing here needs the
network to work: packages wait in the outbox until "Send now" finds the server reachable.
"""

from __future__ import annotations

import threading
import xml.dom.minidom
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import QItemSelection, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.errors import AppError
from app.i18n import N_, _, format_bytes
from app.paths import settings_file
from app.project.lock import ProjectLock
from app.project.preferences import TARGET_SERVER, get_preference
from app.project.store import Project
from app.settings import ServerSettings, load_settings
from app.tasks import CancelToken, Progress, ProgressSink
from app.transfer.atr import MalformedReply, parse_reply
from app.transfer.connectors import Connector, make_connector
from app.transfer.outbox import (
    DONE,
    Outbox,
    RunSummary,
    StoredReply,
    enqueue,
    get_transfer,
    list_transfers,
    replies,
    retry,
)
from app.ui.icons import icon
from app.ui.models.table import Column, SqlTableModel
from app.ui.pages.base import Page
from app.ui.secrets import ask_missing_secrets, credentials_of
from app.ui.session import Session
from app.ui.tasks import TaskRunner

MAX_SHOWN_REPLY = 8 << 20
STATE_ICONS = {
    "prepared": "queue",
    "validated": "ok",
    "sending": "send",
    "sent": "send",
    "accepted": "ok",
    "accepted_warnings": "warning",
    "rejected": "error",
    "failed": "error",
}
ID_ROLE = Qt.ItemDataRole.UserRole


def state_text(state: Any) -> str:
    """A transfer state in words ("accepted_warnings" → "accepted with warnings")."""
    text = _(str(state or ""))
    return text.replace("_", " ") if text == state else text


def pretty_xml(content: bytes) -> str:
    """The reply indented for reading; as received when it is not plain, small XML."""
    text = content[:MAX_SHOWN_REPLY].decode("utf-8", "replace")
    # Untrusted: anything declaring a DTD or entities is shown as text, never expanded.
    if len(content) > MAX_SHOWN_REPLY or "<!DOCTYPE" in text or "<!ENTITY" in text:
        return text
    try:
        dom = xml.dom.minidom.parseString(content)
    except Exception:  # not XML (an HTML error page, JSON…): show it as received
        return text
    lines = dom.toprettyxml(indent="  ").splitlines()
    return "\n".join(line for line in lines if line.strip())


REPLY_KINDS = {
    "upload": N_("Answer to the upload"),
    "atr": N_("Transfer reply (ATR)"),
    "atr-malformed": N_("Unreadable transfer reply"),
    "error": N_("Error answer"),
}


def reply_kind_text(kind: str) -> str:
    return _(REPLY_KINDS[kind]) if kind in REPLY_KINDS else kind


def server_kind(settings_servers: list[ServerSettings], name: str) -> str:
    for server in settings_servers:
        if server.name == name:
            return server.kind
    return "vitam"


class OutboxPage(Page):
    page_id = "outbox"

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._sending = False
        intro = QLabel(
            _(
                "Packages wait here until they are sent. Without network, they simply wait:"
                " press “Send now” when the server is reachable again."
            )
        )
        intro.setWordWrap(True)

        self.model = SqlTableModel(
            [
                Column("#", "id", align_right=True),
                Column(_("Package"), "message_identifier", tooltip=lambda v: str(v or "")),
                Column(_("Server"), "server"),
                Column(
                    _("State"),
                    "state",
                    format=state_text,
                    decoration=lambda v: icon(STATE_ICONS.get(str(v), "info")),
                ),
                Column(_("Attempts"), "attempts", align_right=True),
                Column(_("Reply"), "coalesce(reply_code, '')"),
                Column(_("Queued"), "created_at", format=_when),
                Column(_("Updated"), "updated_at", format=_when),
                Column(
                    _("Size"),
                    "package_size",
                    format=lambda v: format_bytes(int(v or 0)),
                    align_right=True,
                ),
                Column(_("Last error"), "coalesce(last_error, '')", tooltip=str),
            ],
            "transfer",
            key="id",
            parent=self,
        )
        self.table = QTableView()
        self.table.setAccessibleName(_("Transfers in the outbox"))
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setObjectName("outbox-header")  # its state is kept (window.ini)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        widths = (40, 185, 135, 140, 60, 75, 120, 120, 75)
        for column, width in enumerate(widths):
            header.resizeSection(column, width)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.empty = QLabel(
            _(
                "The outbox is empty. Build a package on the Packages step, or queue a package"
                " already built with “Queue a package…”."
            )
        )
        self.empty.setWordWrap(True)

        self.send_button = QPushButton(icon("send"), _("&Send now"))
        self.send_button.setAccessibleName(_("Send the waiting packages now"))
        self.send_button.clicked.connect(self.send_now)
        self.retry_button = QPushButton(icon("retry"), _("&Retry"))
        self.retry_button.setAccessibleName(_("Send the selected transfer again"))
        self.retry_button.setToolTip(_("After fixing the cause of a failure, or to send it now."))
        self.retry_button.clicked.connect(self.retry_selected)
        self.folder_button = QPushButton(icon("folder"), _("Open package &folder"))
        self.folder_button.setAccessibleName(_("Open the folder of the selected package"))
        self.folder_button.clicked.connect(self.open_folder)
        self.queue_button = QPushButton(icon("queue"), _("&Queue a package…"))
        self.queue_button.setAccessibleName(_("Queue a package already built"))
        self.queue_button.clicked.connect(self.queue_dialog)
        buttons = QHBoxLayout()
        for button in (self.send_button, self.retry_button, self.folder_button, self.queue_button):
            buttons.addWidget(button)
        buttons.addStretch(1)

        self.activity = QLabel()
        self.activity.setWordWrap(True)
        self.activity.setAccessibleName(_("Last sending activity"))
        self.activity.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        # -- replies
        self.replies = QListWidget()
        self.replies.setAccessibleName(_("Replies received for the selected transfer"))
        self.replies.currentItemChanged.connect(self._show_reply)
        self.reply_summary = QLabel(_("Select a transfer to see the replies of the SAE."))
        self.reply_summary.setWordWrap(True)
        self.reply_summary.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.reply_summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reply_text = QPlainTextEdit()
        self.reply_text.setReadOnly(True)
        self.reply_text.setAccessibleName(_("Reply as received (XML)"))
        self.reply_text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.reply_text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        reply_box = QGroupBox(_("Replies of the SAE (ATR)"))
        reply_layout = QHBoxLayout(reply_box)
        left = QVBoxLayout()
        left.addWidget(self.replies)
        reply_layout.addLayout(left, 1)
        right = QVBoxLayout()
        right.addWidget(self.reply_summary)
        right.addWidget(self.reply_text, 1)
        reply_layout.addLayout(right, 3)

        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addWidget(self.empty)
        upper_layout.addWidget(self.table, 1)
        upper_layout.addLayout(buttons)
        upper_layout.addWidget(self.activity)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setObjectName("outbox-splitter")
        splitter.addWidget(upper)
        splitter.addWidget(reply_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(splitter, 1)

        session.project_changed.connect(self.refresh)
        session.outbox_changed.connect(self.refresh)
        self.refresh()

    def title(self) -> str:
        return _("Sending")

    def icon_name(self) -> str:
        return "outbox"

    def activated(self) -> None:
        self.refresh()

    def step_state(self) -> tuple[str, str] | None:
        project = self.session.project
        if project is None:
            return None
        states = [t.state for t in list_transfers(project)]
        if not states:
            return None
        refused = sum(1 for s in states if s in ("failed", "rejected"))
        if refused:
            return "problems", _("{n} transfers failed or refused").format(n=refused)
        waiting = sum(1 for s in states if s not in (*DONE, "sent"))
        if waiting:
            return "todo", _("{n} packages waiting to be sent").format(n=waiting)
        return "done", _("every package was sent")

    # -- table -----------------------------------------------------------------------------
    def refresh(self) -> None:
        selected = self.selected_id()
        project = self.session.project
        self.model.set_query(project.conn if project else None)
        self.empty.setVisible(self.model.rowCount() == 0)
        if selected is not None and (row := self.model.row_of(selected)) >= 0:
            self.table.selectRow(row)
        self._update_buttons()
        self._load_replies()

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.model.key(rows[0].row()) if rows else None

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._update_buttons()
        self._load_replies()

    def _update_buttons(self) -> None:
        project = self.session.project
        selected = self.selected_id()
        can_retry = False
        if project is not None and selected is not None:
            t = get_transfer(project, selected)
            # Failed, or waiting for a later attempt after an error: "now" instead of "later".
            can_retry = t.state == "failed" or (
                t.state not in DONE and t.next_attempt_at is not None and bool(t.last_error)
            )
        waiting = project is not None and any(
            t.state not in (*DONE, "failed") for t in list_transfers(project)
        )
        self.send_button.setEnabled(waiting and not self._sending)
        self.retry_button.setEnabled(can_retry and not self._sending)
        self.folder_button.setEnabled(selected is not None)
        self.queue_button.setEnabled(project is not None and not self._sending)

    # -- replies ---------------------------------------------------------------------------
    def _load_replies(self) -> None:
        self.replies.clear()
        self.reply_text.clear()
        project = self.session.project
        selected = self.selected_id()
        if project is None or selected is None:
            self.reply_summary.setText(_("Select a transfer to see the replies of the SAE."))
            return
        stored = replies(project, selected)
        if not stored:
            self.reply_summary.setText(_("No reply from the SAE yet for this transfer."))
            return
        for reply in stored:
            label = f"{reply_kind_text(reply.kind)}\n{reply.received_at.replace('T', ' ')[:19]}"
            if reply.http_status:
                label += f" · HTTP {reply.http_status}"
            item = QListWidgetItem(icon("reply"), label)
            item.setData(ID_ROLE, reply.id)
            self.replies.addItem(item)
        atrs = [i for i, r in enumerate(stored) if r.kind.startswith("atr")]
        self.replies.setCurrentRow(atrs[-1] if atrs else len(stored) - 1)

    def _show_reply(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        project = self.session.project
        selected = self.selected_id()
        if item is None or project is None or selected is None:
            return
        reply_id = int(item.data(ID_ROLE))
        reply = next((r for r in replies(project, selected) if r.id == reply_id), None)
        if reply is None:
            return
        self.reply_summary.setText(self._reply_summary(project, selected, reply))
        self.reply_text.setPlainText(pretty_xml(reply.content))
        self.reply_text.setVisible(bool(reply.content))

    def _reply_summary(self, project: Project, transfer_id: int, reply: StoredReply) -> str:
        if not reply.kind.startswith("atr"):
            text = reply_kind_text(reply.kind)
            if reply.http_status:
                text += f" (HTTP {reply.http_status})"
            if not reply.content:
                text += " — " + _("no content (a drop folder does not answer).")
            return text
        try:
            servers = load_settings(settings_file()).servers
        except AppError:
            servers = []
        transfer = get_transfer(project, transfer_id)
        try:
            parsed = parse_reply(reply.content, kind=server_kind(servers, transfer.server))
        except MalformedReply as exc:
            return _("Unreadable reply: {message}").format(message=exc.message)
        lines = [
            _("ReplyCode: {code} — {outcome}").format(
                code=parsed.reply_code, outcome=state_text(parsed.outcome)
            )
        ]
        lines += parsed.events[:5]
        if parsed.system_ids:
            lines.append(_("Archive identifier: {id}").format(id=parsed.system_ids[0]))
        return "\n".join(lines)

    # -- actions ---------------------------------------------------------------------------
    def send_now(self) -> None:
        project = self.session.project
        if project is None or self._sending:
            return
        try:
            servers = load_settings(settings_file()).servers
        except AppError as exc:
            self.session.status_message.emit(exc.message)
            return
        credentials = credentials_of(self.session)
        used = {t.server for t in list_transfers(project) if t.state not in (*DONE, "failed")}
        if not ask_missing_secrets(self, credentials, [s for s in servers if s.name in used]):
            return
        lock = threading.Lock()
        messages: list[str] = []

        def connector_for(server: ServerSettings) -> Connector:
            return make_connector(server, credentials)

        def work(token: CancelToken, progress: ProgressSink) -> tuple[RunSummary, list[str]]:
            def report(message: str) -> None:
                with lock:
                    messages.append(message)
                progress(Progress(0, 0, message))

            with ProjectLock(project.path):
                outbox = Outbox(project, servers, connector_for, token=token, report=report)
                return outbox.run(), messages

        self._sending = True
        self._update_buttons()
        self.activity.setText(_("Sending…"))
        task = TaskRunner.of(self.session).write(_("Sending the outbox"), work)
        task.progressed.connect(self._sending_progress)
        task.succeeded.connect(self._sent)
        task.finished.connect(self._sending_finished)

    def _sending_progress(self, progress: Progress) -> None:
        self.activity.setText(progress.message)
        self.refresh()

    def _sent(self, result: object) -> None:
        summary, messages = cast(tuple[RunSummary, list[str]], result)
        lines = list(messages[-8:])
        if summary.offline:
            lines.append(_("The server could not be reached: the packages stay in the outbox."))
        if summary.waiting:
            lines.append(
                _("{n} transfers wait for a retry or a reply: send again later.").format(
                    n=summary.waiting
                )
            )
        if not lines:
            lines.append(_("Nothing was due for sending."))
        self.activity.setText("\n".join(lines))

    def _sending_finished(self) -> None:
        self._sending = False
        self.session.outbox_changed.emit()  # → refresh

    def retry_selected(self) -> None:
        project = self.session.project
        selected = self.selected_id()
        if project is None or selected is None:
            return

        def work(_token: CancelToken, _progress: ProgressSink) -> object:
            return retry(project, selected)

        task = TaskRunner.of(self.session).write(_("Retry a transfer"), work)
        task.succeeded.connect(
            lambda _t: self.session.status_message.emit(
                _("Transfer #{n} will be sent with the next “Send now”.").format(n=selected)
            )
        )
        task.finished.connect(self.session.outbox_changed)

    def open_folder(self) -> None:
        project = self.session.project
        selected = self.selected_id()
        if project is None or selected is None:
            return
        folder = Path(get_transfer(project, selected).package_path).parent
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def queue_dialog(self) -> None:
        project = self.session.project
        if project is None:
            return
        chosen, _filter = QFileDialog.getOpenFileName(
            self, _("Package to queue"), "", _("SEDA packages (*.zip)")
        )
        if not chosen:
            return
        try:
            servers = [s.name for s in load_settings(settings_file()).servers]
        except AppError:
            servers = []
        if not servers:
            self.activity.setText(
                _("No server configured: add one in the Settings before queuing a package.")
            )
            return
        target = get_preference(project.conn, TARGET_SERVER)
        current = servers.index(target) if target in servers else 0
        server, ok = QInputDialog.getItem(
            self, _("Queue a package"), _("Send to the server:"), servers, current, False
        )
        if ok and server:
            self.queue_package(Path(chosen), server)

    def queue_package(self, package: Path, server: str) -> None:
        project = self.session.project
        if project is None:
            return

        def work(_token: CancelToken, _progress: ProgressSink) -> object:
            return enqueue(project, package, server)

        task = TaskRunner.of(self.session).write(
            _("Queuing {name}").format(name=package.name), work
        )
        task.succeeded.connect(
            lambda _t: self.session.status_message.emit(
                _("{name} queued for {server}.").format(name=package.name, server=server)
            )
        )
        task.finished.connect(self.session.outbox_changed)


def _when(value: Any) -> str:
    return str(value or "").replace("T", " ")[:16]

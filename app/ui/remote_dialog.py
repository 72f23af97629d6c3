"""File > Open remote…: where a model runs on another machine. The host (`[user@]host[:port]`,
an editable list of the recently used ones), the model's path on the host, the python there,
extra ssh options, and "upload this local file" (then the path is a local file, picked with a
file dialog, that the runner copies to the host first). OK checks the fields with
`RemoteTarget.parse`: a mistake is said in the dialog, which stays open."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from app.present.remote_view import RemoteEntry
from app.ui.text import plain_label, plain_tooltip, shrinkable

__all__ = ["RemoteDialog", "target_of"]


def target_of(entry: RemoteEntry) -> Any:
    """The `RemoteTarget` an entry names (ValueError, naming the text, when it is not one)."""
    from app.runner.remote import RemoteTarget

    return RemoteTarget.parse(entry.destination, tuple(entry.ssh_options), entry.python,
                              entry.upload)


class RemoteDialog(QDialog):
    """The Open remote dialog. After `exec()` accepted: `entry` (what to remember) and
    `target` (the parsed `RemoteTarget`)."""

    def __init__(self, hosts: list[str], parent: QWidget | None = None,
                 entry: RemoteEntry | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Open remote model")
        self.entry: RemoteEntry | None = None
        self.target: Any = None
        self.host = QComboBox()
        self.host.setObjectName("remote_host")
        self.host.setEditable(True)
        self.host.addItems(hosts)  # recently used, newest first
        self.host.setCurrentText(entry.destination if entry else (hosts[0] if hosts else ""))
        edit = self.host.lineEdit()
        if edit is not None:  # editable: it has one
            edit.setPlaceholderText("[user@]host[:port] or an ssh config alias")
        self.path = QLineEdit(entry.path if entry else "")
        self.path.setObjectName("remote_path")
        self.path.setPlaceholderText("/home/me/project/model.py (a path on the host)")
        self.python = QLineEdit(entry.python if entry and entry.python != "python3" else "")
        self.python.setPlaceholderText("python3 (or the python of a venv there)")
        self.options = QLineEdit(shlex.join(entry.ssh_options) if entry else "")
        self.options.setPlaceholderText("e.g. -J jump-host -o ConnectTimeout=10")
        self.upload = QCheckBox("Upload this local file (copied to a temporary folder there)")
        self.upload.setChecked(bool(entry and entry.upload))
        self.browse = QPushButton("Choose…")
        self.browse.setToolTip(plain_tooltip("Pick the local model file to upload"))
        self.browse.clicked.connect(self._on_browse_clicked)
        self.upload.toggled.connect(self._on_upload_toggled)
        self.error = shrinkable(plain_label("", wrap=True))
        self.error.setObjectName("remote_error")
        self.error.setStyleSheet("color: #e4002b;")
        self.error.hide()
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(self.browse)
        form = QFormLayout(self)
        form.addRow("Host", self.host)
        self.path_label = plain_label("Model path on the host")
        form.addRow(self.path_label, path_row)
        form.addRow("", self.upload)
        form.addRow("Remote python", self.python)
        form.addRow("ssh options", self.options)
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self._on_upload_toggled(self.upload.isChecked())
        self.resize(560, self.sizeHint().height())

    def _on_upload_toggled(self, on: bool) -> None:
        self.browse.setVisible(on)
        self.path_label.setText("Local model file" if on else "Model path on the host")

    def _on_browse_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Model to upload", "", "Python (*.py)")
        if path:
            self.path.setText(path)

    def read(self) -> tuple[RemoteEntry, Any]:
        """The entry and target the fields name; ValueError saying what is wrong."""
        host = self.host.currentText().strip()
        path = self.path.text().strip()
        try:
            options = tuple(shlex.split(self.options.text()))
        except ValueError as exc:
            raise ValueError(f"ssh options: {exc}") from None
        entry = RemoteEntry(host, path, options, self.python.text().strip() or "python3",
                            self.upload.isChecked())
        target = target_of(entry)  # ValueError naming the host text
        if not path:
            raise ValueError("give the model's path" + (
                "" if entry.upload else " on the host"))
        if entry.upload and not Path(path).is_file():
            raise ValueError(f"{path} is not a local file: choose the file to upload")
        return entry, target

    def accept(self) -> None:
        try:
            self.entry, self.target = self.read()
        except ValueError as exc:
            self.error.setText(str(exc))
            self.error.show()
            self.adjustSize()  # room for the wrapped sentence: a cut one hides the advice
            return
        self.error.hide()
        super().accept()

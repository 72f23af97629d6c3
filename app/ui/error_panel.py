"""ErrorPanel: runner errors, the user's `file:line` first, dismissible; a dead worker shows why
and offers Restart. It sits above the graph and never blocks anything."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from app.ui.text import clip, plain_label, shrinkable


class ErrorPanel(QFrame):
    """Shows the latest error. Signals: restart_requested, dismissed."""

    restart_requested = Signal()
    dismissed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("ErrorPanel")
        # Everything here quotes the script, the worker or a session file: plain text only.
        self.location = _error_label(bold=True)
        self.message = _error_label()
        self.details = _error_label()
        self.details.setStyleSheet("font-family: monospace; font-size: 8pt;")
        self.restart_button = QPushButton("Restart")
        self.restart_button.clicked.connect(self.restart_requested)
        self.dismiss_button = QPushButton("Dismiss")
        self.dismiss_button.clicked.connect(self._on_dismiss_button_clicked)
        text = QVBoxLayout()
        for w in (self.location, self.message, self.details):
            text.addWidget(w)
        lay = QHBoxLayout(self)
        lay.addLayout(text, 1)
        lay.addWidget(self.restart_button)
        lay.addWidget(self.dismiss_button)
        self.error: Any = None
        self.hide()

    def show_error(self, error: Any) -> None:
        """A protocol.Error: location (file:line) first, then the message and traceback tail."""
        self.error = error
        self.location.setText(clip(str(error.location)) if error.location else
                              f"{clip(str(error.kind), 80)} error")
        self.message.setText(clip(str(error.message)))
        details = str(error.details or "")
        tail = "\n".join(details.strip().splitlines()[-6:]) if details else ""
        self.details.setText(clip(tail))
        self.details.setVisible(bool(tail))
        self.restart_button.setVisible(error.kind in ("syntax", "script", "killed", "device"))
        self.show()

    def show_stopped(self, error: Any, killed: bool = False) -> None:
        """Stop did what the user asked: say so, and where the script was (the worker's
        `file:line` of the user's code and its source line, when it was still running it),
        rather than reading like a crash."""
        self.error = error
        where = str(getattr(error, "location", "") or "")
        self.location.setText(clip(f"Stopped by you at {where}" if where else "Stopped by you"))
        if killed:
            message = ("the script did not answer Stop in time, so its worker was ended; "
                       "Restart to run again")
        else:
            message = str(getattr(error, "message", "") or "the run was stopped")
        self.message.setText(clip(message))
        details = str(getattr(error, "details", "") or "").strip()
        tail = "\n".join(details.splitlines()[-3:]) if details else ""
        self.details.setText(clip(tail))
        self.details.setVisible(bool(tail))
        self.restart_button.setVisible(killed)
        self.show()

    def show_death(self, died: Any) -> None:
        """A protocol.Died: why the worker ended, and a Restart button."""
        self.error = died
        self.location.setText("The worker process died")
        self.message.setText(clip(str(died.message or f"exit code {died.exitcode}")))
        self.details.hide()
        self.restart_button.show()
        self.show()

    def _on_dismiss_button_clicked(self) -> None:
        self.hide()
        self.dismissed.emit()


def _error_label(bold: bool = False) -> QLabel:
    """A wrapped, selectable plain-text label that a very long line cannot widen the window
    with (its width follows the panel, not the text)."""
    return shrinkable(plain_label(bold=bold, wrap=True))

"""LinkBanner: above the graph when the link to a remote worker dropped: "Connection to HOST
lost: REASON - N iterations kept", with Reconnect (a fresh worker over a new link, a new run;
nothing is resumed) and Dismiss. What was received stays: the scrubber, the graph and the docks
keep working offline, and Save session writes it locally. A new run hides the banner."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton

from app.present.remote_view import lost_text
from app.ui.text import plain_label, plain_tooltip, shrinkable

__all__ = ["LinkBanner"]


class LinkBanner(QFrame):
    """The lost link's one line. Signal: reconnect_requested (the Reconnect button)."""

    reconnect_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("LinkBanner")
        self.setStyleSheet("#LinkBanner { background: #4a3a10; border: 1px solid #e0a800; }"
                           "#LinkBanner QLabel { color: #fff4d6; }")
        # The reason quotes ssh and the host: plain text; a narrow window wraps it.
        self.label = shrinkable(plain_label(bold=True, wrap=True))
        self.reconnect_button = QPushButton("Reconnect")
        self.reconnect_button.setObjectName("link_reconnect")
        self.reconnect_button.setToolTip(plain_tooltip(
            "Start a fresh worker on the host: a new run, from the start (what was received "
            "stays shown until it loads; Save session keeps it for good)"))
        self.reconnect_button.clicked.connect(self.reconnect_requested)
        self.dismiss_button = QPushButton("Dismiss")
        self.dismiss_button.clicked.connect(self.hide)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 4, 8, 4)
        lay.addWidget(self.label, 1)
        lay.addWidget(self.reconnect_button)
        lay.addWidget(self.dismiss_button)
        self.hide()

    def show_lost(self, host: str, reason: str, kept: int) -> None:
        text = lost_text(host, reason, kept)
        self.label.setText(text)
        self.label.setToolTip(plain_tooltip(text))
        self.show()

    def clear(self) -> None:
        self.label.setText("")
        self.hide()

    @property
    def text(self) -> Any:
        return self.label.text()

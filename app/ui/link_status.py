"""The status bar's link field: which host the worker runs on ("on gpu-box") and the link's
health (round-trip time, event bytes per second) from `Driver.link_health()`, refreshed once a
second by a timer that only reads the driver's figures (no work on the GUI thread). When the
link to a remote worker is slow (a round trip over 250 ms, or events piling up unread for two
refreshes) a button next to it lowers the recording level in one click."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from app.present.remote_view import is_slow, link_text, lower_level
from app.ui.text import plain_label, plain_tooltip

__all__ = ["REFRESH_MS", "LinkStatus"]

REFRESH_MS = 1000


class LinkStatus(QWidget):
    """Host and link health of the window's worker, with the slow-link button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("link_status")
        self.label = plain_label("")
        self.label.setObjectName("link_label")
        self.slow_button = QPushButton("")
        self.slow_button.setObjectName("link_slow")
        self.slow_button.setFlat(True)
        self.slow_button.clicked.connect(self._on_slow_button_clicked)
        self.slow_button.hide()
        lay = QHBoxLayout(self)
        lay.setContentsMargins(12, 0, 4, 0)  # apart from the run's state beside it
        lay.addWidget(self.slow_button)
        lay.addWidget(self.label)
        self.window_: Any = None
        self._backlog_ticks = 0  # refreshes in a row that found events waiting unread
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)

    def attach(self, window: Any) -> None:
        """Follow `window`'s runner; the slow-link button acts on its recording control."""
        self.window_ = window
        window.statusBar().addPermanentWidget(self)
        self.timer.start()

    def refresh(self) -> None:
        """Read the driver's link health and show it (cheap: a dataclass and a label)."""
        runner = getattr(self.window_, "runner", None)
        health = None if runner is None or runner.driver is None else runner.link_health()
        if runner is not None and health is not None and getattr(health, "host", None) is None:
            remote = runner.remote  # a runner whose health does not name the host
            if remote is not None:
                health = _with_host(health, getattr(remote, "label", ""))
        self._backlog_ticks = self._backlog_ticks + 1 if (
            runner is not None and runner.backlogged()) else 0
        self.label.setText(link_text(health))
        self.label.setVisible(health is not None)
        # Only a link to another machine is offered the remedy: a local window that falls
        # behind is not a slow link (and says nothing it cannot back up).
        remote = health is not None and bool(getattr(health, "host", None))
        self._show_slow(remote and is_slow(health, self._backlog_ticks >= 2))

    def _show_slow(self, slow: bool) -> None:
        level = self.window_.toolbar.recording.currentText() if slow else ""
        lower = lower_level(level) if slow else None
        if lower is None:
            self.slow_button.hide()
            return
        self.slow_button.setText(f"slow link: record '{lower}'")
        self.slow_button.setToolTip(plain_tooltip(
            f"The link to the worker is slow: record at level '{lower}' instead of "
            f"'{level}' (less travels per iteration; the Record box in the toolbar sets "
            "any level)"))
        self.slow_button.show()

    def _on_slow_button_clicked(self) -> None:
        combo = self.window_.toolbar.recording
        lower = lower_level(combo.currentText())
        index = combo.findData(lower) if lower is not None else -1
        if index < 0:
            return
        combo.setCurrentIndex(index)
        combo.activated.emit(index)  # as if chosen in the box: the window sends it
        self.slow_button.hide()


class _Health:
    """A link health with the host filled in (the runner's own has none)."""

    def __init__(self, health: Any, host: str) -> None:
        self.host = host
        self.rtt_ms = getattr(health, "rtt_ms", None)
        self.bytes_per_s = getattr(health, "bytes_per_s", 0.0)
        self.connected = getattr(health, "connected", True)


def _with_host(health: Any, host: str) -> Any:
    return _Health(health, host) if host else health

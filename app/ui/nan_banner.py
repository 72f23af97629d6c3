"""NanBanner: above the graph, names the op where the run's first NaN/Inf was born (iteration,
phase, `file:line`) with a "Go to" button that scrubs to that iteration, selects the op and
centres it. It follows `SessionModel.nan_found`; a new run hides it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton

from app.present.nan_hunt import NanBirth
from app.ui.text import plain_label, plain_tooltip, shrinkable

__all__ = ["NanBanner", "go_to_birth"]


class NanBanner(QFrame):
    """The NaN hunt's one line. Signal: go_to_requested (the "Go to" button)."""

    go_to_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("NanBanner")
        self.setStyleSheet("#NanBanner { background: #5c1420; border: 1px solid #e4002b; }"
                           "#NanBanner QLabel { color: #ffe3e6; }")
        self.birth: NanBirth | None = None
        # Names come from the capture (plain text); a narrow window wraps rather than cuts.
        self.label = shrinkable(plain_label(bold=True, wrap=True))
        self.go_button = QPushButton("Go to")
        self.go_button.setObjectName("nan_go_to")
        self.go_button.setToolTip(plain_tooltip(
            "Show the iteration where it was born and select the op"))
        self.go_button.clicked.connect(self.go_to_requested)
        self.dismiss_button = QPushButton("Dismiss")
        self.dismiss_button.clicked.connect(self.hide)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 4, 8, 4)
        lay.addWidget(self.label, 1)
        lay.addWidget(self.go_button)
        lay.addWidget(self.dismiss_button)
        self.hide()

    def attach(self, window: Any) -> None:
        """Follow the window's model; "Go to" acts on the window."""
        window.model.nan_found.connect(self.show_birth)
        window.model.run_started.connect(lambda _run: self.clear())
        self.go_to_requested.connect(lambda: go_to_birth(window))

    def show_birth(self, birth: NanBirth) -> None:
        self.birth = birth
        self.label.setText(birth.text())
        self.label.setToolTip(plain_tooltip(birth.text(full=True)))
        self.show()

    def clear(self) -> None:
        self.birth = None
        self.label.setText("")
        self.hide()


def go_to_birth(window: Any) -> bool:
    """Scrub `window` to the birth iteration, select its op and centre it; False when the run
    has no birth or its capture is gone (the status bar says why)."""
    model = window.model
    birth = model.nan_birth
    pos = None if birth is None else model.position_of_iteration(birth.iteration)
    if birth is None or pos is None:
        window.statusBar().showMessage("no NaN/Inf capture to go to", 5000)
        return False
    slider = window.toolbar.scrubber
    if slider.value() != pos:
        slider.setValue(pos)  # selects the capture (and redraws the graph)
    else:
        model.select_capture(pos)
    _expand_to(window, birth)
    model.select_node(birth.key)
    item = window.scene.nodes.get(birth.key)
    if item is not None:
        window.view.centerOn(item)
    return item is not None


def _expand_to(window: Any, birth: NanBirth) -> None:
    """Open the collapsed module groups that hide the origin's box."""
    presenter = window.presenter
    if birth.key in window.scene.nodes or not presenter.collapsed:
        return
    module = birth.module
    keep = frozenset(p for p in presenter.collapsed
                     if not (module == p or module.startswith(p + ".")))
    if keep != presenter.collapsed:
        presenter.set_collapsed(keep)

"""DiffPanel (dock "Diff"): what changed between the pinned iteration and the shown one.
Rows group the added, removed and changed nodes by the source line and module they come from
(a dynamic model's branches), each node with its shape or change; a click selects the node
and centres it. Pin with Ctrl+D (or the Pin button); the graph marks the same nodes."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.present.diff_view import DiffView
from app.ui.text import plain_label, plain_tooltip, shrinkable

__all__ = ["DiffPanel"]

KIND_TITLES = {"added": "Added", "removed": "Removed (ghosted)", "changed": "Changed"}
KEY_ROLE = Qt.UserRole


class DiffPanel(QWidget):
    """The Diff dock's widget; `view` is the DiffView shown (None: nothing pinned)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view: DiffView | None = None
        self.window: Any = None
        self.summary = shrinkable(plain_label("Pin an iteration (Ctrl+D) to compare the "
                                              "shown one with it", wrap=True))
        self.pin_button = QPushButton("Pin shown")
        self.unpin_button = QPushButton("Unpin")
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["change", "node", "detail"])
        self.tree.setColumnWidth(0, 220)
        self.tree.itemClicked.connect(self._on_tree_item_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.pin_button)
        buttons.addWidget(self.unpin_button)
        buttons.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.summary)
        lay.addLayout(buttons)
        lay.addWidget(self.tree, 1)

    def attach(self, window: Any) -> None:
        """Wire the Pin action (Ctrl+D, on the iteration toolbar) and follow the presenter."""
        self.window = window
        action = window.actions["pin_iteration"]
        action.triggered.connect(window.model.toggle_pin)
        window.addAction(action)  # its shortcut works wherever the focus is in the window
        window.toolbar.iteration_bar.addAction(action)
        self.pin_button.clicked.connect(lambda: window.model.pin(window.model.capture()))
        self.unpin_button.clicked.connect(window.model.unpin)
        window.presenter.diff_changed.connect(self.show_diff)
        window.model.pinned_changed.connect(self._on_model_pinned_changed)
        self.dock = getattr(window, "docks", {}).get("Diff")  # a tab beside Costs

    def _on_model_pinned_changed(self, capture: Any) -> None:
        if capture is not None and getattr(self, "dock", None) is not None:
            self.dock.raise_()  # pinning is asking for the diff: show its tab
        if capture is None:
            self.show_diff(None)
        elif self.view is None:
            self.summary.setText(f"iteration {capture.index} pinned: scrub to compare")

    def show_diff(self, view: DiffView | None) -> None:
        """List `view`'s changes (None: clear)."""
        self.view = view
        self.tree.clear()
        if view is None:
            pinned = self.window.model.pinned if self.window is not None else None
            self.summary.setText(f"iteration {pinned.index} pinned: scrub to compare"
                                 if pinned is not None else
                                 "Pin an iteration (Ctrl+D) to compare the shown one with it")
            return
        self.summary.setText(view.summary())
        for row in view.rows:
            top = QTreeWidgetItem([f"{KIND_TITLES[row.kind]}: {row.title}", "", ""])
            for key, label, detail in row.nodes:
                child = QTreeWidgetItem(["", label, detail])  # items show plain text
                child.setData(0, KEY_ROLE, key)
                child.setToolTip(1, plain_tooltip(key))  # keys come from the capture
                top.addChild(child)
            top.setToolTip(0, plain_tooltip(row.source or row.title))
            self.tree.addTopLevelItem(top)
            top.setFirstColumnSpanned(True)  # the branch's title reads across the columns
            top.setExpanded(len(row.nodes) <= 20)

    def _on_tree_item_clicked(self, item: QTreeWidgetItem, column: int) -> None:
        key = item.data(0, KEY_ROLE)
        if key is None or self.window is None:
            return
        self.window.model.select_node(key)
        node = self.window.scene.nodes.get(key)
        if node is not None:
            self.window.view.centerOn(node)

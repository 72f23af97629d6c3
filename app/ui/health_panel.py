"""HealthPanel: the Gradient health dock. Which layer's gradients vanish or explode: the
parameters (or backward nodes) of the shown iteration sorted by gradient norm, smallest first,
with update-to-weight ratio, flags and the thresholds they used. Numbers are shown in full
(a tooltip holds every digit); a click selects and centres the node. The rows come from the
Qt-free `app.present.health_view`."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, QSortFilterProxyModel, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.present.health_view import (
    HealthRow,
    health_rows,
    norm_text,
    sort_value,
    thresholds_text,
)
from app.ui.items import BADGES
from app.ui.node_focus import focus_node
from app.ui.text import plain_label, plain_tooltip, shrinkable

__all__ = ["COLUMNS", "HealthPanel"]

SORT_ROLE = int(Qt.UserRole) + 1
ROW_ROLE = int(Qt.UserRole) + 2
REFRESH_MS = 500
# (attribute, header)
COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "Name"), ("flag", "Flag"), ("grad_norm", "Gradient norm"),
    ("update_ratio", "Update / weight"), ("module", "Module"), ("source", "Source"),
)
SHOW = (("Parameters", ("param",)), ("Backward nodes", ("node",)),
        ("All", ("param", "node")))


class HealthPanel(QWidget):
    """The gradient-health list. `attach(window)` follows the window's model."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.main: Any = None
        self.rows: list[HealthRow] = []
        self._dirty = False
        self._build()
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._on_timer_timeout)

    def _build(self) -> None:
        self.show_combo = QComboBox()
        for title, kinds in SHOW:
            self.show_combo.addItem(title, kinds)
        self.flagged = plain_label()
        self.thresholds = shrinkable(plain_label(wrap=True))
        self.items = QStandardItemModel(0, len(COLUMNS), self)
        self.items.setHorizontalHeaderLabels([head for _, head in COLUMNS])
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.items)
        self.proxy.setSortRole(SORT_ROLE)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(_column("grad_norm"), Qt.AscendingOrder)  # vanishing end first
        self.view.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.view.setTextElideMode(Qt.ElideMiddle)  # a too-narrow column keeps both ends
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        top = QHBoxLayout()
        top.addWidget(plain_label("Show"))
        top.addWidget(self.show_combo)
        top.addWidget(self.flagged, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(top)
        lay.addWidget(self.thresholds)
        lay.addWidget(self.view, 1)
        self.show_combo.currentIndexChanged.connect(lambda _i: self._fill())
        self.view.clicked.connect(self._on_view_clicked)

    def sizeHint(self) -> QSize:
        return QSize(460, 220)  # docked under the Inspector: leave it its height

    # ------------------------------------------------------------------ the window
    def attach(self, window: Any) -> None:
        self.main = window
        m = window.model
        m.capture_added.connect(self._on_model_capture_added)
        m.capture_selected.connect(lambda _i: self.refresh())
        m.run_started.connect(lambda _run: self.refresh())
        m.node_selected.connect(self._on_model_node_selected)
        self._timer.start()

    def _on_model_node_selected(self, key: Any) -> None:
        """The graph's selection shows here too: that node's line, when it is listed."""
        for r in range(self.proxy.rowCount()):
            index = self.proxy.index(r, 0)
            row = self.proxy.data(index, ROW_ROLE)
            if row is not None and row.key == key:
                self.view.setCurrentIndex(index)
                self.view.scrollTo(index)
                return
        self.view.clearSelection()

    def _on_model_capture_added(self, index: int) -> None:
        self._dirty = True
        if len(self.main.model.captures) == 1:
            self.refresh()

    def _on_timer_timeout(self) -> None:
        if self._dirty and self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        """Show the health of the window's shown iteration."""
        self._dirty = False
        cap = self.main.model.capture() if self.main is not None else None
        self.rows = health_rows(cap)
        self.thresholds.setText(thresholds_text(cap.health) if cap is not None else
                                "No captured iterations yet.")
        self._fill()

    def _fill(self) -> None:
        kinds = self.show_combo.currentData()
        shown = [r for r in self.rows if r.kind in kinds]
        # Filled off the view, then swapped in: rows appended under a live sorting proxy
        # re-sort on every insert.
        items = QStandardItemModel(0, len(COLUMNS), self)
        items.setHorizontalHeaderLabels([head for _, head in COLUMNS])
        for row in shown:
            items.appendRow(_line(row))
        old, self.items = self.items, items
        self.proxy.setSourceModel(items)
        old.deleteLater()
        self.view.resizeColumnsToContents()  # every digit of a norm fits its column
        if self.main is not None and self.main.model.selected is not None:
            self._on_model_node_selected(self.main.model.selected)
        flagged = sum(1 for r in shown if r.flag)
        self.flagged.setText(f"{flagged} flagged" if flagged else "none flagged")

    def first_row(self) -> HealthRow | None:
        """The row shown at the top (as sorted now)."""
        if not self.proxy.rowCount():
            return None
        return self.proxy.data(self.proxy.index(0, 0), ROW_ROLE)

    def _on_view_clicked(self, index) -> None:
        row = self.proxy.data(index.siblingAtColumn(0), ROW_ROLE)
        if row is not None and self.main is not None:
            focus_node(self.main, row.key, row.module)


def _column(attr: str) -> int:
    return next(i for i, (a, _) in enumerate(COLUMNS) if a == attr)


def _line(row: HealthRow) -> list[QStandardItem]:
    line = []
    for attr, _ in COLUMNS:
        value = getattr(row, attr)
        if attr in ("grad_norm", "update_ratio"):
            item = QStandardItem(norm_text(value) if attr == "grad_norm" or value is not None
                                 else "")
            item.setData(sort_value(value), SORT_ROLE)
            item.setToolTip(plain_tooltip(repr(value) if value is not None else "none"))
            item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
        else:
            item = QStandardItem(str(value))
            item.setData(str(value), SORT_ROLE)
            item.setToolTip(plain_tooltip(value))  # names from the capture: literal text
        item.setEditable(False)
        line.append(item)
    if row.flag:
        colour = QColor(BADGES.get(row.flag, ("#888888", ""))[0])
        flag = line[_column("flag")]
        flag.setForeground(QBrush(colour))
        flag.setText(f"{BADGES.get(row.flag, ('', ''))[1]} {row.flag}")
    line[0].setData(row, ROW_ROLE)
    return line

"""CostPanel: the Costs dock. Which op and which module cost most, as a sortable, filterable
table (a tree when grouped by module) averaged over the last N captured iterations or for the
shown one; a click selects and centres the node on the graph; Export CSV writes what is shown.
The numbers come from the Qt-free `app.present.costs`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QSize, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.present.costs import (
    COLUMNS,
    CaptureRowsCache,
    CostRow,
    CostTable,
    cost_csv,
    cost_table,
    format_ns,
    last_captures,
)
from app.ui.cost_model import ROW_ROLE, CostFilter, CostItemModel
from app.ui.node_focus import focus_node
from app.ui.text import plain_label, plain_tooltip, shrinkable

__all__ = ["CostPanel"]

DEFAULT_N = 10
REFRESH_MS = 500              # while a run streams in, the table follows at most twice a second
BUSY_SHARE = 10               # ... and spends at most a tenth of the time refreshing
EXPAND_ALL_LIMIT = 2000       # larger trees open with their top level only


class CostPanel(QWidget):
    """The cost table. Call `attach(window)` to follow its model (the dock registry does)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.main: Any = None
        self.table: CostTable = CostTable((), ())
        self._dirty = False
        self._next_refresh = 0.0
        self._sized = False
        self._rows_of = CaptureRowsCache()
        self._build()
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._on_timer_timeout)

    def _build(self) -> None:
        self.filter_box = QLineEdit()
        self.filter_box.setPlaceholderText("Filter by op, module or file")
        self.filter_box.setClearButtonEnabled(True)
        # Flat by default: the top line answers "which op is slowest, in which module".
        self.grouped = QCheckBox("Group by module")
        self.scope = QComboBox()
        self.scope.addItem("Average of last", "last")
        self.scope.addItem("Shown iteration", "current")
        self.count = QSpinBox()
        self.count.setRange(1, 1000)
        self.count.setValue(DEFAULT_N)
        self.count.setSuffix(" iterations")
        self.export_button = QPushButton("Export CSV…")
        self.summary = shrinkable(plain_label())
        controls = QHBoxLayout()  # two rows: one row squeezed the filter box to "Fi…"
        controls.addWidget(self.filter_box, 1)
        controls.addWidget(self.export_button)
        options = QHBoxLayout()
        for w in (self.grouped, self.scope, self.count):
            options.addWidget(w)
        options.addStretch(1)
        self.items = CostItemModel(self)
        self.proxy = CostFilter(self)
        self.proxy.setSourceModel(self.items)
        self.view = QTreeView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.setUniformRowHeights(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.view.setTextElideMode(Qt.ElideMiddle)
        self.view.header().setSortIndicator(_column("total_ns"), Qt.DescendingOrder)
        # Column widths from the first rows in view (and the header), not all 5,000 ops.
        self.view.header().setResizeContentsPrecision(100)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(controls)
        lay.addLayout(options)
        lay.addWidget(self.summary)
        lay.addWidget(self.view, 1)
        self.filter_box.textChanged.connect(self.proxy.set_needle)
        self.grouped.toggled.connect(self._on_grouped_toggled)
        self.scope.currentIndexChanged.connect(self._on_scope_changed)
        self.count.valueChanged.connect(lambda _n: self.refresh())
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.view.clicked.connect(self._on_view_clicked)

    def sizeHint(self) -> QSize:
        # Modest: docked under the Inspector it should not take the Inspector's height.
        return QSize(460, 220)

    # ------------------------------------------------------------------ the window
    def attach(self, window: Any) -> None:
        self.main = window
        m = window.model
        m.capture_added.connect(self._on_model_capture_added)
        m.capture_selected.connect(lambda _i: self.refresh())
        m.run_started.connect(self._on_model_run_started)
        m.node_selected.connect(self._on_model_node_selected)
        self._timer.start()
        docks = getattr(window, "docks", {})
        if window.settings.window_state()[1] is None and {"Inspector", "Costs"} <= set(docks):
            # A first start: the Inspector above keeps most of the height (the user's own
            # layout, once saved, is restored instead).
            window.resizeDocks([docks["Inspector"], docks["Costs"]], [240, 240], Qt.Vertical)

    def _on_model_node_selected(self, key: Any) -> None:
        """The graph's selection shows here too: its op's line (a collapsed module's box:
        the module's line) is selected and scrolled to."""
        path = getattr(key, "path", None)
        index = self.items.index_of("module", path) if path is not None else (
            self.items.index_of("op", key) if isinstance(key, str) else QModelIndex())
        shown = self.proxy.mapFromSource(index)
        if shown.isValid():
            self.view.setCurrentIndex(shown)
            self.view.scrollTo(shown)
        else:
            self.view.clearSelection()

    def _on_model_capture_added(self, index: int) -> None:
        self._dirty = True
        if len(self.main.model.captures) == 1:
            self.refresh()

    def _on_model_run_started(self, run: Any) -> None:
        self._dirty = False
        self._rows_of.clear()
        self._sized = False
        self.table = CostTable((), ())
        self._fill()

    def _on_timer_timeout(self) -> None:
        if self._dirty and self.isVisible() and time.monotonic() >= self._next_refresh:
            self.refresh()

    def _on_grouped_toggled(self, on: bool) -> None:
        self._sized = False
        self._fill()

    def _on_scope_changed(self, index: int) -> None:
        self.count.setEnabled(self.scope.itemData(index) == "last")
        self.refresh()

    # ------------------------------------------------------------------ numbers
    def refresh(self) -> None:
        """Recompute the table from the model's captures (ending at the shown iteration)."""
        self._dirty = False
        if self.main is None:
            return
        start = time.monotonic()
        # Remember only the captures averaged (and a few more): a capture the window dropped
        # must not stay alive here.
        self._rows_of.size = self.count.value() + 4
        self.table = cost_table(self._captures(), self._rows_of)
        self._fill()
        # A huge graph's refresh may take a while: follow a streaming run less often then.
        self._next_refresh = time.monotonic() + BUSY_SHARE * (time.monotonic() - start)

    def _captures(self) -> list[Any]:
        model = self.main.model
        if not model.captures:
            return []
        if self.scope.currentData() == "current":
            return [model.capture()]
        end = model.current if model.current >= 0 else len(model.captures) - 1
        n = self.count.value()
        # Read newest first and stop at n readable ones: each read may decode a capture.
        found: list[Any] = []
        for index in range(end, -1, -1):
            cap = model.capture_at(index)
            if cap is not None:
                found.append(cap)
                if len(found) == n:
                    break
        return last_captures(found[::-1], n)

    def _fill(self) -> None:
        self.items.set_rows(self.table.rows, self.grouped.isChecked())
        self.view.setRootIsDecorated(self.grouped.isChecked())  # flat: no empty branch column
        if self.main is not None and self.main.model.selected is not None:
            self._on_model_node_selected(self.main.model.selected)
        if self.items.count() <= EXPAND_ALL_LIMIT:
            self.view.expandAll()
        if not self._sized:  # once per run and layout: later the user's widths stay
            for col in range(len(COLUMNS) - 1):
                self.view.resizeColumnToContents(col)
            self._sized = bool(self.table.rows)
        self.summary.setText(_summary(self.table))
        self.summary.setToolTip(plain_tooltip(self.summary.text()))

    # ------------------------------------------------------------------ actions
    def _on_view_clicked(self, index) -> None:
        row = self.proxy.data(index.siblingAtColumn(0), ROW_ROLE)
        if row is not None and self.main is not None:
            focus_node(self.main, row.key, row.module)

    def shown_rows(self) -> list[CostRow]:
        """The rows as the view shows them now: filtered, sorted, depth first."""
        out: list[CostRow] = []

        def walk(parent) -> None:
            for r in range(self.proxy.rowCount(parent)):
                index = self.proxy.index(r, 0, parent)
                out.append(self.proxy.data(index, ROW_ROLE))
                walk(index)

        walk(self.view.rootIndex())
        return out

    def export_csv(self, path: str | Path) -> Path:
        """Write the shown rows (filtered, in the shown order) as CSV to `path`."""
        path = Path(path)
        path.write_text(cost_csv(self.shown_rows()), encoding="utf-8")
        return path

    def _on_export_button_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export costs", "costs.csv", "CSV (*.csv)")
        if path:
            self.export_csv(path)


def _column(attr: str) -> int:
    return next(i for i, (a, _) in enumerate(COLUMNS) if a == attr)


def _summary(table: CostTable) -> str:
    its = table.iterations
    if not its:
        return "No captured iterations yet."
    where = f"iteration {its[0]}" if len(its) == 1 else f"iterations {its[0]}-{its[-1]}"
    total = sum(r.total_ns for r in table.ops())
    return f"{where}: ops take {format_ns(total)} per iteration"

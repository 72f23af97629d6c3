"""CostPanel: the Costs dock. Which op and which module cost most, as a sortable, filterable
table (a tree when grouped by module) averaged over the last N captured iterations or for the
shown one; a click selects and centres the node on the graph; Export CSV writes what is shown.
The numbers come from the Qt-free `app.present.costs`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt, QTimer
from PySide6.QtGui import QStandardItem, QStandardItemModel
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
    CostRow,
    CostTable,
    cost_csv,
    cost_table,
    format_bytes,
    format_ns,
    last_captures,
    module_parent,
)
from app.ui.node_focus import focus_node
from app.ui.text import plain_label, plain_tooltip

SORT_ROLE = Qt.UserRole + 1   # the number a column sorts by (the text is formatted)
ROW_ROLE = Qt.UserRole + 2    # the CostRow of a line
DEFAULT_N = 10
REFRESH_MS = 500              # while a run streams in, the table follows at most twice a second
EXPAND_ALL_LIMIT = 2000       # larger trees open with their top level only


class CostPanel(QWidget):
    """The cost table. Call `attach(window)` to follow its model (the dock registry does)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.main: Any = None
        self.table: CostTable = CostTable((), ())
        self._dirty = False
        self._build()
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._on_timer_timeout)

    def _build(self) -> None:
        self.filter_box = QLineEdit()
        self.filter_box.setPlaceholderText("Filter by op, module or file")
        self.filter_box.setClearButtonEnabled(True)
        self.grouped = QCheckBox("Group by module")
        self.grouped.setChecked(True)
        self.scope = QComboBox()
        self.scope.addItem("Average of last", "last")
        self.scope.addItem("Shown iteration", "current")
        self.count = QSpinBox()
        self.count.setRange(1, 1000)
        self.count.setValue(DEFAULT_N)
        self.count.setSuffix(" iterations")
        self.export_button = QPushButton("Export CSV…")
        self.summary = plain_label()
        controls = QHBoxLayout()
        for w in (self.filter_box, self.grouped, self.scope, self.count, self.export_button):
            controls.addWidget(w)
        self.items = QStandardItemModel(0, len(COLUMNS), self)
        self.items.setHorizontalHeaderLabels([head for _, head in COLUMNS])
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.items)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setFilterKeyColumn(-1)  # any column: op, module or source
        self.proxy.setFilterCaseSensitivity(Qt.CaseInsensitive)
        self.proxy.setRecursiveFilteringEnabled(True)  # a matching op keeps its modules
        self.view = QTreeView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.setUniformRowHeights(True)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.view.setTextElideMode(Qt.ElideMiddle)
        self.view.sortByColumn(_column("total_ns"), Qt.DescendingOrder)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(controls)
        lay.addWidget(self.summary)
        lay.addWidget(self.view, 1)
        self.filter_box.textChanged.connect(self.proxy.setFilterFixedString)
        self.grouped.toggled.connect(lambda _on: self._fill())
        self.scope.currentIndexChanged.connect(self._on_scope_changed)
        self.count.valueChanged.connect(lambda _n: self.refresh())
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.view.clicked.connect(self._on_view_clicked)

    # ------------------------------------------------------------------ the window
    def attach(self, window: Any) -> None:
        self.main = window
        m = window.model
        m.capture_added.connect(self._on_model_capture_added)
        m.capture_selected.connect(lambda _i: self.refresh())
        m.run_started.connect(self._on_model_run_started)
        self._timer.start()

    def _on_model_capture_added(self, index: int) -> None:
        self._dirty = True
        if len(self.main.model.captures) == 1:
            self.refresh()

    def _on_model_run_started(self, run: Any) -> None:
        self._dirty = False
        self.table = CostTable((), ())
        self._fill()

    def _on_timer_timeout(self) -> None:
        if self._dirty and self.isVisible():
            self.refresh()

    def _on_scope_changed(self, index: int) -> None:
        self.count.setEnabled(self.scope.itemData(index) == "last")
        self.refresh()

    # ------------------------------------------------------------------ numbers
    def refresh(self) -> None:
        """Recompute the table from the model's captures (ending at the shown iteration)."""
        self._dirty = False
        if self.main is None:
            return
        self.table = cost_table(self._captures())
        self._fill()

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
        self.items.removeRows(0, self.items.rowCount())
        rows = self.table.rows
        if self.grouped.isChecked():
            self._fill_tree(rows)
        else:
            root = self.items.invisibleRootItem()
            for row in rows:
                if row.kind == "op":
                    root.appendRow(_line(row))
        self._expand()
        for col in range(len(COLUMNS) - 1):
            self.view.resizeColumnToContents(col)
        self.summary.setText(_summary(self.table))

    def _fill_tree(self, rows: tuple[CostRow, ...]) -> None:
        modules = {r.key: r for r in rows if r.kind == "module"}
        parents: dict[str, QStandardItem] = {"": self.items.invisibleRootItem()}

        def holder(path: str) -> QStandardItem:
            if path not in parents:
                line = _line(modules[path])
                holder(module_parent(path, modules)).appendRow(line)
                parents[path] = line[0]
            return parents[path]

        for path in sorted(modules, key=lambda p: p.count(".")):
            holder(path)
        for row in rows:
            if row.kind == "op":
                holder(row.module if row.module in modules else "").appendRow(_line(row))

    def _expand(self) -> None:
        if self.items.rowCount() and _count(self.items.invisibleRootItem()) <= EXPAND_ALL_LIMIT:
            self.view.expandAll()

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


def _line(row: CostRow) -> list[QStandardItem]:
    """One line of the table: formatted text, the raw number to sort by, a tooltip."""
    line = []
    for attr, _ in COLUMNS:
        value = row.total_ns if attr == "total_ns" else getattr(row, attr)
        item = QStandardItem(_text(attr, value))
        item.setData(value if value is not None else -1.0, SORT_ROLE)
        item.setEditable(False)
        if attr in ("name", "module", "source"):  # names from the capture: shown literally
            item.setToolTip(plain_tooltip(value))
        line.append(item)
    line[0].setData(row, ROW_ROLE)
    return line


def _text(attr: str, value: Any) -> str:
    if attr.endswith("_ns"):
        return format_ns(value)
    if attr == "saved_bytes":
        return format_bytes(value)
    if attr == "calls":
        return f"{value:g}"
    return str(value)


def _count(item: QStandardItem) -> int:
    return sum(1 + _count(item.child(r)) for r in range(item.rowCount()))


def _summary(table: CostTable) -> str:
    its = table.iterations
    if not its:
        return "No captured iterations yet."
    where = f"iteration {its[0]}" if len(its) == 1 else (
        f"average of {len(its)} iterations ({its[0]}-{its[-1]})")
    total = sum(r.total_ns for r in table.ops())
    return f"{where}: ops total {format_ns(total)} per iteration"

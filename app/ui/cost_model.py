"""The Qt item model behind the Costs dock: the cost rows as a tree (modules holding their
ops) or a flat list, read by the view on demand. No item object per cell: a 5k-op graph's
table of QStandardItems took 0.4 s to build, twice a second while a run streamed in. Sorting
is done here in Python (the proxy only filters): the proxy's own sort called back into Python
for every comparison."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QSortFilterProxyModel, Qt

from app.present.costs import COLUMNS, CostRow, format_bytes, format_ns, module_parent
from app.ui.text import plain_tooltip

__all__ = ["ROW_ROLE", "SORT_ROLE", "CostFilter", "CostItemModel", "cost_tree"]

# Roles as plain ints: comparing the int Qt passes with an enum member costs microseconds,
# and data() is asked tens of thousands of times for a large table.
SORT_ROLE = int(Qt.UserRole) + 1   # the number (or text) a column sorts by
ROW_ROLE = int(Qt.UserRole) + 2    # the CostRow of a line
_ATTRS = [attr for attr, _ in COLUMNS]
_NAMES = {"name", "kind", "module", "source"}
_DISPLAY, _TIP, _ALIGN = int(Qt.DisplayRole), int(Qt.ToolTipRole), int(Qt.TextAlignmentRole)
_RIGHT = int(Qt.AlignRight | Qt.AlignVCenter)
_TOP = QModelIndex()  # the invisible root, as a default argument
HEADER_TIPS = {
    "forward_ns": "Forward time per iteration (a module: its measured call span)",
    "backward_ns": "Backward time per iteration (a module: the sum of its ops' backward nodes)",
    "total_ns": "Forward + backward per iteration",
    "self_ns": "A module's total less its child modules' totals",
    "calls": "Calls per iteration (below 1: absent from some of the averaged iterations)",
    "saved_bytes": "Bytes the op keeps for its backward (a module: its ops' sum)",
}


class _Entry:
    """One line of the tree: its row, its parent line and its children (in shown order)."""

    __slots__ = ("children", "parent", "pos", "row", "text")

    def __init__(self, row: CostRow | None, parent: _Entry | None) -> None:
        self.row, self.parent = row, parent
        self.children: list[_Entry] = []
        self.pos = 0
        # What the filter box matches: op or module name, module path and file:line.
        self.text = "" if row is None else f"{row.name}\n{row.module}\n{row.source}".lower()


def cost_tree(rows: tuple[CostRow, ...], grouped: bool) -> _Entry:
    """The lines to show: modules nesting their sub-modules and ops (`grouped`), or the ops
    alone."""
    root = _Entry(None, None)
    if not grouped:
        root.children = [_Entry(r, root) for r in rows if r.kind == "op"]
        return _numbered(root)
    modules = {r.key: r for r in rows if r.kind == "module"}
    holders: dict[str, _Entry] = {"": root}

    def holder(path: str) -> _Entry:
        if path not in holders:
            parent = holder(module_parent(path, modules))
            holders[path] = _Entry(modules[path], parent)
            parent.children.append(holders[path])
        return holders[path]

    for path in sorted(modules, key=lambda p: p.count(".")):
        holder(path)
    for row in rows:
        if row.kind == "op":
            parent = holder(row.module if row.module in modules else "")
            parent.children.append(_Entry(row, parent))
    return _numbered(root)


def _numbered(entry: _Entry) -> _Entry:
    for i, child in enumerate(entry.children):
        child.pos = i
        _numbered(child)
    return entry


def _value(row: CostRow, attr: str) -> Any:
    return row.total_ns if attr == "total_ns" else getattr(row, attr)


def _text(attr: str, value: Any) -> str:
    if attr.endswith("_ns"):
        return format_ns(value)
    if attr == "saved_bytes":
        return format_bytes(value)
    if attr == "calls":
        return f"{value:g}"
    return str(value)


class CostItemModel(QAbstractItemModel):
    """Cost rows for a tree view; `set_rows` replaces them, `sort` orders every level."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.root = _Entry(None, None)
        self._by_key: dict[tuple[str, str], _Entry] = {}
        self._order: tuple[int, Qt.SortOrder] = (_ATTRS.index("total_ns"), Qt.DescendingOrder)

    def set_rows(self, rows: tuple[CostRow, ...], grouped: bool) -> None:
        self.beginResetModel()
        self.root = cost_tree(rows, grouped)
        self._sort_entry(self.root, *self._order)
        self._by_key = {}
        stack = list(self.root.children)
        while stack:
            entry = stack.pop()
            self._by_key[(entry.row.kind, entry.row.key)] = entry
            stack.extend(entry.children)
        self.endResetModel()

    def index_of(self, kind: str, key: str) -> QModelIndex:
        """The line of op `key` or module `key` (by `kind`); invalid when not shown."""
        entry = self._by_key.get((kind, key))
        return QModelIndex() if entry is None else self.createIndex(entry.pos, 0, entry)

    def count(self) -> int:
        """How many lines the tree holds (all levels)."""
        def walk(e: _Entry) -> int:
            return sum(1 + walk(c) for c in e.children)
        return walk(self.root)

    # ------------------------------------------------------------------ structure
    def entry(self, index: QModelIndex) -> _Entry:
        return index.internalPointer() if index.isValid() else self.root

    def index(self, row: int, column: int, parent: QModelIndex = _TOP) -> QModelIndex:
        children = self.entry(parent).children
        if 0 <= row < len(children) and 0 <= column < len(COLUMNS):
            return self.createIndex(row, column, children[row])
        return QModelIndex()

    def parent(self, index: QModelIndex | None = None) -> Any:  # QObject.parent() too
        if index is None:
            return QObject.parent(self)
        if not index.isValid():
            return QModelIndex()
        up = index.internalPointer().parent
        if up is None or up is self.root:
            return QModelIndex()
        return self.createIndex(up.pos, 0, up)

    def rowCount(self, parent: QModelIndex = _TOP) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self.entry(parent).children)

    def columnCount(self, parent: QModelIndex = _TOP) -> int:
        return len(COLUMNS)

    def headerData(self, section: int, orientation, role: int = Qt.DisplayRole) -> Any:
        if orientation == Qt.Horizontal and role == _DISPLAY:
            return COLUMNS[section][1]
        if orientation == Qt.Horizontal and role == _TIP:
            return HEADER_TIPS.get(_ATTRS[section], "")
        return None

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, attr = index.internalPointer().row, _ATTRS[index.column()]
        if role == _DISPLAY:
            return _text(attr, _value(row, attr))
        if role == ROW_ROLE:
            return row
        if role == SORT_ROLE:
            value = _value(row, attr)
            return -1.0 if value is None else value
        if role == _TIP and attr in ("name", "module", "source"):
            return plain_tooltip(_value(row, attr))  # names from the capture: literal text
        if role == _ALIGN and attr not in _NAMES:
            return _RIGHT
        return None

    # ------------------------------------------------------------------ sorting
    def sort(self, column: int, order: Qt.SortOrder = Qt.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self._order = (column, order)
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        kept = [(i.internalPointer(), i.column()) for i in old]
        self._sort_entry(self.root, column, order)
        self.changePersistentIndexList(old, [self.createIndex(e.pos, c, e) for e, c in kept])
        self.layoutChanged.emit()

    def _sort_entry(self, entry: _Entry, column: int, order: Qt.SortOrder) -> None:
        attr = _ATTRS[column]

        def key(e: _Entry) -> Any:
            value = _value(e.row, attr)
            if attr in _NAMES:
                return str(value).lower()
            return -1.0 if value is None else value

        entry.children.sort(key=key, reverse=order == Qt.DescendingOrder)
        for i, child in enumerate(entry.children):
            child.pos = i
            if child.children:
                self._sort_entry(child, column, order)


class CostFilter(QSortFilterProxyModel):
    """Filters lines by the text typed (op, module or file, any case), keeping the modules
    around a match; hands sorting to the source model (see the module docstring)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.needle = ""
        self.setRecursiveFilteringEnabled(True)

    def set_needle(self, text: str) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.10 deprecates invalidateFilter
            self.beginFilterChange()
            self.needle = text.strip().lower()
            self.endFilterChange()
        else:
            self.needle = text.strip().lower()
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:
        if not self.needle:
            return True
        entries = self.sourceModel().entry(source_parent).children
        return 0 <= source_row < len(entries) and self.needle in entries[source_row].text

    def sort(self, column: int, order: Qt.SortOrder = Qt.AscendingOrder) -> None:
        self.sourceModel().sort(column, order)

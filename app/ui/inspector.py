"""InspectorPanel: shows whatever is selected, with one panel per record type. A new panel is a
new widget class and one `register_panel` line (napari's layer_to_controls)."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.layout import GroupNode
from app.present.inspect import input_names, node_by_id, producer_text
from app.present.overlays import format_value
from app.ui.node_extras import NodeExtras
from app.ui.text import plain_label, plain_tooltip, shrinkable
from autograd_core.trace import BackwardRecord, IterationCapture, NodeRecord

_REGISTRY: dict[type, Callable[[], RecordPanel]] = {}
MAX_NAME_COLUMN = 260  # pixels: the field column never pushes the values out of sight


def register_panel(record_type: type, factory: Callable[[], RecordPanel]) -> None:
    """Show records of `record_type` (and subclasses) with panels made by `factory`."""
    _REGISTRY[record_type] = factory


class RecordPanel(QWidget):
    """Base of the per-type panels: a title and a two-column tree of fields."""

    def __init__(self) -> None:
        super().__init__()
        # Titles name ops, keys and modules from the capture: plain text, bold by font.
        self.title = shrinkable(plain_label(bold=True, wrap=True))
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["field", "value"])
        self.tree.setColumnWidth(0, 130)
        # Values are never cut silently: one too long for the column is elided in its middle
        # (both ends of "5.03e-05" stay, with an ellipsis) and the tooltip has it whole.
        # (Wrapping made every refresh lay out each row's height: 20 ms at 10 Hz.)
        self.tree.setUniformRowHeights(True)
        self.tree.setTextElideMode(Qt.ElideMiddle)
        self.tree.header().setStretchLastSection(True)
        self.model: Any = None  # the window's SessionModel (set by InspectorPanel)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.title)
        lay.addWidget(self.tree, 3)

    def show_record(self, record: Any, context: Any) -> None:
        """Fill the panel; `context` is the capture the record belongs to (may be None)."""
        raise NotImplementedError

    def _fill(self, title: str, rows: list[tuple[str, Any]]) -> None:
        self.title.setText(title)
        self.tree.clear()
        for name, value in rows:
            item = _row(name, "" if isinstance(value, list) else str(value))
            if isinstance(value, list):
                for sub_name, sub_value in value:
                    item.addChild(_row(sub_name, str(sub_value)))
            self.tree.addTopLevelItem(item)
            item.setExpanded(True)  # only takes effect once the item is in the tree
        self.tree.resizeColumnToContents(0)  # "param grad norms" showed as "param grad no..."
        # ...but a parameter named by the data may be any length: the values must stay visible.
        self.tree.setColumnWidth(0, min(self.tree.columnWidth(0), MAX_NAME_COLUMN))


def _row(name: str, value: str) -> QTreeWidgetItem:
    """A field row; the tooltips carry the full text where the column elides it."""
    item = QTreeWidgetItem([name, value])  # item text is drawn as plain text
    item.setToolTip(0, plain_tooltip(name))
    item.setToolTip(1, plain_tooltip(value))
    return item


def _tensor_rows(meta: Any) -> list[tuple[str, Any]]:
    if meta is None:
        return [("", "no gradient")]
    rows = [("shape", tuple(meta.shape)), ("dtype", meta.dtype), ("device", meta.device)]
    s = meta.stats
    if s is not None:
        rows += [("min", f"{s.min:.4g}"), ("max", f"{s.max:.4g}"), ("mean", f"{s.mean:.4g}"),
                 ("std", f"{s.std:.4g}"), ("norm", f"{s.norm:.4g}")]
        if s.nan or s.inf:
            rows.append(("non-finite", f"{s.nan} NaN, {s.inf} Inf"))
    return rows


class NodePanel(RecordPanel):
    """An op (or param/input/loss) node: where it ran, its tensors (named by the nodes that
    made them), its times; below, its source, value pictures and history (`NodeExtras`)."""

    def __init__(self) -> None:
        super().__init__()
        self.extras = NodeExtras(self)
        self.layout().addWidget(self.extras, 2)

    def show_record(self, record: NodeRecord, context: Any) -> None:
        rows: list[tuple[str, Any]] = [("kind", record.kind), ("key", record.key),
                                       ("module", record.module or "(top level)"),
                                       ("source", record.source), ("function", record.function),
                                       ("forward time", format_value(record.time_ns, "time"))]
        if record.saved_bytes:
            rows.append(("saved for backward", f"{record.saved_bytes:,} bytes"))
        tensors = getattr(context, "tensors", {}) or {}
        names = input_names(record, context)
        for name, tid in zip(names, record.inputs, strict=True):
            if tid in tensors:
                rows.append((f"from {name}", _tensor_rows(tensors[tid])))
        for i, tid in enumerate(record.outputs):
            if tid in tensors:
                rows.append((f"output {i}" if len(record.outputs) > 1 else "output",
                             _tensor_rows(tensors[tid])))
        if context is not None and record.backward is not None:
            b = context.backward[record.backward]
            rows.append(("backward time", format_value(b.time_ns, "time")))
            for name, g in zip(names, b.grads, strict=False):
                rows.append((f"grad to {name}", _tensor_rows(g)))
        self._fill(f"{record.label}  {record.source}", rows)
        self.extras.show_node(record, context, self.model)


class BackwardPanel(RecordPanel):
    """A backward node that just ran (step backward): the gradients it sent to its inputs."""

    def show_record(self, record: BackwardRecord, context: Any) -> None:
        model = self.model
        if model is not None and model.step_records:  # stepping: ids are of this iteration
            stepped = SimpleNamespace(nodes=sorted((*model.step_records, *model.step_leaves),
                                                   key=lambda n: n.id))
            if node_by_id(stepped, record.forward) is not None:
                context = stepped  # else the ops ran unstepped: the last capture names them
        rows: list[tuple[str, Any]] = [("forward op", producer_text(record, context)),
                                       ("time", format_value(record.time_ns, "time"))]
        forward = node_by_id(context, record.forward)
        names = input_names(forward, context) if forward is not None else []
        for i, g in enumerate(record.grads):
            name = names[i] if i < len(names) else f"input {i}"
            rows.append((f"grad to {name}", _tensor_rows(g)))
        self._fill(str(record.name), rows)


class CapturePanel(RecordPanel):
    """No selection: the iteration's summary and health."""

    def show_record(self, record: IterationCapture, context: Any) -> None:
        h = record.health
        rows: list[tuple[str, Any]] = [
            ("iteration", record.index), ("loss", _loss_text(record.loss)),
            ("nodes", len(record.nodes)),
            ("ops", len(record.ops())), ("duration", format_value(record.duration_ns, "time")),
            ("timed with", timing_text(record)), ("statistics level", record.level)]
        if h.first_nonfinite is not None:
            o = h.first_nonfinite
            rows.append(("first NaN/Inf", f"{o.key} ({o.phase} {o.where}) at {o.source}"))
        if h.param_grad_norms:
            rows.append(("param grad norms", [(k, f"{v:.3g}") for k, v in
                                              h.param_grad_norms.items()]))
        if h.vanishing or h.exploding:
            rows.append(("vanishing", ", ".join(h.vanishing) or "-"))
            rows.append(("exploding", ", ".join(h.exploding) or "-"))
        self._fill(f"Iteration {record.index}", rows)


def timing_text(cap: IterationCapture) -> str:
    """How the capture's times were measured: the clock, the BLAS threads, and that time
    spent paused in step mode is not in them."""
    threads = getattr(cap, "threads", 0)
    clock = getattr(cap, "clock", "wall")
    count = f"{threads} thread{'s' if threads != 1 else ''}" if threads else "threads unknown"
    return f"{clock} clock, {count}; active time only (step-mode pauses excluded)"


class GroupPanel(RecordPanel):
    """A collapsed module group."""

    def show_record(self, record: GroupNode, context: Any) -> None:
        ops = [n for n in getattr(context, "nodes", []) if n.module == record.path
               or n.module.startswith(record.path + ".")]
        total = sum(n.time_ns for n in ops)
        rows = [("module", record.path), ("nodes", len(ops)),
                ("forward time", format_value(total, "time"))]
        self._fill(f"module {record.path}", rows)


register_panel(NodeRecord, NodePanel)
register_panel(BackwardRecord, BackwardPanel)
register_panel(IterationCapture, CapturePanel)
register_panel(GroupNode, GroupPanel)


class InspectorPanel(QStackedWidget):
    """Switches to the registered panel for the shown record's type (one instance per type)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.empty = plain_label("Nothing selected. Run the model or open a session.",
                                 wrap=True)
        self.addWidget(self.empty)
        self._panels: dict[type, RecordPanel] = {}
        self.record: Any = None
        self.model: Any = None

    def attach(self, window: Any) -> None:
        """Read the window's model for a node's history and its script's folder."""
        self.model = window.model
        for panel in self._panels.values():
            panel.model = self.model

    def show_record(self, record: Any, context: Any = None) -> None:
        self.record = record
        factory_type = next((t for t in type(record).__mro__ if t in _REGISTRY), None)
        if factory_type is None:
            self.setCurrentWidget(self.empty)
            return
        panel = self._panels.get(factory_type)
        if panel is None:
            panel = self._panels[factory_type] = _REGISTRY[factory_type]()
            panel.setObjectName(type(panel).__name__)
            panel.model = self.model
            self.addWidget(panel)
        panel.show_record(record, context)
        self.setCurrentWidget(panel)

    def current_panel(self) -> QWidget:
        return self.currentWidget()


def _loss_text(loss: Any) -> str:
    """Six significant digits (the full float repr was cut off by the column)."""
    return f"{loss:.6g}" if isinstance(loss, (int, float)) else str(loss)

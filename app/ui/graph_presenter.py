"""GraphPresenter: decides what graph the scene shows (the chosen capture, or the iteration
being stepped), lays it out keeping the previous order, and applies collapse, overlay and
stepping marks. Redraws at most every 100 ms while running; the helpers below are Qt-free
and shared with the headless export."""

from __future__ import annotations

import time
from collections.abc import Hashable
from typing import Any

import networkx as nx
from PySide6.QtCore import QObject, QTimer, Signal

from app.layout import GroupNode, Layout, LayoutOptions, layout_graph
from app.ui.graph_scene import GraphScene
from app.ui.overlays import overlay_scale
from app.ui.session_model import SessionModel
from autograd_core.trace.graph import with_safe_text

AUTO_COLLAPSE_NODES = 400   # larger graphs open with module groups collapsed by depth


def capture_graph(capture: Any) -> nx.DiGraph:
    """The capture as the view draws it (see `autograd_core.trace.to_networkx`): names from
    the file pass through `safe_text`, so labels, shapes and frame titles are plain drawable
    text in the window and in every image export."""
    from autograd_core.trace import to_networkx

    return with_safe_text(to_networkx(capture))


def step_graph(records: list[Any], shapes: dict[str, str], leaves: list[Any] = ()
               ) -> nx.DiGraph:
    """The ops run so far in a stepped iteration and the params/inputs they read, joined where
    one's output feeds another: the full iteration's graph as far as it has grown."""
    g = nx.DiGraph()
    producer: dict[int, str] = {}
    for rec in sorted((*records, *leaves), key=lambda r: r.id):  # leaves before their readers
        g.add_node(rec.key, kind=rec.kind, label=rec.label, op=rec.op, group=rec.module,
                   source=rec.source, shape=shapes.get(rec.key, ""), record=rec,
                   time_ns=rec.time_ns)
        for tid in rec.inputs:
            if tid in producer:
                g.add_edge(producer[tid], rec.key)
        for tid in rec.outputs:
            producer[tid] = rec.key
    return with_safe_text(g)


def module_paths(graph: nx.DiGraph) -> set[str]:
    """Every module path (with all its prefixes) that nodes of `graph` belong to."""
    paths: set[str] = set()
    for group in {d.get("group") for _, d in graph.nodes(data=True)}:
        if group:
            parts = group.split(".")
            paths.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return paths


def collapse_at_depth(graph: nx.DiGraph, depth: int) -> frozenset[str]:
    """Module paths at `depth` (1: top-level modules) to collapse; 0 collapses nothing."""
    if depth <= 0:
        return frozenset()
    return frozenset(p for p in module_paths(graph) if p.count(".") == depth - 1)


def default_collapse(graph: nx.DiGraph, limit: int = AUTO_COLLAPSE_NODES) -> frozenset[str]:
    """Nothing for small graphs; else the deepest module depth that draws at most `limit`
    boxes (depth 1 when even that draws more)."""
    if graph.number_of_nodes() <= limit:
        return frozenset()
    groups = [d.get("group") or "" for _, d in graph.nodes(data=True)]
    deepest = max((g.count(".") + 1 for g in groups if g), default=0)
    for depth in range(deepest, 0, -1):
        boxes = {g if g.count(".") < depth else ".".join(g.split(".")[:depth]) if g else None
                 for g in groups}
        drawn = len(boxes) + sum(1 for g in groups if not g or g.count(".") + 1 < depth)
        if drawn <= limit:
            return collapse_at_depth(graph, depth)
    return collapse_at_depth(graph, 1)


def lay_out(graph: nx.DiGraph, collapsed: frozenset[str], previous: Layout | None = None
            ) -> Layout:
    return layout_graph(graph, previous, LayoutOptions(collapsed=collapsed))


class GraphPresenter(QObject):
    """Keeps the scene in step with the model. Signal: graph_drawn(seconds since start)."""

    graph_drawn = Signal(float)

    def __init__(self, model: SessionModel, scene: GraphScene, parent: QObject | None = None
                 ) -> None:
        super().__init__(parent)
        self.model, self.scene = model, scene
        self.overlay = "none"
        self.collapsed: frozenset[str] | None = None   # None: choose by size on first draw
        self.layout: Layout | None = None
        self._signature: Any = None
        self._dirty = False
        self._shapes: dict[str, str] = {}
        self._created = time.perf_counter()
        self._timer = QTimer(self)
        self._timer.setInterval(100)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._timer.start()
        model.capture_added.connect(self._on_model_capture_added)
        model.capture_selected.connect(self._on_model_capture_selected)
        model.run_started.connect(self._on_model_run_started)
        model.stepped.connect(self._on_model_stepped)
        model.node_selected.connect(self.scene.select_node)
        scene.node_selected.connect(model.select_node)
        scene.group_toggled.connect(self._on_scene_group_toggled)

    # ------------------------------------------------------------------ model events
    def _on_model_capture_added(self, index: int) -> None:
        self._dirty = True  # drawn by the timer: at most 10 redraws a second however fast
        if len(self.model.captures) == 1:
            self.refresh()

    def _on_model_capture_selected(self, index: int) -> None:
        self.refresh()

    def _on_model_run_started(self, run: Any) -> None:
        """A new run: nothing of the old picture survives (no cross-fade from it, no layout
        memory, no collapsed groups, no step shapes); its first graph is announced again."""
        self.collapsed, self.layout, self._signature = None, None, None
        self._dirty, self._shapes, self._drawn = False, {}, False
        self.scene.clear_graph()

    def _on_timer_timeout(self) -> None:
        if self._dirty:
            self.refresh()

    def _on_model_stepped(self, event: Any) -> None:
        if event.phase == "forward":
            self._note_shapes(event)
            self._show(step_graph(self.model.step_records, self._shapes,
                                  self.model.step_leaves))
            key = event.record.key if event.record is not None else None
            self.scene.set_marks(step=key)
        else:
            cap = self.model.capture()
            if cap is not None:
                self._show(capture_graph(cap))
            key = self._backward_key(event, cap)
            self.scene.set_marks(grad_into=key)
        self.model.select_node(key)

    def _note_shapes(self, event: Any) -> None:
        """Shapes for the stepped op's box and for the leaves it read (by input position)."""
        rec = event.record
        if rec is None:
            return
        if event.outputs:
            self._shapes[rec.key] = _shape_text(event.outputs[0])
        by_tid = dict(zip(rec.inputs, event.inputs, strict=False))
        for leaf in event.leaves:
            if leaf.outputs and leaf.outputs[0] in by_tid:
                self._shapes[leaf.key] = _shape_text(by_tid[leaf.outputs[0]])

    def _backward_key(self, event: Any, cap: Any) -> Hashable | None:
        """The forward node a backward step differentiated, by its id in the iteration."""
        rec = event.record
        if rec is None:
            return None
        for node in self.model.step_records:
            if node.id == rec.forward:
                return node.key
        if cap is not None and 0 <= rec.forward < len(cap.nodes):
            return cap.nodes[rec.forward].key
        return None

    def _on_scene_group_toggled(self, path: str) -> None:
        collapsed = set(self.collapsed or ())
        if path in collapsed:
            collapsed.discard(path)
        else:
            # Collapsing a frame collapses its group; nested paths inside it are redundant.
            collapsed = {p for p in collapsed if not p.startswith(path + ".")} | {path}
        self.set_collapsed(frozenset(collapsed))

    # ------------------------------------------------------------------ drawing
    def set_collapsed(self, collapsed: frozenset[str]) -> None:
        self.collapsed = collapsed
        self._signature = None
        self.refresh()

    def set_overlay(self, name: str) -> None:
        self.overlay = name
        self._apply_overlay()

    def refresh(self) -> None:
        """Draw the shown capture (relaying out only when its structure changed)."""
        self._dirty = False
        cap = self.model.capture()
        if cap is not None:
            self._show(capture_graph(cap))
            self.scene.set_marks()

    def _show(self, graph: nx.DiGraph) -> None:
        if self.collapsed is None:
            self.collapsed = default_collapse(graph)
        signature = (tuple(graph.nodes), tuple(graph.edges), self.collapsed)
        if signature != self._signature:
            self.layout = lay_out(graph, self.collapsed, self.layout)
            self.scene.show_graph(graph, self.layout)
            self._signature = signature
            first = self.scene.views() and not getattr(self, "_drawn", False)
            self._drawn = True
            if first:
                self.graph_drawn.emit(time.perf_counter() - self._created)
        else:
            self.scene.graph = graph  # same boxes: new numbers for tooltips and overlays
        self._apply_overlay()

    def _apply_overlay(self) -> None:
        graph = self.scene.graph
        values = dict(graph.nodes(data=True))
        for key in self.scene.nodes:
            if isinstance(key, GroupNode):
                values[key] = _group_values(graph, self.layout.groups.get(key, ()))
        self.scene.set_overlay(overlay_scale(values, self.overlay))


def _shape_text(shape: Any) -> str:
    return "x".join(map(str, shape)) if isinstance(shape, tuple) else ""


def _group_values(graph: nx.DiGraph, members: tuple) -> dict:
    """A collapsed group's overlay values: summed times, largest norms, any anomaly."""
    out: dict[str, float] = {}
    for m in members:
        d = graph.nodes[m]
        for attr in ("time_ns", "backward_ns"):
            if d.get(attr) is not None:
                out[attr] = out.get(attr, 0.0) + float(d[attr])
        for attr in ("norm", "grad_norm", "nan", "inf"):
            if d.get(attr) is not None:
                out[attr] = max(out.get(attr, 0.0), float(d[attr]))
    return out

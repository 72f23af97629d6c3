"""GraphPresenter: decides what graph the scene shows (the chosen capture, or the iteration
being stepped), lays it out keeping the previous order, and applies collapse, overlay and
stepping marks. Redraws at most every 100 ms while running; what it draws is computed by the
Qt-free `app.present.graph`, shared with the headless export."""

from __future__ import annotations

import time
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import networkx as nx
from PySide6.QtCore import QObject, QTimer, Signal

from app.layout import GroupNode, Layout
from app.present.graph import (
    AUTO_COLLAPSE_NODES,
    capture_graph,
    collapse_at_depth,
    default_collapse,
    group_values,
    lay_out,
    module_paths,
    shape_text,
    step_graph,
)
from app.present.labels import export_title
from app.present.overlays import overlay_scale
from app.ui.graph_scene import GraphScene
from app.ui.session_model import SessionModel

# Kept importable from here (tests and older callers); they live in app.present.graph.
__all__ = ["AUTO_COLLAPSE_NODES", "GraphPresenter", "capture_graph", "collapse_at_depth",
           "default_collapse", "lay_out", "module_paths", "step_graph"]

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
            self._shapes[rec.key] = shape_text(event.outputs[0])
        by_tid = dict(zip(rec.inputs, event.inputs, strict=False))
        for leaf in event.leaves:
            if leaf.outputs and leaf.outputs[0] in by_tid:
                self._shapes[leaf.key] = shape_text(by_tid[leaf.outputs[0]])

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
        cap = self.model.capture()
        self.scene.caption = export_title(Path(self.model.run.path).name,
                                          None if cap is None else cap.index, self.overlay)
        graph = self.scene.graph
        values = dict(graph.nodes(data=True))
        for key in self.scene.nodes:
            if isinstance(key, GroupNode):
                values[key] = group_values(graph, self.layout.groups.get(key, ()))
        self.scene.set_overlay(overlay_scale(values, self.overlay))

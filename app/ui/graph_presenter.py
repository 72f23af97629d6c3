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

from app.layout import Layout
from app.present.diff_view import DiffView, diff_states, diff_view, with_ghosts
from app.present.graph import (
    AUTO_COLLAPSE_NODES,
    capture_graph,
    collapse_at_depth,
    default_collapse,
    lay_out,
    module_paths,
    overlay_values,
    shape_text,
    step_graph,
)
from app.present.health_view import health_badges
from app.present.labels import export_title
from app.present.nan_hunt import anomaly_roles
from app.present.overlays import overlay_scale
from app.ui.graph_scene import GraphScene
from app.ui.session_model import SessionModel

# Kept importable from here (tests and older callers); they live in app.present.graph.
__all__ = ["AUTO_COLLAPSE_NODES", "GraphPresenter", "capture_graph", "collapse_at_depth",
           "default_collapse", "lay_out", "module_paths", "step_graph"]

class GraphPresenter(QObject):
    """Keeps the scene in step with the model. Signal: graph_drawn(seconds since start)."""

    graph_drawn = Signal(float)
    diff_changed = Signal(object)  # DiffView of the shown vs the pinned capture, or None

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
        self.diff: DiffView | None = None       # shown vs the model's pinned capture
        self._pinned_graph: tuple[Any, nx.DiGraph] | None = None
        self._created = time.perf_counter()
        self._timer = QTimer(self)
        self._timer.setInterval(100)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._timer.start()
        model.capture_added.connect(self._on_model_capture_added)
        model.capture_selected.connect(self._on_model_capture_selected)
        model.run_started.connect(self._on_model_run_started)
        model.stepped.connect(self._on_model_stepped)
        model.pinned_changed.connect(self._on_model_pinned_changed)
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

    def _on_model_pinned_changed(self, capture: Any) -> None:
        self._pinned_graph = None
        self.refresh()

    def _on_model_stepped(self, event: Any) -> None:
        if self.diff is not None:  # a stepped iteration is compared with nothing
            self.diff = None
            self.diff_changed.emit(None)
        if event.phase == "forward":
            self._note_shapes(event)
            self._show(step_graph(self.model.step_records, self._shapes,
                                  self.model.step_leaves))
            key = event.record.key if event.record is not None else None
            self.scene.set_marks(step=key)
            self.scene.set_badges({})  # a new iteration's gradients are not known yet
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
            self._show(self._with_diff(capture_graph(cap), cap))
            self.scene.set_marks()
            self.scene.set_badges(health_badges(cap))

    def _with_diff(self, graph: nx.DiGraph, cap: Any) -> nx.DiGraph:
        """With an iteration pinned: diff the shown capture against it, and add the removed
        nodes to the graph (drawn as ghosts)."""
        pinned = self.model.pinned
        before = self.diff
        self.diff = None if pinned is None or pinned is cap else diff_view(pinned, cap)
        if _diff_id(before) != _diff_id(self.diff):
            self.diff_changed.emit(self.diff)
        if self.diff is None:
            return graph
        if self._pinned_graph is None or self._pinned_graph[0] is not pinned:
            self._pinned_graph = (pinned, capture_graph(pinned))
        return with_ghosts(graph, self._pinned_graph[1], self.diff.removed)

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
        groups = self.layout.groups if self.layout is not None else {}
        drawn = {k: m for k, m in groups.items() if k in self.scene.nodes}
        values = overlay_values(graph, drawn)
        roles, path_edges = self._nan_roles(graph)
        if self.diff is not None and self.overlay.startswith("diff_"):
            ratios = self.diff.time_ratio if self.overlay == "diff_time" else self.diff.grad_ratio
            for key, ratio in ratios.items():
                if key in values:
                    values[key] = {**values[key], self.overlay: ratio}
        self.scene.set_overlay(overlay_scale(values, self.overlay, roles))
        states = {k: r for k, r in roles.items() if r != "flagged"}
        states.update(diff_states(self.diff))  # while diffing, what changed shows first
        self.scene.set_states(states, path_edges)

    def _nan_roles(self, graph: nx.DiGraph) -> tuple[dict, set]:
        """The shown capture's NaN story (origin, spread, path, flagged); nothing while an
        iteration is being stepped (its graph is not the capture's)."""
        cap = self.model.capture()
        if cap is None or self.model.last_step is not None:
            return {}, set()
        health = getattr(cap, "health", None)
        if self.overlay != "anomaly" and getattr(health, "first_nonfinite", None) is None:
            return {}, set()
        return anomaly_roles(graph, cap)


def _diff_id(view: DiffView | None) -> tuple | None:
    return None if view is None else (view.pinned, view.shown)

"""GraphScene: the drawn graph. Keeps the node -> item map, turns a laid-out graph into items
(animating what appeared, moved or went away), applies overlays and stepping marks, and paints
the batched overview when zoomed far out. Module-frame geometry is `app.ui.frames`, the
cross-fade `app.ui.scene_animation`, box texts `app.present.labels`."""

from __future__ import annotations

from collections.abc import Hashable

import networkx as nx
from PySide6.QtCore import QPointF, QRectF, QVariantAnimation, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene

from app.layout import GroupNode, Layout
from app.present.diff_view import group_states
from app.present.graph import GROUP_SIZE, NODE_SIZE
from app.present.labels import edge_label, node_text
from app.present.overlays import OverlayScale, box_total
from app.ui.frames import group_outlines
from app.ui.items import EdgeItem, GroupItem, NodeItem
from app.ui.overview import OverviewPainter
from app.ui.scene_animation import SceneAnimation
from app.ui.theme import ANOMALY, DARK, ROLE_COLORS, ROLE_NEUTRAL, Theme, scale_color

_BADGE_RANK = {"vanishing": 1, "exploding": 2, "non-finite": 3}
# Above this many items a change is applied at once: animating it would cost more than it shows.
ANIMATE_LIMIT = 1500


class GraphScene(SceneAnimation, QGraphicsScene):
    """Scene of one graph. Signals: node_selected(key or None), group_toggled(path)."""

    node_selected = Signal(object)
    group_toggled = Signal(str)

    def __init__(self, theme: Theme = DARK, parent=None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.graph = nx.DiGraph()
        self.nodes: dict[Hashable, NodeItem] = {}
        self.copies: list[NodeItem] = []
        self.edges: dict[tuple, EdgeItem] = {}
        self.frames: dict[str, GroupItem] = {}
        self.overlay: OverlayScale | None = None
        self.overview = False
        self._styled_theme: Theme | None = None
        self.version = 0  # bumped when the picture changes (the minimap caches on it)
        self.exporting = False  # set while a static export renders (items draw all text)
        self.caption = ""       # a static export's title: model, iteration, overlay
        self.label_style = "op"  # or "grad_fn": PyTorch's AddmmBackward0 names
        self._overview = OverviewPainter()
        self._fading: list[QGraphicsItem] = []
        self._animation: QVariantAnimation | None = None
        self._members: dict = {}
        self._moves: list = []
        self._fresh: list = []
        self._spent: QVariantAnimation | None = None
        self.setBackgroundBrush(QColor(theme.background))
        self.selectionChanged.connect(self._on_scene_selection_changed)

    # ------------------------------------------------------------------ building
    def show_graph(self, graph: nx.DiGraph, layout: Layout, animate: bool = True) -> None:
        """Draw `graph` placed by `layout`; items of nodes already shown are reused and moved."""
        self._finish_animation()
        self.graph = graph
        self._members = layout.groups
        # Animate changes to a picture on screen; a first picture or a huge one appears at once.
        animate = animate and bool(self.nodes) and (
            len(self.nodes) + len(layout.positions) <= ANIMATE_LIMIT)
        if not animate and len(layout.positions) > ANIMATE_LIMIT:
            self._clear_items()  # rebuilding is far cheaper than 20k single removals
        moves = self._place_nodes(graph, layout, animate)
        self._place_edges(graph, layout, animate)
        self._place_frames(graph, layout)
        w, h = layout.size
        self.setSceneRect(QRectF(-40, -40, w + 80, h + 80))
        self._restyle()
        self._changed()  # new boxes and edges: the overview batches and the minimap are stale
        if animate and (moves or self._fading):
            self._animate(moves)
        else:
            self._drop_faded()

    def clear_graph(self) -> None:
        """Show nothing: a new run starts from an empty picture (no fade from the old one)."""
        self._finish_animation()
        self._clear_items()
        self.graph = nx.DiGraph()
        self._members = {}
        self.overlay = None
        self._changed()

    def _clear_items(self) -> None:
        self.clearSelection()
        self.nodes, self.copies, self.edges, self.frames, self._fading = {}, [], {}, {}, []
        self.clear()  # deletes every item in C++ at once

    def _place_nodes(self, graph: nx.DiGraph, layout: Layout, animate: bool) -> list:
        old, self.nodes = self.nodes, {}
        moves = []
        for key, (x, y) in layout.positions.items():
            item = old.pop(key, None)
            if item is None:
                item = self._new_node(key, graph)
                item.setPos(x, y)
                if animate:
                    item.setOpacity(0.0)
                    moves.append((item, None, None))
            else:
                self._refresh_node(item, key, graph)
                if item.pos() != QPointF(x, y):
                    moves.append((item, item.pos(), QPointF(x, y))) if animate else item.setPos(
                        x, y)
            self.nodes[key] = item
        self._fade_out(old.values(), animate)
        self._place_copies(graph, layout)
        return moves

    def _place_copies(self, graph: nx.DiGraph, layout: Layout) -> None:
        """Extra boxes of split sources (a weight drawn above each of its consumers)."""
        for item in self.copies:
            self.removeItem(item)
        self.copies = []
        for key, served in layout.copies.items():
            first = layout.positions.get(key)
            for point in served.values():
                if point != first:
                    item = self._new_node(key, graph)
                    item.setPos(*point)
                    self.copies.append(item)

    def _new_node(self, key: Hashable, graph: nx.DiGraph) -> NodeItem:
        kind, label, detail = node_text(key, graph, self._members, self.label_style)
        item = NodeItem(key, kind, label, detail, GROUP_SIZE if kind == "group" else NODE_SIZE)
        item.theme = self.theme
        self._add(item)
        return item

    def _refresh_node(self, item: NodeItem, key: Hashable, graph: nx.DiGraph) -> None:
        _, item.label, item.detail = node_text(key, graph, self._members, self.label_style)

    def set_label_style(self, style: str) -> None:
        """Name ops by op ("op") or by PyTorch's grad_fn ("grad_fn"); redraws the labels."""
        self.label_style = style
        for item in self._all_nodes():
            self._refresh_node(item, item.key, self.graph)
            item.update()
        self._changed()

    def _place_edges(self, graph: nx.DiGraph, layout: Layout, animate: bool) -> None:
        old, self.edges = self.edges, {}
        for key, points in layout.edge_points.items():
            if len(points) < 2:
                continue
            item = old.pop(key, None)
            label = edge_label(key, graph)
            if item is None:
                item = EdgeItem(key, points, label)
                item.theme = self.theme
                self._add(item)
                if animate:
                    item.setOpacity(0.0)
            else:
                item.label = label
                item.set_points(points)
            self.edges[key] = item
        self._fade_out(old.values(), animate)

    def _place_frames(self, graph: nx.DiGraph, layout: Layout) -> None:
        for item in self.frames.values():
            self.removeItem(item)
        self.frames = {}
        for path, outline in group_outlines(graph, layout).items():
            item = GroupItem(path, outline)
            item.theme = self.theme
            self._add(item)
            self.frames[path] = item

    def _add(self, item: QGraphicsItem) -> None:
        """Items are top-level: Qt culls them through the index (children of a parent item
        would all be visited every frame)."""
        if self.overview:
            item.setVisible(False)
        self.addItem(item)

    # ------------------------------------------------------------------ styling
    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.setBackgroundBrush(QColor(theme.background))
        self._restyle()

    def set_overlay(self, overlay: OverlayScale | None) -> None:
        """Colour nodes by `overlay` (None: by kind); anomalous nodes are red in every mode."""
        self.overlay = overlay
        self._label_groups()
        self._restyle()

    def _label_groups(self) -> None:
        """A collapsed module's box leads with its total under a summed overlay (time,
        backward, total, saved bytes), so the costly module reads without opening it."""
        for item in self._all_nodes():
            if isinstance(item.key, GroupNode):
                detail = node_text(item.key, self.graph, self._members)[2]
                total = box_total(self.overlay, item.key)
                detail = f"{total} · {detail}" if total else detail
                if detail != item.detail:
                    item.detail = detail
                    item.update()

    def _restyle(self) -> None:
        ov = self.overlay
        changed = self._styled_theme is not self.theme
        self._styled_theme = self.theme
        for item in self._all_nodes():
            fill = None
            if ov is not None:
                if ov.name == "anomaly":  # each NaN role its colour, everything else grey
                    fill = QColor(ROLE_COLORS.get(ov.roles.get(item.key, ""), ROLE_NEUTRAL))
                elif item.key in ov.anomalies:
                    fill = QColor(ANOMALY)
                elif item.key in ov.t:
                    fill = scale_color(ov.t[item.key])
            if fill != item.fill or item.theme is not self.theme:
                item.theme, item.fill = self.theme, fill
                item.update()  # repaint what changed, not the whole scene 10 times a second
                changed = True
        for item in (*self.edges.values(), *self.frames.values()):
            item.theme = self.theme
        if changed:
            self._changed()
            self.update()

    def set_marks(self, step: Hashable | None = None, grad_into: Hashable | None = None) -> None:
        """Stepping marks: `step` is the node just run; edges into `grad_into` carry gradients."""
        changed = False
        for item in self._all_nodes():
            mark = "step" if item.key == step or item.key == grad_into else ""
            if mark != item.mark:
                item.mark, changed = mark, True
                item.update()
        for (_u, v), item in self.edges.items():
            mark = "grad" if grad_into is not None and v == grad_into else ""
            if mark != item.mark:
                item.mark, changed = mark, True
                item.update()
        if changed:
            self._changed()

    def set_states(self, states: dict, path_edges: set | frozenset = frozenset()) -> None:
        """Node states (see `app.ui.node_states`: origin, spread, path, added, removed,
        changed) and the edges on the way to a NaN's origin; nodes not named lose theirs."""
        changed = False
        states = {**group_states(states, self._members), **states}  # collapsed boxes too
        for item in self._all_nodes():
            state = states.get(item.key, "")
            if state != item.state:
                item.state, changed = state, True
                item.update()
        for key, item in self.edges.items():
            ghost = states.get(key[0]) == "removed" or states.get(key[1]) == "removed"
            state = "path" if key in path_edges else "removed" if ghost else ""
            if state != item.state:
                item.state, changed = state, True
                item.update()
        if changed:
            self._changed()

    def set_badges(self, badges: dict) -> None:
        """Gradient-health badges: node key -> flag ('vanishing', 'exploding', 'non-finite');
        a flagged node inside a collapsed module badges the module's box (worst flag)."""
        group_of = {m: g for g, members in self._members.items() for m in members}
        shown: dict = {}
        for key, flag in badges.items():
            box = key if key in self.nodes else group_of.get(key)
            if box is not None and _BADGE_RANK.get(flag, 0) > _BADGE_RANK.get(shown.get(box), 0):
                shown[box] = flag
        changed = False
        for item in self._all_nodes():
            flag = shown.get(item.key, "")
            if flag != item.badge:
                item.badge, changed = flag, True
                item.update()
        if changed:
            self._changed()

    def _changed(self) -> None:
        """The picture changed: rebuild the overview batches and the minimap when next shown."""
        self._overview.invalidate()
        self.version += 1

    def _all_nodes(self):
        return [*self.nodes.values(), *self.copies]

    # ------------------------------------------------------------------ selection
    def select_node(self, key: Hashable | None) -> None:
        """Select the box of `key` (None clears) without echoing node_selected back."""
        self.blockSignals(True)
        try:
            self.clearSelection()
            item = self.nodes.get(key)
            if item is not None:
                item.setSelected(True)
        finally:
            self.blockSignals(False)
        self._changed()
        self.update()

    def selected_key(self) -> Hashable | None:
        items = self.selectedItems()
        return items[0].key if items else None

    def _on_scene_selection_changed(self) -> None:
        self._changed()
        self.node_selected.emit(self.selected_key())

    def item_double_clicked(self, item: QGraphicsItem) -> None:
        """Called by items: a collapsed group expands, a frame collapses its group."""
        if isinstance(item, GroupItem):
            self.group_toggled.emit(item.path)
        elif isinstance(item, NodeItem) and isinstance(item.key, GroupNode):
            self.group_toggled.emit(item.key.path)

    # ------------------------------------------------------------------ overview
    def set_overview(self, on: bool) -> None:
        """Below the zoom threshold: hide the items and paint the batches instead."""
        if on == self.overview:
            return
        self.overview = on
        for item in (*self._all_nodes(), *self.edges.values(), *self.frames.values()):
            item.setVisible(not on)
        # With the BSP index a frame still visits every hidden item in the exposed area; with
        # no index painting starts from the three hidden layers and stops there.
        self.setItemIndexMethod(QGraphicsScene.NoIndex if on else QGraphicsScene.BspTreeIndex)
        self.update()

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        if self.overview:
            self._overview.paint(painter, rect, self._all_nodes(), self.edges.values(),
                                 self.theme)

    def node_at(self, point: QPointF) -> NodeItem | None:
        """The node under a scene point, in overview mode too."""
        if self.overview:
            return self._overview.node_at(self._all_nodes(), point)
        for item in self.items(point):
            if isinstance(item, NodeItem):
                return item
        return None

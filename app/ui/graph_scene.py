"""GraphScene: the drawn graph. Keeps the node -> item map, turns a laid-out graph into items
(animating what appeared, moved or went away), applies overlays and stepping marks, and paints
the batched overview when zoomed far out."""

from __future__ import annotations

from collections.abc import Hashable

import networkx as nx
from PySide6.QtCore import QEasingCurve, QPointF, QRectF, QVariantAnimation, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene

from app.layout import GroupNode, Layout
from app.present.overlays import OverlayScale
from app.ui.items import EdgeItem, GroupItem, NodeItem
from app.ui.overview import OverviewPainter
from app.ui.theme import ANOMALY, DARK, Theme, scale_color

# Above this many items a change is applied at once: animating it would cost more than it shows.
ANIMATE_LIMIT = 1500
ANIMATION_MS = 220


class GraphScene(QGraphicsScene):
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
        kind, label, detail = node_text(key, graph, self._members)
        item = NodeItem(key, kind, label, detail, (180.0, 44.0) if kind == "group"
                        else (120.0, 36.0))
        item.theme = self.theme
        self._add(item)
        return item

    def _refresh_node(self, item: NodeItem, key: Hashable, graph: nx.DiGraph) -> None:
        _, item.label, item.detail = node_text(key, graph, self._members)

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

    # ------------------------------------------------------------------ animation
    def _fade_out(self, items, animate: bool) -> None:
        for item in items:
            if animate:
                self._fading.append(item)
            else:
                self.removeItem(item)

    def _animate(self, moves: list) -> None:
        anim = QVariantAnimation()  # owned here, not by the scene: no deferred deletion
        anim.setStartValue(0.0)
        anim.setEndValue(1.0)
        anim.setDuration(ANIMATION_MS)
        anim.setEasingCurve(QEasingCurve.InOutQuad)
        self._moves = moves
        self._fresh = [i for i in self.edges.values() if i.opacity() < 1.0]
        anim.valueChanged.connect(self._on_animation_value_changed)
        anim.finished.connect(self._finish_animation)
        self._animation = anim
        anim.start()

    def _on_animation_value_changed(self, t: float) -> None:
        self._on_animation_step(float(t), self._moves, self._fresh)

    def _on_animation_step(self, t: float, moves: list, fresh: list) -> None:
        for item, start, end in moves:
            if start is None:
                item.setOpacity(t)
            else:
                item.setPos(start + (end - start) * t)
        for item in fresh:
            item.setOpacity(t)
        for item in self._fading:
            item.setOpacity(1.0 - t)
        self._changed()

    def _finish_animation(self) -> None:
        """Jump to the end state (also when a new graph arrives mid-animation)."""
        anim, self._animation = self._animation, None
        if anim is None:
            return
        anim.valueChanged.disconnect(self._on_animation_value_changed)
        anim.finished.disconnect(self._finish_animation)
        anim.stop()
        self._spent = anim  # may be mid-emission of `finished`: free it with the next one
        self._on_animation_step(1.0, self._moves, self._fresh)
        self._moves, self._fresh = [], []
        self._drop_faded()

    def _drop_faded(self) -> None:
        for item in self._fading:
            if item.scene() is self:
                self.removeItem(item)
        self._fading = []
        for item in (*self.nodes.values(), *self.edges.values()):
            if item.opacity() < 1.0:
                item.setOpacity(1.0)

    def finish_animation(self) -> None:
        """Complete any running animation now (exports and tests want the final picture)."""
        self._finish_animation()

    # ------------------------------------------------------------------ styling
    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.setBackgroundBrush(QColor(theme.background))
        self._restyle()

    def set_overlay(self, overlay: OverlayScale | None) -> None:
        """Colour nodes by `overlay` (None: by kind); anomalous nodes are red in every mode."""
        self.overlay = overlay
        self._restyle()

    def _restyle(self) -> None:
        ov = self.overlay
        changed = self._styled_theme is not self.theme
        self._styled_theme = self.theme
        for item in self._all_nodes():
            fill = None
            if ov is not None:
                if item.key in ov.anomalies:
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


def node_text(key: Hashable, graph: nx.DiGraph, groups: dict | None = None
              ) -> tuple[str, str, str]:
    """(kind, label, detail) of a drawn node; a collapsed group shows its path and size.
    `groups` is the layout's GroupNode -> members map."""
    if isinstance(key, GroupNode):
        members = (groups or {}).get(key, ())
        ops = sum(1 for n in members if graph.nodes[n].get("kind") == "op")
        return "group", key.path, f"{ops} ops (double-click)"
    data = graph.nodes[key] if key in graph else {}
    kind, label = data.get("kind", "op"), str(data.get("label", key))
    if kind == "input" and label.isdigit():
        label = f"input {label}"  # inputs are numbered by the trace: say what they are
    return kind, label, str(data.get("shape", ""))


def edge_label(key: tuple, graph: nx.DiGraph) -> str:
    u, v = key
    if graph.has_edge(u, v):
        return str(graph.edges[u, v].get("shape", ""))
    return ""


# Frame margins: around a group's own boxes, around a nested frame, and the title line on top
# of the first band. They stay small: siblings share layers with a node gap of 24 (16 beside a
# passing edge), so margins that add up past that would make neighbouring frames overlap.
BOX_PAD_X, BOX_PAD_Y = 5.0, 4.0
NEST_PAD = 4.0
TITLE_ROOM = 13.0
NECK = 24.0  # width of the bridge between bands that do not overlap in x


class Outline:
    """A module frame that follows its nodes layer by layer: `path` (the drawn and hit shape),
    `rect` (its bounds) and `title_at` (baseline start of the title, top-left of the first
    band)."""

    __slots__ = ("bands", "path", "rect", "title_at")

    def __init__(self, bands: dict[float, list[float]]) -> None:
        self.bands = bands  # layer y -> [left, top, right, bottom]
        self.path = _staircase(bands)
        lo, top, hi, bottom = zip(*bands.values(), strict=True)
        self.rect = QRectF(QPointF(min(lo), min(top)), QPointF(max(hi), max(bottom)))
        first = bands[min(bands)]
        self.title_at = QPointF(first[0] + 6, first[1] + 11)


def group_outlines(graph: nx.DiGraph, layout: Layout) -> dict[str, Outline]:
    """Frames of the expanded module groups. Each frame is, per layer (y band), the x-extent of
    its own boxes and its child frames there, padded; consecutive layers are joined through
    the overlap of their extents. Sibling groups sit side by side within every layer, so
    their frames never overlap (one rectangle over all layers did: weights hang a layer above
    their op, into the neighbour's layer). Built deepest first; nested titles get their own
    line."""
    own: dict[str, dict[float, list[float]]] = {}
    for key, (x, y) in layout.positions.items():
        if isinstance(key, GroupNode):
            continue
        group = graph.nodes[key].get("group") if key in graph else None
        if not group:
            continue
        parts = group.split(".")
        for i in range(len(parts), 0, -1):
            own.setdefault(".".join(parts[:i]), {})
        box = [x - 60 - BOX_PAD_X, y - 18 - BOX_PAD_Y, x + 60 + BOX_PAD_X, y + 18 + BOX_PAD_Y]
        _grow(own[group], y, box)
    children: dict[str, list[str]] = {}
    for path in own:
        if "." in path:
            children.setdefault(path.rsplit(".", 1)[0], []).append(path)
    frames: dict[str, Outline] = {}
    for path in sorted(own, key=lambda p: -p.count(".")):
        bands = own[path]
        for child in children.get(path, ()):
            for y, (left, top, right, bottom) in frames[child].bands.items():
                _grow(bands, y, [left - NEST_PAD, top - NEST_PAD, right + NEST_PAD,
                                 bottom + NEST_PAD])
        bands[min(bands)][1] -= TITLE_ROOM
        frames[path] = Outline(bands)
    return frames


def group_rects(graph: nx.DiGraph, layout: Layout) -> dict[str, QRectF]:
    """Bounds of the module frames (see `group_outlines`)."""
    return {path: o.rect for path, o in group_outlines(graph, layout).items()}


def _grow(bands: dict[float, list[float]], y: float, box: list[float]) -> None:
    band = bands.get(y)
    if band is None:
        bands[y] = list(box)
        return
    if box[0] < band[0]:
        band[0] = box[0]
    if box[1] < band[1]:
        band[1] = box[1]
    if box[2] > band[2]:
        band[2] = box[2]
    if box[3] > band[3]:
        band[3] = box[3]


def _staircase(bands: dict[float, list[float]]) -> QPainterPath:
    """The outline as one closed polygon: down the right side, up the left. Consecutive
    bands are joined through the gap between their layers by a connector (see `_neck`)."""
    ordered = [bands[y] for y in sorted(bands)]
    right: list[tuple[float, float]] = []
    left: list[tuple[float, float]] = []
    for i, (lo, top, hi, bottom) in enumerate(ordered):
        right += [(hi, top), (hi, bottom)]
        left += [(lo, top), (lo, bottom)]
        if i + 1 < len(ordered):
            nxt = ordered[i + 1]
            c_lo, c_hi = _neck(lo, hi, nxt[0], nxt[2])
            below = max(nxt[1], bottom)
            right += [(c_hi, bottom), (c_hi, below)]
            left += [(c_lo, bottom), (c_lo, below)]
    left.reverse()
    path = QPainterPath()
    path.moveTo(*right[0])
    for x, y in right[1:] + left:  # floats, not QPointFs: a fifth of the cost at 5k nodes
        path.lineTo(x, y)
    path.closeSubpath()
    return path


def _neck(lo: float, hi: float, next_lo: float, next_hi: float) -> tuple[float, float]:
    """x-range of the connector between two consecutive bands: their overlap (a band's extent
    is the group's only claim on its layer, so the join stays inside it); bands apart in x
    (weights hung beside the column above their op) are joined by a short bridge across."""
    c_lo, c_hi = max(lo, next_lo), min(hi, next_hi)
    if c_lo < c_hi:
        return c_lo, c_hi
    if hi <= next_lo:  # the next band lies to the right
        return max(lo, hi - NECK), min(next_hi, next_lo + NECK)
    return max(next_lo, next_hi - NECK), min(hi, lo + NECK)

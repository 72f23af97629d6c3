"""Module-frame geometry: the outline a module group's frame follows, layer by layer, around
its boxes and its nested frames (`group_outlines`), and their bounds (`group_rects`). The
scene draws these as `GroupItem`s; box sizes come from `app.present.graph.NODE_SIZE`."""

from __future__ import annotations

import networkx as nx
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainterPath

from app.layout import GroupNode, Layout
from app.present.graph import NODE_SIZE

HALF_W, HALF_H = NODE_SIZE[0] / 2, NODE_SIZE[1] / 2

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
        box = [x - HALF_W - BOX_PAD_X, y - HALF_H - BOX_PAD_Y, x + HALF_W + BOX_PAD_X,
               y + HALF_H + BOX_PAD_Y]
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

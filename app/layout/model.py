"""Public value types of the layout: options in, `Layout` out, and the keys of drawn-only nodes."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

Point = tuple[float, float]
EdgeKey = tuple[Hashable, Hashable]


@dataclass(frozen=True, slots=True)
class GroupNode:
    """The single node that stands for a collapsed module group, e.g. `GroupNode("blocks.3")`."""

    path: str


@dataclass(frozen=True, slots=True)
class WeightCopy:
    """One drawn copy of a shared source node (a weight or input), placed above `consumer`."""

    node: Hashable
    consumer: Hashable


@dataclass(frozen=True)
class LayoutOptions:
    """Knobs of `layout_graph`; the defaults suit the graph view.

    Attributes:
        collapsed: module paths drawn as one box each (a member's `group` equals the path or
            starts with `path + "."`); the outermost collapsed path wins.
        split_shared: draw a source node (kind in `split_kinds`) once per consumer, so
            shared weights of unrolled RNNs do not tie every step together.
        split_kinds: kinds of source node that are split; a source without a kind counts as
            "input".
        node_size: (width, height) of a node without a `size` attribute.
        group_size: (width, height) of a collapsed group box.
        node_gap: horizontal gap between neighbouring boxes.
        dummy_gap: horizontal gap next to an edge passing through a layer.
        layer_gap: vertical gap between layers.
        time_budget_s: the layout returns after about this many seconds with the best result
            found so far: crossing reduction stops first, then coordinate passes (layers stay
            packed), and when the edges would need more bends than the budget can place, the
            longest are drawn as straight lines outside the layers (`timed_out` is then set).
        max_sweeps: upper bound on sweep-and-transpose rounds in a cold layout.
        transpose: run the neighbour-exchange pass that removes the crossings sweeps leave.
    """

    collapsed: frozenset[str] = frozenset()
    split_shared: bool = True
    split_kinds: frozenset[str] = frozenset({"param", "input"})
    node_size: Point = (120.0, 36.0)
    group_size: Point = (180.0, 44.0)
    node_gap: float = 24.0
    dummy_gap: float = 8.0
    layer_gap: float = 40.0
    time_budget_s: float = 0.5
    max_sweeps: int = 32
    transpose: bool = True


class OrderHints:
    """What a later layout needs to keep this one still: x of every drawn node and bend.

    Built lazily: most layouts are never passed on as `previous`, and the two dictionaries
    cost as much as a fifth of a cold layout.
    """

    def __init__(self, build: Callable[[], tuple[dict, dict]] | None = None) -> None:
        self._build = build
        self._maps: tuple[dict, dict] | None = None

    def _get(self) -> tuple[dict, dict]:
        if self._maps is None:
            self._maps = self._build() if self._build else ({}, {})
            self._build = None
        return self._maps

    @property
    def node_x(self) -> dict[Hashable, float]:
        """Drawn node key (original node, `GroupNode` or `WeightCopy`) -> x."""
        return self._get()[0]

    @property
    def bend_x(self) -> dict[EdgeKey, list[float]]:
        """Drawn edge -> x of its bends, from the top."""
        return self._get()[1]


@dataclass
class Layout:
    """Result of `layout_graph`. Coordinates are box centres; y grows downwards with depth.

    Attributes:
        positions: drawn node -> (x, y); a collapsed group appears as its `GroupNode`, its
            members do not appear. A split source maps to the position of its first copy.
        edge_points: drawn edge (u, v) -> polyline from the bottom of u through one bend per
            layer crossed to the top of v (reversed edges of a cycle run upwards).
        size: (width, height) of the drawing; every box lies inside (0, 0)-(width, height).
        copies: split source node -> {consumer: position of the copy drawn for it}.
        groups: collapsed `GroupNode` -> the member nodes it hides.
        ranks: drawn node -> layer index (copies take their first copy's layer).
        crossings: edge crossings of the drawing, counted between adjacent layers (edges drawn
            straight for the time budget are not counted).
        timed_out: the time budget cut crossing reduction short, or left long edges straight.
        timings: seconds spent per phase, for the benchmark.
        hints: pass this layout as `previous` to keep the next one still.
        shift: how far right this drawing's frame sits from the frame of `previous` (new nodes
            left of all old ones push the whole drawing right, as the box must start at 0);
            a view scrolls by it to keep the picture still.
    """

    positions: dict[Hashable, Point]
    edge_points: dict[EdgeKey, list[Point]]
    size: Point
    copies: dict[Hashable, dict[Hashable, Point]] = field(default_factory=dict)
    groups: dict[GroupNode, tuple[Hashable, ...]] = field(default_factory=dict)
    ranks: dict[Hashable, int] = field(default_factory=dict)
    crossings: int = 0
    timed_out: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    hints: OrderHints = field(default_factory=OrderHints)
    shift: float = 0.0

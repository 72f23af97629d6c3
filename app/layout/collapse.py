"""Turn a networkx graph into the integer-indexed graph the layout works on, collapsing groups.

Members of a collapsed module group become one `GroupNode`; their edges to the outside are
merged (one drawn edge per outside neighbour) and edges inside the group disappear.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

import networkx as nx

from app.layout.model import GroupNode, LayoutOptions


@dataclass
class DrawGraph:
    """Drawn nodes 0..n-1 with their keys, kinds and box sizes, and deduplicated edges.

    `succ`/`pred` start in data-flow direction; ranking turns them into down/up lists.
    """

    keys: list[Hashable]
    kinds: list[str]
    widths: list[float]
    heights: list[float]
    succ: list[list[int]]
    pred: list[list[int]]
    groups: dict[GroupNode, list[Hashable]] = field(default_factory=dict)

    def add_node(self, key: Hashable, kind: str, width: float, height: float) -> int:
        """Append a node without edges and return its index."""
        self.keys.append(key)
        self.kinds.append(kind)
        self.widths.append(width)
        self.heights.append(height)
        self.succ.append([])
        self.pred.append([])
        return len(self.keys) - 1


def _owner_finder(collapsed: frozenset[str]):
    """Return group -> outermost collapsed path containing it (or None), memoised per group."""
    cache: dict[str | None, str | None] = {}

    def owner(group: str | None) -> str | None:
        if group in cache:
            return cache[group]
        found = None
        if group:
            parts = group.split(".")
            for i in range(1, len(parts) + 1):
                prefix = ".".join(parts[:i])
                if prefix in collapsed:
                    found = prefix
                    break
        cache[group] = found
        return found

    return owner


def build_draw_graph(graph: nx.DiGraph, options: LayoutOptions) -> DrawGraph:
    """Index `graph`'s nodes and edges, replacing collapsed groups by one node each.

    Args:
        graph: edges in data-flow direction; node attributes kind, group and size are read.
            A missing kind is stored as "" (ranking treats such a source as an input).
        options: `collapsed`, `node_size` and `group_size` are used.
    Returns:
        A `DrawGraph` without self-loops or parallel edges.
    """
    if options.collapsed:
        return _build_collapsed(graph, options)
    keys = list(graph)
    index = dict(zip(keys, range(len(keys))))
    datas = [d for _, d in graph.nodes(data=True)]
    dg = DrawGraph(keys, [d.get("kind", "") for d in datas], [], [], [], [])
    _fill_sizes(dg, [d.get("size") for d in datas], options)
    dg.succ = _neighbours(graph, index)
    # networkx keeps in-edges in insertion order, i.e. argument order of the op (x before W);
    # the reverse view's adjacency() walks them without building a view per node.
    dg.pred = _neighbours(graph.reverse(copy=False), index)
    return dg


def _neighbours(graph: nx.DiGraph, index: dict[Hashable, int]) -> list[list[int]]:
    """Successor index lists of `graph`, without self-loops."""
    out: list[list[int]] = [[]] * len(index)
    get = index.__getitem__
    for u, nbrs in graph.adjacency():
        out[index[u]] = [index[v] for v in nbrs if v != u] if u in nbrs else list(map(get, nbrs))
    return out


def _fill_sizes(dg: DrawGraph, sizes: list, options: LayoutOptions) -> None:
    """Box sizes from the `size` attributes, the default where one is missing."""
    w0, h0 = options.node_size
    dg.widths = [float(s[0]) if s else w0 for s in sizes]
    dg.heights = [float(s[1]) if s else h0 for s in sizes]


def _build_collapsed(graph: nx.DiGraph, options: LayoutOptions) -> DrawGraph:
    """Slow path: map members of collapsed groups onto one node and merge their edges."""
    dg = DrawGraph([], [], [], [], [], [])
    owner = _owner_finder(options.collapsed)
    index: dict[Hashable, int] = {}
    node_index: dict[Hashable, int] = {}
    w0, h0 = options.node_size
    for node, data in graph.nodes(data=True):
        path = owner(data.get("group"))
        if path is None:
            w, h = data.get("size") or (w0, h0)
            i = dg.add_node(node, data.get("kind", ""), float(w), float(h))
        else:
            key = GroupNode(path)
            if key not in index:
                index[key] = dg.add_node(key, "group", *options.group_size)
                dg.groups[key] = []
            i = index[key]
            dg.groups[key].append(node)
        node_index[node] = i
    seen: set[tuple[int, int]] = set()
    for u, v in graph.edges():
        iu, iv = node_index[u], node_index[v]
        if iu != iv and (iu, iv) not in seen:
            seen.add((iu, iv))
            dg.succ[iu].append(iv)
            dg.pred[iv].append(iu)
    return dg

"""The capture as the view draws it, Qt-free: the graph of a capture or of a stepped
iteration so far, module paths and which of them to collapse, the layout call, and a
collapsed group's overlay values. Shared by the window's presenter and the headless export."""

from __future__ import annotations

from typing import Any

import networkx as nx

from app.layout import Layout, LayoutOptions, layout_graph
from autograd_core.trace.graph import with_safe_text

# The box sizes the layout places and the scene draws (and frames pad): the layout's defaults,
# named once here.
NODE_SIZE: tuple[float, float] = LayoutOptions().node_size
GROUP_SIZE: tuple[float, float] = LayoutOptions().group_size
AUTO_COLLAPSE_NODES = 400   # larger graphs open with module groups collapsed by depth


def capture_graph(capture: Any) -> nx.DiGraph:
    """The capture as the view draws it (see `autograd_core.trace.to_networkx`): names from
    the file pass through `safe_text`, so labels, shapes and frame titles are plain drawable
    text in the window and in every image export."""
    from autograd_core.trace import to_networkx

    graph = with_safe_text(to_networkx(capture))
    add_param_grad_norms(graph, capture)
    grad_fn_names(graph, capture)
    return graph


def add_param_grad_norms(graph: nx.DiGraph, capture: Any) -> None:
    """Give parameter nodes their gradient's norm (`grad_norm`) from the capture's health:
    they have no backward node, so the gradient overlay and the hover text had nothing."""
    from app.present.health_view import param_grad_norms

    for key, norm in param_grad_norms(capture).items():
        if key in graph and graph.nodes[key].get("grad_norm") is None:
            graph.nodes[key]["grad_norm"] = norm


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


def expand_one_level(graph: nx.DiGraph, collapsed: frozenset[str]) -> frozenset[str]:
    """Open each collapsed module one level: it shows its own ops and its direct child modules
    as collapsed boxes (a module without children opens fully).

    Example: {"blocks"} -> {"blocks.0", "blocks.1", ...}.
    """
    paths = module_paths(graph)
    out: set[str] = set()
    for path in collapsed:
        out.update(p for p in paths if p.startswith(path + ".")
                   and p.count(".") == path.count(".") + 1)
    return frozenset(out)


def collapse_one_level(graph: nx.DiGraph, collapsed: frozenset[str]) -> frozenset[str]:
    """Close the deepest open modules (those drawn as frames, not inside a collapsed one)
    into boxes, one level up from what is shown; collapsed ones inside them merge in.

    Example: nothing collapsed in `blocks.0.attn` -> {"blocks.0.attn", "blocks.1.attn", ...}.
    """
    def hidden(path: str) -> bool:
        return any(path == c or path.startswith(c + ".") for c in collapsed)

    open_paths = [p for p in module_paths(graph) if not hidden(p)]
    if not open_paths:
        return collapsed
    depth = max(p.count(".") for p in open_paths)
    level = {p for p in open_paths if p.count(".") == depth}
    kept = {c for c in collapsed if not any(c.startswith(p + ".") for p in level)}
    return frozenset(kept | level)


def grad_fn_names(graph: nx.DiGraph, capture: Any) -> None:
    """Add `grad_fn` (the backward node's name, PyTorch's `AddmmBackward0`) to each op of
    `graph` that ran backward, for the torchviz-style label; in place."""
    from autograd_core.trace.text import safe_text

    backward = getattr(capture, "backward", ())
    for node in getattr(capture, "nodes", ()):
        ran = node.backward is not None and 0 <= node.backward < len(backward)
        if ran and node.key in graph:
            graph.nodes[node.key]["grad_fn"] = safe_text(str(backward[node.backward].name))


def lay_out(graph: nx.DiGraph, collapsed: frozenset[str], previous: Layout | None = None
            ) -> Layout:
    return layout_graph(graph, previous, LayoutOptions(collapsed=collapsed))


def shape_text(shape: Any) -> str:
    return "x".join(map(str, shape)) if isinstance(shape, tuple) else ""


def group_values(graph: nx.DiGraph, members: tuple) -> dict:
    """A collapsed group's overlay values: summed times, largest norms, any anomaly."""
    out: dict[str, float] = {}
    for m in members:
        d = graph.nodes[m]
        for attr in ("time_ns", "backward_ns", "saved_bytes"):
            if d.get(attr) is not None:
                out[attr] = out.get(attr, 0.0) + float(d[attr])
        for attr in ("norm", "grad_norm", "nan", "inf"):
            if d.get(attr) is not None:
                out[attr] = max(out.get(attr, 0.0), float(d[attr]))
    return out


def overlay_values(graph: nx.DiGraph, groups: dict) -> dict:
    """Each drawn node's overlay attributes: a node's own, and for each collapsed group box
    (`groups`: the layout's GroupNode -> members) the sums and maxima of its members, so a
    collapsed module is coloured, and its total shown, in the window and in exports alike."""
    values = dict(graph.nodes(data=True))
    for key, members in groups.items():
        values[key] = group_values(graph, members)
    return values

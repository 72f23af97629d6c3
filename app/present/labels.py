"""What a drawn box and edge say, Qt-free: a node's kind, label and detail line (a collapsed
group shows its path and size), an edge's shape label. Used by the scene and its tests."""

from __future__ import annotations

from collections.abc import Hashable

import networkx as nx

from app.layout import GroupNode

LABEL_STYLES = ("op", "grad_fn")  # op names (Linear), or PyTorch's grad_fn (AddmmBackward0)


def node_text(key: Hashable, graph: nx.DiGraph, groups: dict | None = None,
              style: str = "op") -> tuple[str, str, str]:
    """(kind, label, detail) of a drawn node; a collapsed group shows its path and size.
    `groups` is the layout's GroupNode -> members map; `style` "grad_fn" names an op that
    ran backward as PyTorch's `grad_fn` does (torchviz's labels)."""
    if isinstance(key, GroupNode):
        members = (groups or {}).get(key, ())
        ops = sum(1 for n in members if graph.nodes[n].get("kind") == "op")
        return "group", key.path, "1 op" if ops == 1 else f"{ops} ops"
    data = graph.nodes[key] if key in graph else {}
    kind, label = data.get("kind", "op"), str(data.get("label", key))
    if style == "grad_fn" and data.get("grad_fn"):
        label = str(data["grad_fn"])
    if kind == "input" and label.isdigit():
        label = f"input {label}"  # inputs are numbered by the trace: say what they are
    return kind, label, str(data.get("shape", ""))


def edge_label(key: tuple, graph: nx.DiGraph) -> str:
    u, v = key
    if graph.has_edge(u, v):
        return str(graph.edges[u, v].get("shape", ""))
    return ""


def export_title(model: str, iteration: int | None, overlay: str) -> str:
    """A static export's title line: which model, which iteration, which overlay.

    Example:
        >>> export_title("spiral_mlp.py", 12, "time")
        'spiral_mlp.py · iteration 12 · overlay: Forward time'
    """
    from app.present.overlays import OVERLAYS

    parts = [model] if model else []
    if iteration is not None:
        parts.append(f"iteration {iteration}")
    if overlay and overlay != "none":
        parts.append(f"overlay: {OVERLAYS.get(overlay, ('', overlay))[1]}")
    return " · ".join(parts)

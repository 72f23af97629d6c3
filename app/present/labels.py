"""What a drawn box and edge say, Qt-free: a node's kind, label and detail line (a collapsed
group shows its path and size), an edge's shape label. Used by the scene and its tests."""

from __future__ import annotations

from collections.abc import Hashable

import networkx as nx

from app.layout import GroupNode


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

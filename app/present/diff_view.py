"""Diff of two iterations as the window shows it, Qt-free: which nodes were added, removed
(drawn as ghosts from the pinned iteration) or changed, grouped into rows by the source line
and module they come from (a dynamic model's branches), and per-node ratios of forward time
and gradient norm for the delta overlays. Built on `autograd_core.trace.diff`.

Example:
    view = diff_view(pinned_capture, shown_capture)
    view.added, view.removed          # node keys only in the shown / only in the pinned
    graph = with_ghosts(capture_graph(shown), capture_graph(pinned), view.removed)
"""

from __future__ import annotations

import math
import os
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from autograd_core.trace.diff import diff

__all__ = ["DiffRow", "DiffView", "diff_states", "diff_view", "group_states", "with_ghosts"]


@dataclass(slots=True)
class DiffRow:
    """One listed change: `kind` (added, removed, changed), the source line and module of its
    nodes (one branch of the model), and the nodes with a detail each."""

    kind: str
    source: str
    module: str
    nodes: list[tuple[str, str, str]]  # (key, label, detail)

    @property
    def title(self) -> str:
        # The file's name and line: a full path ate the dock's width (the tooltip has it).
        where = os.path.basename(self.source) if self.source else "no source line"
        mod = f" in {self.module}" if self.module else ""
        n = len(self.nodes)
        return f"{where}{mod}: {n} node{'s' if n != 1 else ''}"


@dataclass(slots=True)
class DiffView:
    """What changed from the pinned iteration to the shown one."""

    pinned: int
    shown: int
    added: set[str] = field(default_factory=set)
    removed: set[str] = field(default_factory=set)
    changed: dict[str, str] = field(default_factory=dict)  # key -> "shape 3x4 -> 5x4"
    rows: list[DiffRow] = field(default_factory=list)
    time_ratio: dict[str, float] = field(default_factory=dict)   # shown / pinned
    grad_ratio: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        if not (self.added or self.removed or self.changed):
            return f"iteration {self.shown}: same graph as pinned iteration {self.pinned}"
        return (f"iteration {self.pinned} (pinned) -> {self.shown}: {len(self.added)} added, "
                f"{len(self.removed)} removed, {len(self.changed)} changed")


def diff_view(pinned: Any, shown: Any) -> DiffView:
    """Compare capture `pinned` with capture `shown` (matched by stable node key)."""
    d = diff(pinned, shown)
    view = DiffView(int(pinned.index), int(shown.index), set(d.added), set(d.removed))
    for change in d.changed:
        view.changed[change.key] = "; ".join(
            f"{name} {_text(old)} -> {_text(new)}" for name, (old, new) in change.fields.items())
    for key, (old, new) in d.time_ns.items():
        if old > 0 and new > 0:
            view.time_ratio[key] = new / old
    for key, (old, new) in d.grad_norm.items():
        if _positive(old) and _positive(new):
            view.grad_ratio[key] = new / old
    view.rows = (_rows("added", shown, view.added, {})
                 + _rows("removed", pinned, view.removed, {})
                 + _rows("changed", shown, set(view.changed), view.changed))
    return view


def diff_states(view: DiffView | None) -> dict[Hashable, str]:
    """Node states for the graph (see app.ui.node_states): added, removed, changed."""
    if view is None:
        return {}
    states: dict[Hashable, str] = dict.fromkeys(view.changed, "changed")
    states.update(dict.fromkeys(view.added, "added"))
    states.update(dict.fromkeys(view.removed, "removed"))
    return states


DIFF_STATES = ("added", "removed", "changed")


def group_states(states: dict[Hashable, str], members: dict[Hashable, Sequence[Hashable]]
                 ) -> dict[Hashable, str]:
    """Diff states for collapsed module boxes (`members`: box -> the nodes it hides), so a
    diff shows on a collapsed graph too: "added" or "removed" when every member was, else
    "changed" when any member was added, removed or changed; boxes without one are left out.

    Example: {"a": "added", "b": "added"}, {box: ["a", "b"]} -> {box: "added"}
    """
    out: dict[Hashable, str] = {}
    for box, keys in members.items():
        seen = {states.get(k, "") for k in keys}
        if not seen & set(DIFF_STATES):
            continue
        out[box] = seen.pop() if len(seen) == 1 and seen <= {"added", "removed"} else "changed"
    return out


def with_ghosts(graph: nx.DiGraph, pinned_graph: nx.DiGraph, removed: set[str]) -> nx.DiGraph:
    """`graph` plus the `removed` nodes of `pinned_graph` (attribute `ghost`) and the pinned
    edges that touch them, so removed nodes are drawn where they were."""
    if not removed:
        return graph
    out = graph.copy()
    for key in removed:
        if key in pinned_graph:
            out.add_node(key, **{**pinned_graph.nodes[key], "ghost": True})
    for u, v, data in pinned_graph.edges(data=True):
        if (u in removed or v in removed) and u in out and v in out:
            out.add_edge(u, v, **data)
    return out


def _rows(kind: str, cap: Any, keys: set[str], details: dict[str, str]) -> list[DiffRow]:
    """The nodes `keys` of `cap` grouped by (source line, module), in graph order."""
    groups: dict[tuple[str, str], DiffRow] = {}
    for node in cap.nodes:
        if node.key in keys:
            row = groups.setdefault((node.source, node.module),
                                    DiffRow(kind, node.source, node.module, []))
            shape = "x".join(map(str, cap.tensors[node.outputs[0]].shape)) if node.outputs \
                else ""
            row.nodes.append((node.key, node.label, details.get(node.key, shape)))
    return list(groups.values())


def _text(value: Any) -> str:
    if isinstance(value, tuple) and all(isinstance(s, tuple) for s in value):
        return ", ".join("x".join(map(str, s)) for s in value) or "()"
    return str(value)


def _positive(value: float | None) -> bool:
    return value is not None and math.isfinite(value) and value > 0

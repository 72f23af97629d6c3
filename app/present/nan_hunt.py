"""NaN hunt, Qt-free: where the first NaN/Inf of a run was born, and how to draw it.

`birth_of(capture)` reads the origin the recorder's health check found (the same one
`gradscope record` prints); `find_birth(captures)` takes the earliest over a run;
`anomaly_roles(graph, capture)` names each node's part in it: the `origin`, the nodes it
`spread` to, the `path` from the inputs to the origin, and nodes `flagged` as vanishing or
exploding. The window's banner, scrubber marks and Anomaly overlay are drawn from these.

Example:
    birth = find_birth(session.captures)
    birth.text()   # 'NaN first born in Log at iteration 5 (forward, in its output), model.py:30'
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx

__all__ = ["ROLES", "NanBirth", "anomaly_roles", "birth_of", "capture_nonfinite",
           "find_birth", "origin_path"]

# A node's part in the NaN story, most telling first (a node has the first that applies).
ROLES = ("origin", "spread", "path", "flagged")


@dataclass(frozen=True, slots=True)
class NanBirth:
    """The op where a NaN/Inf first appeared: in which iteration, phase and tensor
    (`where`: "output" forward, "grad" backward), and the user's `source` line."""

    iteration: int
    key: str
    op: str
    module: str
    phase: str
    where: str
    source: str
    nan: int
    inf: int

    @property
    def kind(self) -> str:
        return "NaN" if self.nan else "Inf"

    @property
    def line(self) -> int | None:
        """The line number of `source` ('file.py:30' -> 30), None when it names none."""
        _, _, tail = self.source.rpartition(":")
        return int(tail) if tail.isdigit() else None

    @property
    def file_line(self) -> str:
        """`source` without its directories ('model.py:30'): what fits in a banner."""
        return self.source.replace("\\", "/").rsplit("/", 1)[-1]

    def text(self, full: bool = False) -> str:
        """One sentence, as the banner shows it (names are the capture's: show as plain
        text); `full` names the source with its path (the banner's tooltip)."""
        where = f" in module {self.module}" if self.module else ""
        source = self.source if full else self.file_line
        at = f", {source}" if source else ""
        return (f"{self.kind} first born in {self.op or self.key}{where} at iteration "
                f"{self.iteration} ({self.phase}, in its {self.where}){at}")


def birth_of(capture: Any) -> NanBirth | None:
    """Where `capture`'s first NaN/Inf was born (its health's origin), None when it has none."""
    health = getattr(capture, "health", None)
    origin = getattr(health, "first_nonfinite", None)
    if origin is None:
        return None
    node = capture.nodes[origin.node] if 0 <= origin.node < len(capture.nodes) else None
    return NanBirth(int(capture.index), origin.key, node.op if node is not None else "",
                    node.module if node is not None else "", origin.phase, origin.where,
                    origin.source, int(origin.nan), int(origin.inf))


def capture_nonfinite(capture: Any) -> bool:
    """Whether the capture holds a NaN/Inf: a named origin, or a non-finite loss."""
    if birth_of(capture) is not None:
        return True
    loss = getattr(capture, "loss", None)
    return loss is not None and not math.isfinite(loss)


def find_birth(captures: Iterable[Any]) -> NanBirth | None:
    """The earliest birth over `captures` (by iteration; None-s, undecodable, are skipped)."""
    best: NanBirth | None = None
    for cap in captures:
        birth = birth_of(cap) if cap is not None else None
        if birth is not None and (best is None or birth.iteration < best.iteration):
            best = birth
    return best


def origin_path(graph: nx.DiGraph, key: Hashable) -> tuple[set, set]:
    """Nodes and edges on the way from the inputs and parameters to `key` (its ancestors)."""
    if key not in graph:
        return set(), set()
    nodes = nx.ancestors(graph, key)
    edges = {(u, v) for u, v in graph.in_edges(nodes | {key}) if u in nodes}
    return nodes, edges


def anomaly_roles(graph: nx.DiGraph, capture: Any) -> tuple[dict[Hashable, str], set]:
    """Each node's part in the capture's NaN story (see ROLES) and the path's edges.

    `spread` nodes are those whose value or gradient is non-finite, besides the origin;
    `flagged` ones are the health check's vanishing/exploding nodes.
    """
    roles: dict[Hashable, str] = {}
    birth = birth_of(capture)
    path_edges: set = set()
    if birth is not None and birth.key in graph:
        path_nodes, path_edges = origin_path(graph, birth.key)
        roles.update((k, "path") for k in path_nodes)
    health = getattr(capture, "health", None)
    for key in (*getattr(health, "vanishing", ()), *getattr(health, "exploding", ())):
        if key in graph:
            roles.setdefault(key, "flagged")
    for key, data in graph.nodes(data=True):
        if data.get("nan") or data.get("inf") or _nonfinite(data.get("grad_norm")):
            roles[key] = "spread"
    if birth is not None and birth.key in graph:
        roles[birth.key] = "origin"
    return roles, path_edges


def _nonfinite(value: Any) -> bool:
    return value is not None and not math.isfinite(float(value))

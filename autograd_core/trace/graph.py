"""A networkx view of a capture, the form the layout engine and users' own analysis take.

Nodes are keyed by their stable keys; edges run in data-flow direction (inputs and params ->
ops -> loss). Every node has `kind` ("op", "param", "input", "output", "loss"), `label`,
`group` (module path), `record` (its NodeRecord), and scalar fields for quick use.
`with_safe_text` readies such a graph for drawing and exporting (names escaped by `safe_text`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from autograd_core.trace.records import IterationCapture, NodeRecord
from autograd_core.trace.text import is_safe, safe_text

if TYPE_CHECKING:  # networkx loads lazily: the worker records without it (~0.2-1 s)
    import networkx as nx


def node_attributes(cap: IterationCapture, node: NodeRecord) -> dict[str, Any]:
    """Scalar attributes of one node (no None values, so GraphML can hold them)."""
    attrs: dict[str, Any] = {"kind": node.kind, "label": node.label, "group": node.module,
                             "op": node.op, "key": node.key, "phase": node.phase,
                             "source": node.source, "function": node.function,
                             "time_ns": node.time_ns, "saved_bytes": node.saved_bytes}
    tids = node.outputs or node.inputs
    if tids:
        meta = cap.tensors[tids[0]]
        attrs["shape"] = "x".join(map(str, meta.shape))
        attrs["dtype"] = meta.dtype
        attrs["device"] = meta.device
        if meta.stats is not None:
            attrs["norm"] = meta.stats.norm
            attrs["nan"] = meta.stats.nan
            attrs["inf"] = meta.stats.inf
    if node.backward is not None:
        b = cap.backward[node.backward]
        attrs["backward_ns"] = b.time_ns
        norms = [g.stats.norm for g in b.grads if g is not None and g.stats is not None]
        if norms:
            attrs["grad_norm"] = max(norms)
    return attrs


def to_networkx(cap: IterationCapture, phases: Iterable[str] | None = None,
                records: bool = True) -> nx.DiGraph:
    """The capture as a DiGraph.

    Args:
        cap: the capture.
        phases: keep only op nodes of these phases (None: all).
        records: attach each NodeRecord as the `record` attribute.
    Returns:
        A DiGraph keyed by node key. Example: `to_networkx(cap).nodes["0/Linear#0"]["group"]`.
    """
    import networkx as nx

    keep = None if phases is None else set(phases)
    g = nx.DiGraph(index=cap.index, level=cap.level)
    if cap.loss is not None:
        g.graph["loss"] = cap.loss
    kept: dict[int, str] = {}
    for node in cap.nodes:
        if keep is not None and node.kind == "op" and node.phase not in keep:
            continue
        attrs = node_attributes(cap, node)
        if records:
            attrs["record"] = node
        g.add_node(node.key, **attrs)
        kept[node.id] = node.key
    for e in cap.edges:
        if e.src in kept and e.dst in kept:
            meta = cap.tensors[e.tensor]
            g.add_edge(kept[e.src], kept[e.dst], tensor=e.tensor,
                       shape="x".join(map(str, meta.shape)), dtype=meta.dtype)
    return g


def with_safe_text(g: nx.DiGraph) -> nx.DiGraph:
    """`g` with every string attribute of its nodes and edges passed through `safe_text`, in
    place (node keys and the attached records stay as they are: they identify, not show).

    Example: `with_safe_text(to_networkx(cap)).nodes[key]["label"]` is safe to draw as text.
    """
    for _, attrs in g.nodes(data=True):
        _escape_values(attrs)
    for _, _, attrs in g.edges(data=True):
        _escape_values(attrs)
    return g


def _escape_values(attrs: dict[str, Any]) -> None:
    for name, value in attrs.items():
        if isinstance(value, str) and not is_safe(value):
            attrs[name] = safe_text(value)

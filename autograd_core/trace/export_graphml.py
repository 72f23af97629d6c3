"""GraphML export: the networkx view with scalar attributes only (networkx reads it back).

Node ids and every string attribute go through `safe_text`, so names holding control
characters or lone surrogates still give well-formed XML; numbers are written as networkx
writes them (NaN and infinities as "nan"/"inf", which its reader parses back).
"""

from __future__ import annotations

import io
import os
from typing import TYPE_CHECKING, Any

from autograd_core.trace.atomic import atomic_write
from autograd_core.trace.graph import to_networkx
from autograd_core.trace.records import IterationCapture
from autograd_core.trace.text import safe_text

if TYPE_CHECKING:  # networkx loads lazily (see graph.py)
    import networkx as nx


def _safe(value: Any) -> Any:
    return safe_text(value) if isinstance(value, str) else value


def _safe_attrs(attrs: dict[str, Any]) -> dict[str, Any]:
    return {safe_text(k): _safe(v) for k, v in attrs.items()}


def graphml_graph(cap: IterationCapture) -> nx.DiGraph:
    """What `export_graphml` writes: `to_networkx(cap)` without the record objects, with
    node ids and string attributes made safe for XML (`safe_text`)."""
    import networkx as nx

    raw = to_networkx(cap, records=False)
    g = nx.DiGraph(**_safe_attrs(raw.graph))
    for key, attrs in raw.nodes(data=True):
        g.add_node(safe_text(key), **_safe_attrs(attrs))
    for src, dst, attrs in raw.edges(data=True):
        g.add_edge(safe_text(src), safe_text(dst), **_safe_attrs(attrs))
    return g


def to_graphml(cap: IterationCapture) -> bytes:
    """The GraphML document as UTF-8 bytes."""
    import networkx as nx

    buf = io.BytesIO()
    nx.write_graphml(graphml_graph(cap), buf)
    return buf.getvalue()


def export_graphml(cap: IterationCapture, path: str | os.PathLike) -> None:
    """Write the capture's graph as GraphML. Example: `nx.read_graphml(path)`.

    The document is built in memory first, then written atomically: a failed write (a full
    disk) raises OSError and leaves the old file as it was."""
    data = to_graphml(cap)
    with atomic_write(path, "wb") as f:
        f.write(data)

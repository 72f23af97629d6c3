"""GraphML export: the networkx view with scalar attributes only (networkx reads it back)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from autograd_core.trace.atomic import atomic_path
from autograd_core.trace.graph import to_networkx
from autograd_core.trace.records import IterationCapture

if TYPE_CHECKING:  # networkx loads lazily (see graph.py)
    import networkx as nx


def graphml_graph(cap: IterationCapture) -> nx.DiGraph:
    """What `export_graphml` writes: `to_networkx(cap)` without the record objects."""
    return to_networkx(cap, records=False)


def export_graphml(cap: IterationCapture, path: str | os.PathLike) -> None:
    """Write the capture's graph as GraphML. Example: `nx.read_graphml(path)`."""
    import networkx as nx

    with atomic_path(path) as tmp:
        nx.write_graphml(graphml_graph(cap), os.fspath(tmp))

"""Layered graph layout for computation graphs: a pure function from a graph to positions.

Example:
    >>> import networkx as nx
    >>> from app.layout import layout_graph
    >>> layout = layout_graph(nx.DiGraph([("x", "relu"), ("relu", "loss")]))
    >>> sorted(layout.ranks.values())
    [0, 1, 2]
"""

from app.layout.model import GroupNode, Layout, LayoutOptions, OrderHints, WeightCopy
from app.layout.pipeline import layout_graph

__all__ = ["GroupNode", "Layout", "LayoutOptions", "OrderHints", "WeightCopy", "layout_graph"]

"""Edge routing: a polyline per drawn edge from the bottom of its source box to the top of its
target box, bending once in every layer it passes through."""

from __future__ import annotations

from app.layout.layering import Proper
from app.layout.model import EdgeKey, Point

Chain = tuple[EdgeKey, bool, list[int]]


def edge_polylines(
    proper: Proper, chains: list[Chain], x: list[float], ys: list[float], heights: list[float]
) -> dict[EdgeKey, list[Point]]:
    """Polylines keyed by drawn edge; an edge reversed to break a cycle runs upwards."""
    rank = proper.rank
    out: dict[EdgeKey, list[Point]] = {}
    for key, upwards, nodes in chains:
        top, bottom = nodes[0], nodes[-1]
        points = [(x[top], ys[rank[top]] + heights[top] * 0.5)]
        if len(nodes) > 2:
            points += [(x[b], ys[rank[b]]) for b in nodes[1:-1]]
        points.append((x[bottom], ys[rank[bottom]] - heights[bottom] * 0.5))
        if upwards:
            points.reverse()
        out[key] = points
    return out

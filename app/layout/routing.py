"""Edge routing: a polyline per drawn edge from the bottom of its source box to the top of its
target box. In every layer it passes, an edge runs straight down through the layer's band (as
tall as its tallest box), so edges only ever cross between layers, where the ordering step
counted them."""

from __future__ import annotations

from app.layout.layering import Proper
from app.layout.model import EdgeKey, Point

Chain = tuple[EdgeKey, bool, list[int]]


def edge_polylines(
    proper: Proper,
    chains: list[Chain],
    x: list[float],
    ys: list[float],
    band: list[float],
    heights: list[float],
) -> dict[EdgeKey, list[Point]]:
    """Polylines keyed by drawn edge; an edge reversed to break a cycle runs upwards.

    Args:
        ys, band: centre y and height of each layer; heights: box height per node (0 for bends).
    """
    rank = proper.rank
    out: dict[EdgeKey, list[Point]] = {}
    for key, upwards, nodes in chains:
        top, bottom = nodes[0], nodes[-1]
        r = rank[top]
        xt, yt, half = x[top], ys[r], band[r] * 0.5
        points = [(xt, yt + heights[top] * 0.5)]
        if heights[top] < band[r]:
            points.append((xt, yt + half))
        for b in nodes[1:-1]:
            r = rank[b]
            xb, yb, half = x[b], ys[r], band[r] * 0.5
            points.append((xb, yb - half))
            if half > 0.0:
                points.append((xb, yb + half))
        r = rank[bottom]
        xb, yb = x[bottom], ys[r]
        if heights[bottom] < band[r]:
            points.append((xb, yb - band[r] * 0.5))
        points.append((xb, yb - heights[bottom] * 0.5))
        if upwards:
            points.reverse()
        out[key] = points
    return out

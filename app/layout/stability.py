"""Keep a re-layout still: seed the order from the previous x, place only new nodes.

Nodes and bends known to the previous layout keep their relative order and are anchored at
their old x; new ones go to the mean x of their known neighbours. Measured on a growing RNN,
this kept the picture still where a cold layout would reshuffle it.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np

from app.layout.layering import Proper
from app.layout.model import OrderHints
from app.layout.ordering import slots_of
from app.layout.routing import Chain


def previous_x(
    proper: Proper, keys: list[Hashable], chains: list[Chain], hints: OrderHints
) -> list[float | None]:
    """Old x of every node of `proper` (None where the previous layout did not have it)."""
    node_x = hints.node_x
    known: list[float | None] = [node_x.get(k) for k in keys]
    known += [None] * (len(proper.rank) - len(keys))
    bend_x = hints.bend_x
    for key, _, nodes in chains:
        if len(nodes) > 2:
            old = bend_x.get(key)
            if old is not None:
                # Bends are matched from the top of the edge; a longer edge's extra bends are new.
                for node, xb in zip(nodes[1:-1], old):
                    known[node] = xb
    return known


def _fill_from(layers, nbrs, guess: list[float | None]) -> None:
    """Give unknown nodes the mean guess of their already-guessed neighbours on one side."""
    for layer in layers:
        for v in layer:
            if guess[v] is not None:
                continue
            vals = [guess[u] for u in nbrs[v] if guess[u] is not None]
            if vals:
                guess[v] = sum(vals) / len(vals)


def seed_order(proper: Proper, known: list[float | None]) -> tuple[list[int], np.ndarray]:
    """Order every layer by old or guessed x; returns (slots, mask of new nodes)."""
    movable = np.fromiter((k is None for k in known), dtype=bool, count=len(known))
    guess = list(known)
    _fill_from(proper.layers, proper.up, guess)
    _fill_from(reversed(proper.layers), proper.down, guess)
    inf = float("inf")
    for layer in proper.layers:
        layer.sort(key=lambda v: inf if (g := guess[v]) is None else g)
    return slots_of(proper.layers, len(known)), movable


def hint_builder(proper: Proper, keys: list[Hashable], chains: list[Chain], x: list[float]):
    """A function that records the x of every drawn node and bend, for `OrderHints`."""

    def build() -> tuple[dict, dict]:
        hidden = proper.hidden
        node_x = {keys[v]: x[v] for v in range(proper.n_real) if v not in hidden}
        bend_x = {key: [x[b] for b in nodes[1:-1]] for key, _, nodes in chains if len(nodes) > 2}
        return node_x, bend_x

    return build

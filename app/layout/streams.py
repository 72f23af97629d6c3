"""Streams: the boxes that coordinate assignment keeps in line with a long edge.

A bend belongs to a long edge, and a box whose only consumer is part of a stream continues it.
A ResNet's downsampling skip runs through two boxes (conv, batch norm) before its long edge:
seen as ordinary boxes, the fork followed the other branch and the merge followed the skip's
bends, and the whole drawing stepped one column right per stage.

A branch only counts as a stream when it rejoins the main line, i.e. when its long edge ends
on a longest path of a sibling branch. An RNN's per-step loss head also ends in a long edge
(into the running sum of losses), but that sum is not where the hidden state goes next; made
a stream, the head pulled the hidden state sideways every step.
"""

from __future__ import annotations

from app.layout.layering import Proper


def streams(proper: Proper, light: bytearray, height: list[int]) -> list[int]:
    """Span of the long edge each node of `proper` leads into without forking (0 for none).

    Args:
        proper: the layered graph, bends included.
        light: flags of weights and what only they feed; these never form streams.
        height: edges on the longest path below each real node.
    """
    n_real = proper.n_real
    span = proper.span
    stream = [0] * n_real + span
    if not span:
        return stream
    up, down = proper.up, proper.down
    end = [0] * len(stream)  # the real node a stream's long edge ends at
    for b in range(len(stream) - 1, n_real - 1, -1):  # an edge's bends are numbered downwards
        w = down[b][0]
        end[b] = w if w < n_real else end[w]
    # Walk up from the top of every long edge through boxes that have no other edge down.
    stack = [b for b in range(n_real, len(stream)) if up[b][0] < n_real]
    forks: list[tuple[int, int]] = []
    while stack:
        v = stack.pop()
        for u in up[v]:
            if u >= n_real or light[u]:
                continue
            if len(down[u]) == 1:
                if not stream[u]:
                    stream[u], end[u] = stream[v], end[v]
                    stack.append(u)
            elif v < n_real:
                forks.append((u, v))
    for f, c in forks:
        if stream[c] and not _rejoins(f, c, proper, light, height, end):
            _clear_chain(c, proper, stream)
    return stream


def _rejoins(f: int, c: int, proper: Proper, light: bytearray, height, end) -> bool:
    """Whether the stream from fork f through its child c ends on a sibling's longest path."""
    n_real = proper.n_real
    others = [u for u in proper.down[f] if u != c and u < n_real and not light[u]]
    return not others or any(_on_longest_path(u, end[c], proper, height, end) for u in others)


def _on_longest_path(u: int, m: int, proper: Proper, height: list[int], end: list[int]) -> bool:
    """Whether real node m lies on some longest path down from real node u."""
    n_real, down, rank = proper.n_real, proper.down, proper.rank
    target = height[m]
    stack, seen = [u], {u}
    while stack:
        v = stack.pop()
        if v == m:
            return True
        if rank[v] >= rank[m] or height[v] <= target:
            continue
        for w in down[v]:
            if w >= n_real:
                w = end[w]
            if w not in seen and height[w] == height[v] - 1:
                seen.add(w)
                stack.append(w)
    return False


def _clear_chain(c: int, proper: Proper, stream: list[int]) -> None:
    """Clear the stream from box c down to its long edge."""
    n_real, down = proper.n_real, proper.down
    v = c
    while v < n_real and stream[v]:
        stream[v] = 0
        v = down[v][0]

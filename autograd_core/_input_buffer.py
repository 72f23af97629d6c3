"""One backward walk's gradient buffers: what each node has received so far, and who owns it.

PyTorch keeps its input buffers apart from its engine; here too. A walk makes one
`InputBuffer`; a backward started inside a hook makes its own, so nothing of one walk leaks
into another (two leaves fed one array by an outer walk still get separate `.grad` arrays).
"""

from __future__ import annotations

from typing import Any

from autograd_core._deferred import TYPES as _DEFERRED
from autograd_core.backend import blas

__all__ = ["InputBuffer"]


class InputBuffer(dict):
    """node -> its gradient so far: an array, a deferred grad, or (several outputs) a list.

    A dict, so the engine's hot loop reads and writes it with plain item access. Two sets of
    per-walk state travel with it:
    - `owned`: nodes whose buffered array this walk created by a sum. Nobody else holds that
      array, so later sums go into it in place (a weight shared by many steps, as an RNN's,
      takes one accumulation per step).
    - `stored`: ids of the arrays already stored as some leaf's `.grad` in this walk, so a
      second leaf handed the same array (Add's backward) gets a copy.
    """

    __slots__ = ("owned", "stored")

    def __init__(self) -> None:
        super().__init__()
        self.owned: set[Any] = set()
        self.stored: set[int] = set()

    def sum(self, node: Any, prev: Any, g: Any) -> Any:
        """prev + g for a node's gradient buffer: in place when this walk owns prev.

        Either may be a deferred grad (a GPU weight gradient not yet computed), which a sum
        into an owned buffer computes in place.
        """
        owned = self.owned
        if type(prev) in _DEFERRED:
            prev = prev.materialize()  # a fresh array: owned from here on
            owned.add(node)
        if node not in owned or getattr(g, "shape", None) != prev.shape or g.dtype != prev.dtype:
            # Out of place the first time: an op may hand one array to two inputs (Add's
            # backward), so prev may be shared.
            out = prev + (g.materialize() if type(g) in _DEFERRED else g)
            owned.add(node)
            return out
        if type(g) in _DEFERRED:
            g.add_into(prev)
        elif not blas.axpy_(prev, g, 1.0):  # the GPU: one cuBLAS call
            prev += g
        return prev

    def add(self, node: Any, nr: int, g: Any) -> None:
        """Accumulate gradient g for output `nr` of `node`."""
        if node.n_outputs == 1:
            prev = self.get(node)
            self[node] = g if prev is None else self.sum(node, prev, g)
            return
        if type(g) in _DEFERRED:
            g = g.materialize()
        slots = self.get(node)
        if slots is None:
            slots = self[node] = [None] * node.n_outputs
        slots[nr] = g if slots[nr] is None else slots[nr] + g

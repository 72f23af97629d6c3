"""The protocol between the engine and a gradient a backend computes late (a deferred grad).

A backend may return, from a node's backward, an object standing for a gradient it has not
computed yet (the GPU's `backend.blas.Product`: a^T @ b summed into the engine's buffer with
one cuBLAS call). The engine knows only this module: it tests `type(g) in TYPES` and calls
the two methods below, so it never imports a backend's classes.
"""

from __future__ import annotations

from typing import Any

__all__ = ["TYPES", "DeferredGrad"]

# Every DeferredGrad subclass, filled as they are defined: the engine tests `type(g) in TYPES`
# (one set lookup, as cheap as the `type(g) is Product` it replaces) on its hot loop.
TYPES: set[type] = set()


class DeferredGrad:
    """A gradient not computed yet. The engine materializes it wherever anything else (a
    hook, an observer, a multi-output node) would see it, and sums it into a buffer it owns
    with `add_into`."""

    __slots__ = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        TYPES.add(cls)

    def materialize(self) -> Any:
        """The gradient as a fresh array (nobody else holds it)."""
        raise NotImplementedError

    def add_into(self, out: Any) -> None:
        """out += the gradient, in place."""
        raise NotImplementedError

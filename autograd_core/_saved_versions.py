"""Which version counters a graph node checks before its backward: those of the tensors it
saved, as PyTorch's SavedVariable does, not those of every input.

An op that keeps only its output (`exp`, `sigmoid`, `tanh`, `softmax`) must let its input be
written in place afterwards (`b = a.exp(); a.add_(1)` is fine in PyTorch); an op that keeps an
input, or a view of one, must not. Built-in ops save arrays, so a saved array is matched to an
input or output by identity or, for a saved view (a reshaped weight), by memory overlap.
Arrays an op keeps as ctx attributes (for create_graph) count as saved too. This runs once
per recorded op, so the common case (a few arrays, compared by identity) stays short.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core.backend import get_array_module

_ndarray = np.ndarray
_may_share = np.may_share_memory
_PLAIN = frozenset((type(None), int, float, bool, complex, tuple, str))


def saved_versions(ctx: Any, tensors: tuple) -> tuple:
    """(counter, version now) for each tensor among `tensors` that `ctx` keeps for backward."""
    kept = ctx._saved
    extra = ctx.__dict__
    if extra:
        more = tuple(v for k, v in extra.items() if k[0] != "_" and type(v) not in _PLAIN
                     and hasattr(v, "shape"))
        if more:
            kept = tuple(kept) + more
    out = []
    for t in tensors:
        version = getattr(t, "_version", None)  # None for a Python number
        if version is None:
            continue
        d = t._data
        for s in kept:
            if s is d or (type(s) not in _PLAIN and _aliases(s, d)):
                out.append((version, version[0]))
                break
    return tuple(out)


def fast_versions(ctx: Any, a: Any, b: Any, out: Any) -> tuple:
    """`saved_versions` for Function.apply's fast path (inputs a and b, b None when unary):
    the saved arrays are matched by identity; a saved view or a ctx attribute takes the
    general way."""
    if ctx.__dict__:
        return saved_versions(ctx, (a, out) if b is None else (a, b, out))
    found = []
    xa = getattr(a, "_data", None) if type(a) not in _PLAIN else None
    xb = getattr(b, "_data", None) if b is not None and type(b) not in _PLAIN else None
    for s in ctx._saved:
        if s is None:
            continue
        if s is out._data:
            found.append(out._version)
        elif s is xa:
            found.append(a._version)
        elif s is xb:
            found.append(b._version)
        elif type(s) is _ndarray:
            if s.base is not None:  # a view: of an input, perhaps
                return saved_versions(ctx, (a, out) if b is None else (a, b, out))
        elif type(s) not in _PLAIN:  # a Tensor, a CuPy array
            return saved_versions(ctx, (a, out) if b is None else (a, b, out))
    return tuple([(v, v[0]) for v in found])


def _aliases(s: Any, d: Any) -> bool:
    """Whether saved value `s` is, or may view the memory of, array `d`."""
    if type(s) is _ndarray:  # the common case: an owner is a fresh array, only views alias
        return s.base is not None and type(d) is _ndarray and _may_share(s, d)
    data = getattr(s, "_data", None)  # a Tensor an autograd.Function saved
    if data is not None:
        return data is d or _aliases(data, d)
    if getattr(s, "base", None) is None or type(d) is _ndarray:
        return False
    return bool(get_array_module(d).may_share_memory(s, d))  # CuPy views

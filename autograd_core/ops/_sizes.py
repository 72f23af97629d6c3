"""Size arguments as PyTorch parses them: `f(2, 3)`, `f((2, 3))`, `f([2, 3])`, with its
TypeErrors for what is not a size (shared by the shape and rearrange ops)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core.tensor import Tensor


def _sizes(args: tuple, op: str = "op", name: str = "size") -> tuple:
    """Accept f(2, 3), f((2, 3)) and f([2, 3]) like PyTorch, with its TypeErrors for sizes
    that are not integers (a float size is a bug, not something to truncate)."""
    packed = len(args) == 1 and isinstance(args[0], (tuple, list))
    items = tuple(args[0]) if packed else args
    for i, s in enumerate(items):
        # A bool counts as an int except in first place (PyTorch's argument parser).
        if _is_size(s) and not (i == 0 and isinstance(s, bool)):
            continue
        kind = _type_name(s)
        if i > 0:
            raise TypeError(f"{op}(): argument '{name}' failed to unpack the object at pos "
                            f"{i + 1} with error \"type must be tuple of ints,but got {kind}\"")
        if packed:
            raise TypeError(f"{op}(): argument '{name}' (position 1) must be tuple of ints, but "
                            f"found element of type {kind} at pos 0")
        if len(items) == 1:
            raise TypeError(f"{op}(): argument '{name}' (position 1) must be tuple of ints, "
                            f"not {kind}")
        raise TypeError(f"{op}() takes 1 positional argument but {len(items)} were given")
    return tuple(int(s) for s in items)


def _is_size(s: Any) -> bool:
    if isinstance(s, Tensor):
        return s._data.dtype.kind in "iu" and s._data.size == 1
    return isinstance(s, (int, np.integer))


def _type_name(s: Any) -> str:
    return "Tensor" if isinstance(s, Tensor) else type(s).__name__


def keyword_sizes(args: tuple, kwargs: dict, name: str, op: str) -> tuple:
    """`f(x, name=(2, 3))`: PyTorch's parser also takes the sizes of `f(x, *sizes)` by keyword
    (`permute(dims=...)`, `reshape(shape=...)`); returned as the packed positional form."""
    if name in kwargs and args:
        raise TypeError(f"{op}() got multiple values for argument '{name}'")
    if name not in kwargs or len(kwargs) > 1:
        bad = next((k for k in kwargs if k != name), name)
        raise TypeError(f"{op}() got an unexpected keyword argument '{bad}'")
    return (kwargs[name],)

"""The user's gradient hooks as the engine runs them, and the store into a leaf's `.grad`.

Tensor hooks (`register_hook`) on leaves and non-leaves, `retain_grad`, and grad_fn hooks
(`grad_fn.register_hook`), in PyTorch's order. Hooks see Tensors; the engine passes arrays,
so each call wraps and unwraps. The per-walk `stored` set comes from the walk's
`InputBuffer` (see input_buffer.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core.function import Node
from autograd_core.tensor import Tensor

__all__ = ["accumulate_leaf", "leaf_hooks", "run_post_hooks", "run_pre_hooks", "store_grad"]


def run_pre_hooks(node: Node, g: Any, stored: set[int]) -> Any:
    """Tensor hooks of non-leaf outputs may replace the gradient; retain_grad stores it."""
    single = node.n_outputs == 1
    grads = [g] if single else list(g)
    for nr, hook_list in node._pre_hooks.items():
        if grads[nr] is None:
            continue
        for hook in list(hook_list):
            new = hook(Tensor._make(grads[nr]))
            if new is not None:
                grads[nr] = new._data if isinstance(new, Tensor) else new
    for nr, ref in node.__dict__.get("_retain", {}).items():
        t = ref()
        if t is not None and grads[nr] is not None:
            store_grad(t, grads[nr], stored)
    return grads[0] if single else grads


def run_post_hooks(post: list, grads_in: tuple, grads_out: Any, n_outputs: int) -> tuple:
    """grad_fn hooks, as in PyTorch: hook(grad_inputs, grad_outputs), tuples of Tensors (or
    None); a returned tuple replaces grad_inputs."""
    outs = _as_tensors((grads_out,) if n_outputs == 1 else grads_out)
    for hook in list(post):
        new = hook(_as_tensors(grads_in), outs)
        if new is not None:
            new = new if isinstance(new, (tuple, list)) else (new,)
            grads_in = tuple(g._data if isinstance(g, Tensor) else g for g in new)
    return grads_in


def _as_tensors(arrays: Any) -> tuple:
    return tuple(None if a is None else Tensor._make(a) for a in arrays)


def leaf_hooks(t: Tensor, g: Any) -> Any:
    """A leaf tensor's hooks, in order; each may replace the gradient."""
    if t._hooks:
        for hook in list(t._hooks):
            new = hook(Tensor._make(g))
            if new is not None:
                g = new._data if isinstance(new, Tensor) else new
    return g


def accumulate_leaf(t: Tensor, g: Any, stored: set[int]) -> None:
    """AccumulateGrad: run the leaf's hooks, then add into `.grad`."""
    if t._hooks:
        g = leaf_hooks(t, g)
    if g.dtype != t._data.dtype:
        g = g.astype(t._data.dtype)
    store_grad(t, g, stored)


def store_grad(t: Tensor, g: Any, stored: set[int]) -> None:
    """Store g as t's `.grad`, or add it to the one there; `stored` holds the ids of arrays
    this walk already gave to some `.grad`."""
    if isinstance(g, np.generic):  # numpy ufuncs on 0-d arrays return scalars, not arrays
        g = np.asarray(g)
    if t._grad is None:
        # Own the array when it may be shared: a view, a seed, or one already given to another
        # leaf (Add's backward hands the same array to both inputs).
        # (CuPy arrays are always writeable and have no such flag.)
        if g.base is not None or id(g) in stored or (type(g) is np.ndarray
                                                      and not g.flags.writeable):
            g = g.copy()
        stored.add(id(g))
        t._grad = Tensor._make(g)
    else:
        t._grad._data = t._grad._data + g

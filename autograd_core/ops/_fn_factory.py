"""Elementwise ops defined once: a forward on arrays and the derivative written with Tensor ops.

`unary_op` / `binary_op` build a `Function` subclass (named as PyTorch's node would be) whose
first-order backward evaluates the derivative on Tensors with grad mode off, and register the
same derivative as the op's graph formula, so `create_graph=True` differentiates it again.
One definition of each derivative serves both walks, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd_core.backend import get_array_module
from autograd_core.function import Function
from autograd_core.grad_mode import no_grad
from autograd_core.ops._util import sum_to
from autograd_core.tensor import Tensor

__all__ = ["binary_op", "register_formula", "tensor_op", "tensor_sum_to", "unary_op"]

# Graph formulas wait here until the create_graph walk loads (ops/_graph_grads_fns.py, imported
# with the other formula modules, registers them and sets `_register`): the ops package must
# not import the walk, which sits above Tensor (tests/core/test_import_layers.py).
_pending: dict[type, Callable[..., Any]] = {}
_register: Callable[..., Any] | None = None


def register_formula(cls: type, fn: Callable[..., Any]) -> None:
    """Register `fn` as `cls`'s graph formula (now, or when the graph walk loads)."""
    if _register is not None:
        _register(cls)(fn)
    else:
        _pending[cls] = fn


def tensor_sum_to(g: Tensor, shape: tuple) -> Tensor:
    """A broadcast gradient Tensor summed back to `shape`, with Tensor ops."""
    from autograd_core.ops.reduction import sum as _sum

    gs = tuple(g.shape)
    if gs == tuple(shape):
        return g
    lead = len(gs) - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and gs[i + lead] != 1)
    if axes:
        g = _sum(g, dim=axes, keepdim=True)
    return g.reshape(tuple(shape)) if lead else g


def unary_op(name: str, fwd: Callable[[Any, Any], Any],
             deriv: Callable[[Tensor], Tensor] | None, doc: str = "") -> type:
    """A one-input op: fwd(xp, x) on arrays; deriv(x) = dy/dx with Tensor ops (None: zero)."""

    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        with np.errstate(all="ignore"):
            return fwd(get_array_module(x), x)

    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        if deriv is None:
            return g * 0
        with no_grad(), np.errstate(all="ignore"):
            return (Tensor._make(g) * deriv(Tensor._make(x)))._data.astype(g.dtype, copy=False)

    cls = type(name, (Function,), {"forward": staticmethod(forward),
                                   "backward": staticmethod(backward), "__doc__": doc,
                                   "__module__": __name__})

    def graph(ctx: Any, g: Tensor) -> Tensor:
        if deriv is None:
            return g * 0
        with np.errstate(all="ignore"):
            return g * deriv(ctx.input(0, ctx.saved[0]))

    register_formula(cls, graph)
    return cls


def binary_op(name: str, fwd: Callable[[Any, Any, Any], Any],
              partials: Callable[[Tensor, Tensor], tuple[Any, Any]], doc: str = "") -> type:
    """A two-input broadcasting op: fwd(xp, a, b); partials(a, b) = (dy/da, dy/db) as Tensors
    (None: no gradient to that input)."""

    def forward(ctx: Any, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a, b)
        with np.errstate(all="ignore"):
            return fwd(get_array_module(a), a, b)

    def backward(ctx: Any, g: Any) -> Any:
        a, b = ctx.saved_tensors
        with no_grad(), np.errstate(all="ignore"):
            pa, pb = partials(Tensor._make(a), Tensor._make(b))
            gt = Tensor._make(g)
            return tuple(None if p is None or not need else
                         sum_to((gt * p)._data, shape).astype(g.dtype, copy=False)
                         for p, need, shape in zip((pa, pb), ctx.needs_input_grad,
                                                   (a.shape, b.shape)))

    cls = type(name, (Function,), {"forward": staticmethod(forward),
                                   "backward": staticmethod(backward), "__doc__": doc,
                                   "__module__": __name__})

    def graph(ctx: Any, g: Tensor) -> tuple:
        a, b = ctx.saved
        with np.errstate(all="ignore"):
            pa, pb = partials(ctx.input(0, a), ctx.input(1, b))
            return tuple(None if p is None else tensor_sum_to(g * p, tuple(s.shape))
                         for p, s in zip((pa, pb), (a, b)))

    register_formula(cls, graph)
    return cls


def tensor_op(name: str, fwd: Callable[..., Any], bwd: Callable[..., Any],
              doc: str = "") -> type:
    """An op of several inputs and outputs (matrix functions) whose backward is written once
    with Tensor ops: fwd(ctx, xp, *arrays, **kw) -> array or tuple of arrays;
    bwd(ctx, inputs, outputs, grads) -> one gradient Tensor (or None) per input, where
    inputs/outputs/grads are Tensors. The plain walk runs bwd with grad mode off; the
    create_graph walk runs it on graph-linked Tensors, so the op differentiates again."""

    def forward(ctx: Any, *arrays: Any, **kw: Any) -> Any:
        xp = get_array_module(arrays[0])
        with np.errstate(all="ignore"):
            out = fwd(ctx, xp, *arrays, **kw)
        # A 0-d result of a kernel may be a numpy scalar: keep arrays throughout.
        out = tuple(xp.asarray(o) for o in out) if isinstance(out, tuple) else xp.asarray(out)
        outs = out if isinstance(out, tuple) else (out,)
        ctx.save_for_backward(*arrays, *outs)
        ctx.n_in = len(arrays)
        return out

    def backward(ctx: Any, *grads: Any) -> Any:
        saved, n = ctx.saved_tensors, ctx.n_in
        with no_grad(), np.errstate(all="ignore"):
            res = bwd(ctx, [Tensor._make(a) for a in saved[:n]],
                      [Tensor._make(a) for a in saved[n:]],
                      [Tensor._make(get_array_module(g).asarray(g)) for g in grads])
        arrays = tuple(None if r is None else r._data for r in res)
        return arrays if n > 1 else arrays[0]

    cls = type(name, (Function,), {"forward": staticmethod(forward),
                                   "backward": staticmethod(backward), "__doc__": doc,
                                   "__module__": __name__})

    def graph(ctx: Any, *grads: Tensor) -> Any:
        saved, n = ctx.saved, ctx.n_in
        ins = [ctx.input(i, a) for i, a in enumerate(saved[:n])]
        outs = [ctx.output(a, k) for k, a in enumerate(saved[n:])]
        with np.errstate(all="ignore"):
            res = bwd(ctx, ins, outs, list(grads))
        return tuple(res) if n > 1 else res[0]

    register_formula(cls, graph)
    return cls

"""Graph formulas (create_graph=True) of the elementwise ops: each op's derivative written with
public Tensor ops, so the gradient it returns can be differentiated again.

A formula gets a `GraphCtx` (the node: its attributes, saved arrays, and `ctx.input(i, a)` /
`ctx.output(a)` to turn saved arrays back into graph-linked Tensors) and the output gradients
as Tensors; it returns one gradient (Tensor or None) per positional input. Constant masks go
in as plain (non-differentiable) Tensors. The other families are in _graph_grads_shape.py,
_graph_grads_nn.py, _graph_grads_layers.py, _graph_grads_more.py and _graph_grads_rnn.py, imported
at the end (with _graph_grads_fns.py, which registers the formulas `_fn_factory` ops define).
"""

from __future__ import annotations

import math
from typing import Any

from autograd_core._graph_walk import formula
from autograd_core.backend import get_array_module
from autograd_core.function import Function
from autograd_core.ops import activation, arithmetic, conversion, logic, piecewise, unary
from autograd_core.ops import reduction as _reduction
from autograd_core.ops.conversion import cast
from autograd_core.ops.logic import where
from autograd_core.ops.unary import cos, exp, log, sigmoid, sin, tanh
from autograd_core.tensor import Tensor

__all__ = ["LinkedMask", "const", "linked_mask", "mask_like", "shape_of", "sum_to"]


def const(a: Any) -> Tensor:
    """A constant (mask, index, coefficient array) as a Tensor that needs no gradient."""
    return Tensor._make(a)


def shape_of(v: Any) -> tuple:
    return tuple(getattr(v, "shape", ()))


def sum_to(g: Tensor, shape: Any) -> Tensor:
    """Sum a broadcast gradient Tensor back down to `shape` (ops._util.sum_to, with ops)."""
    shape = tuple(shape)
    gs = tuple(g.shape)
    if gs == shape:
        return g
    lead = len(gs) - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and gs[i + lead] != 1)
    if axes:
        g = _reduction.sum(g, dim=axes, keepdim=True)
    if lead:
        g = g.reshape(shape)
    return g


def mask_like(cond: Any, like: Tensor) -> Tensor:
    """A bool array as a 0/1 constant in `like`'s dtype."""
    return const(get_array_module(cond).asarray(cond).astype(like._data.dtype))


class LinkedMask(Function):
    """y = mask, a constant tied to `source`: its derivative is zero, but a gradient built
    with it requires grad whenever source does (PyTorch's relu, abs, clamp, max-pool
    gradients take their input or result as an argument, so theirs do)."""

    @staticmethod
    def forward(ctx, source, mask=None):
        ctx.shapes = (source.shape, source.dtype)
        return mask

    @staticmethod
    def backward(ctx, g):
        shape, dtype = ctx.shapes
        return get_array_module(g).zeros(shape, dtype)


formula(LinkedMask)(lambda ctx, g: const(get_array_module(g._data).zeros(*ctx.shapes)))


def linked_mask(cond: Any, like: Tensor, source: Tensor) -> Tensor:
    """mask_like(cond, like), tied to `source` (see LinkedMask)."""
    mask = get_array_module(cond).asarray(cond).astype(like._data.dtype)
    return LinkedMask.apply(source, mask=mask) if source.requires_grad else const(mask)


# ---------------------------------------------------------------- arithmetic
@formula(arithmetic.Add)
def _add(ctx, g):
    sa, sb = ctx.shapes
    na, nb = ctx.needs_input_grad
    return (sum_to(g, sa) if na else None), (sum_to(g, sb) if nb else None)


@formula(arithmetic.Sub)
def _sub(ctx, g):
    sa, sb = ctx.shapes
    na, nb = ctx.needs_input_grad
    return (sum_to(g, sa) if na else None), (sum_to(-g, sb) if nb else None)


@formula(arithmetic.Mul)
def _mul(ctx, g):
    a, b = ctx.saved
    na, nb = ctx.needs_input_grad
    sa, sb = ctx.shapes  # an input not needed by the other's gradient is not kept
    ta, tb = ctx.input(0, a), ctx.input(1, b)
    return (sum_to(g * tb, sa) if na else None, sum_to(g * ta, sb) if nb else None)


@formula(arithmetic.Div)
def _div(ctx, g):
    a, b = ctx.saved
    na, nb = ctx.needs_input_grad
    sa, sb = ctx.shapes  # a is kept only when b needs a gradient
    ta, tb = ctx.input(0, a), ctx.input(1, b)
    return (sum_to(g / tb, sa) if na else None,
            sum_to(-g * ta / (tb * tb), sb) if nb else None)


@formula(arithmetic.Pow)
def _pow(ctx, g):
    a, b, y = ctx.saved
    na, nb = ctx.needs_input_grad
    ta, tb = ctx.input(0, a), ctx.input(1, b)
    ga = gb = None
    if na:
        ga = sum_to(g * tb * ta ** (tb - 1), shape_of(a))
    if nb:
        if isinstance(ta, Tensor):  # log a, taken as 0 where a == 0 (PyTorch's convention)
            zero = const(a == 0)
            log_a = where(zero, 0.0, log(where(zero, 1.0, ta)))
        else:
            log_a = math.log(ta) if ta > 0 else (0.0 if ta == 0 else math.nan)
        gb = sum_to(g * ctx.output(y) * log_a, shape_of(b))
    return ga, gb


def _minmax(ctx, g, wins):
    a, b = ctx.saved
    xp = get_array_module(g._data)
    wa = (wins + (xp.asarray(a) == b) * 0.5).astype(g._data.dtype)
    na, nb = ctx.needs_input_grad
    return (sum_to(g * const(wa), shape_of(a)) if na else None,
            sum_to(g * const(1 - wa), shape_of(b)) if nb else None)


@formula(arithmetic.Maximum)
def _maximum(ctx, g):
    a, b = ctx.saved
    return _minmax(ctx, g, get_array_module(g._data).asarray(a) > b)


@formula(arithmetic.Minimum)
def _minimum(ctx, g):
    a, b = ctx.saved
    return _minmax(ctx, g, get_array_module(g._data).asarray(a) < b)


@formula(arithmetic.FloorDivide, piecewise._ZeroGrad)
def _zero(ctx, g):
    # Piecewise-constant ops: the first-order gradient is zeros, a constant.
    return _first_order_constants(ctx, g)


def _first_order_constants(ctx, *grads):
    raw = ctx.fn.backward(ctx.node, *(g._data for g in grads))
    raw = raw if type(raw) is tuple else (raw,)
    return tuple(None if r is None else const(r) for r in raw)


@formula(arithmetic.Remainder, arithmetic.Fmod)
def _mod(ctx, g):
    a, b = ctx.saved
    xp = get_array_module(g._data)
    q = xp.floor_divide(a, b) if ctx.fn is arithmetic.Remainder else xp.trunc(a / b)
    na, nb = ctx.needs_input_grad
    return (sum_to(g, shape_of(a)) if na else None,
            sum_to(-g * const(q), shape_of(b)) if nb else None)


# ---------------------------------------------------------------- unary
formula(unary.Neg)(lambda ctx, g: -g)
formula(unary.Clone)(lambda ctx, g: g)
formula(unary.Exp)(lambda ctx, g: g * ctx.output(ctx.saved[0]))
formula(unary.Log)(lambda ctx, g: g / ctx.input(0, ctx.saved[0]))
formula(unary.Log1p)(lambda ctx, g: g / (ctx.input(0, ctx.saved[0]) + 1))
formula(unary.Sqrt)(lambda ctx, g: g / (ctx.output(ctx.saved[0]) * 2))
formula(unary.Sin)(lambda ctx, g: g * cos(ctx.input(0, ctx.saved[0])))
formula(unary.Cos)(lambda ctx, g: -g * sin(ctx.input(0, ctx.saved[0])))
formula(unary.Abs)(lambda ctx, g: g * linked_mask(get_array_module(g._data).sign(ctx.saved[0]),
                                                  g, ctx.input(0, ctx.saved[0])))
formula(unary.Relu)(lambda ctx, g: g * linked_mask(ctx.saved[0] > 0, g,
                                                   ctx.output(ctx.saved[0])))


@formula(unary.Rsqrt)
def _rsqrt(ctx, g):
    y = ctx.output(ctx.saved[0])
    return g * (y * y * y * -0.5)


@formula(unary.Tanh)
def _tanh(ctx, g):
    y = ctx.output(ctx.saved[0])
    return g * (1 - y * y)


@formula(unary.Sigmoid)
def _sigmoid(ctx, g):
    y = ctx.output(ctx.saved[0])
    return g * (y * (1 - y))


# ---------------------------------------------------------------- activations
@formula(activation.LeakyRelu)
def _leaky_relu(ctx, g):
    (pos,) = ctx.saved
    xp = get_array_module(g._data)
    return g * linked_mask(xp.where(pos, 1.0, ctx.slope), g, ctx.output(xp.zeros_like(g._data)))


class NormalCdf(Function):
    """y = Phi(x), the standard normal CDF (GELU's factor, differentiable to any order)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return 0.5 * activation.erfc(x * x.dtype.type(-math.sqrt(0.5)))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        xp = get_array_module(x)
        return g * xp.exp(-0.5 * x * x) * x.dtype.type(1.0 / math.sqrt(2.0 * math.pi))


def _normal_pdf(x: Tensor) -> Tensor:
    return exp(x * x * -0.5) * (1.0 / math.sqrt(2.0 * math.pi))


formula(NormalCdf)(lambda ctx, g: g * _normal_pdf(ctx.input(0, ctx.saved[0])))


@formula(activation.Gelu)
def _gelu(ctx, g):
    x = ctx.input(0, ctx.saved[0])
    if ctx.approximate == "tanh":
        k, c = math.sqrt(2.0 / math.pi), 0.044715
        t = tanh((x + x * x * x * c) * k)
        return g * ((1 + t) * 0.5 + x * (1 - t * t) * (1 + x * x * (3 * c)) * (0.5 * k))
    return g * (NormalCdf.apply(x) + x * _normal_pdf(x))


@formula(activation.Silu)
def _silu(ctx, g):
    x = ctx.input(0, ctx.saved[0])
    s = sigmoid(x)
    return g * (s * (1 + x * (1 - s)))


@formula(activation.Elu)
def _elu(ctx, g):
    pos, y = ctx.saved
    return g * (mask_like(pos, g) + mask_like(~pos, g) * (ctx.output(y) + ctx.alpha))


formula(activation.Hardtanh)(lambda ctx, g: g * linked_mask(
    ctx.saved[0], g, ctx.output(get_array_module(g._data).zeros_like(g._data))))


# ---------------------------------------------------------------- piecewise, logic, casts
@formula(piecewise.Clamp)
def _clamp(ctx, g):
    x, lo, hi = ctx.saved
    xp = get_array_module(g._data)
    mask = xp.ones(x.shape, dtype=bool)
    if lo is not None:
        mask &= x >= lo
    if hi is not None:
        mask &= x <= hi
    na = ctx.needs_input_grad
    gx = g * mask_like(mask, g) if na[0] else None  # PyTorch's does not require grad
    glo = sum_to(g * mask_like(x < lo, g), lo.shape) if len(na) > 1 and na[1] else None
    ghi = sum_to(g * mask_like(x > hi, g), hi.shape) if len(na) > 2 and na[2] else None
    return gx, glo, ghi


@formula(logic.Where)
def _where(ctx, g):
    cond, sa, sb = ctx.saved
    _, na, nb = ctx.needs_input_grad
    return (None, sum_to(g * mask_like(cond, g), sa) if na else None,
            sum_to(g * mask_like(~cond, g), sb) if nb else None)


formula(conversion.Cast)(lambda ctx, g: cast(g, ctx.src))

from autograd_core.ops import (  # noqa: E402, F401
    _graph_grads_fns,
    _graph_grads_layers,
    _graph_grads_more,
    _graph_grads_nn,
    _graph_grads_rnn,
    _graph_grads_shape,
)

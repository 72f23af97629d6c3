"""einsum: any sum of products written in Einstein notation, with a backward for every operand.

The gradient of operand k is itself an einsum of the output gradient with the other operands;
letters only operand k has are broadcast back, and repeated letters (a diagonal) are scattered.
"""

from __future__ import annotations

import string
from typing import Any

from autograd_core import dtypes
from autograd_core.backend import get_array_module
from autograd_core.function import Function
from autograd_core.ops._util import scalar_type_name, shape_str
from autograd_core.ops.conversion import cast
from autograd_core.tensor import Tensor

__all__ = ["einsum"]


class Einsum(Function):
    """y = einsum(equation, x_1, ..., x_n)"""

    @staticmethod
    def forward(ctx, *xs, equation=""):
        ctx.save_for_backward(*xs)
        ctx.equation = equation
        # optimize: contract pairwise through BLAS (tensordot), not numpy's nested C loops.
        return get_array_module(xs[0]).einsum(equation, *xs, optimize=len(xs) > 1)

    @staticmethod
    def backward(ctx, g):
        xs = ctx.saved_tensors
        ins, out = ctx.equation.split("->")
        subs = ins.split(",")
        return tuple(_operand_grad(g, out, xs, subs, k) if need else None
                     for k, need in enumerate(ctx.needs_input_grad))


def _operand_grad(g: Any, out: str, xs: tuple, subs: list, k: int) -> Any:
    xp = get_array_module(g)
    target = subs[k]
    unique = "".join(dict.fromkeys(target))
    elsewhere = set(out).union(*(subs[i] for i in range(len(subs)) if i != k))
    kept = "".join(c for c in unique if c in elsewhere)
    others = [xs[i] for i in range(len(xs)) if i != k]
    other_subs = [subs[i] for i in range(len(subs)) if i != k]
    r = xp.einsum(",".join([out, *other_subs]) + "->" + kept, g, *others, optimize=bool(others))
    sizes = dict(zip(target, xs[k].shape))
    sizes.update(zip(kept, r.shape))  # a broadcast (size-1) dim has the full size here
    if kept != unique:
        # Letters only this operand has were summed away: the gradient is constant along them.
        r = r.reshape([sizes[c] if c in kept else 1 for c in unique])
        r = xp.broadcast_to(r, tuple(sizes[c] for c in unique))
    if unique == target:
        return _sum_broadcast(r, xs[k].shape)
    # A repeated letter reads a diagonal: write the gradient back onto that diagonal only.
    grid = {c: xp.arange(sizes[c]).reshape([-1 if d == c else 1 for d in unique])
            for c in unique}
    gx = xp.zeros(xs[k].shape, dtype=g.dtype)
    gx[tuple(grid[c] for c in target)] = r
    return gx


def _sum_broadcast(r: Any, shape: tuple) -> Any:
    """Size-1 (broadcast) dims of the operand get the sum over the broadcast size."""
    axes = tuple(i for i, (a, b) in enumerate(zip(r.shape, shape)) if a != b)
    return r.sum(axis=axes, keepdims=True) if axes else r


def _explicit(equation: str, ndims: list[int]) -> str:
    """The equation with '...' spelled out in letters and the '->' output written."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    subs = lhs.split(",")
    if len(subs) != len(ndims):
        raise ValueError(f"einsum(): {len(subs)} subscripts in the equation but {len(ndims)} "
                         "operands were given")
    used = set(eq) - set(".,->")
    spare = [c for c in string.ascii_letters if c not in used]
    n_ell = max((nd - len(s.replace("...", "")) for s, nd in zip(subs, ndims) if "..." in s),
                default=0)
    ell = "".join(spare[:n_ell])
    new_subs = []
    for s, nd in zip(subs, ndims):
        if "..." in s:
            s = s.replace("...", ell[n_ell - (nd - len(s.replace("...", ""))):])
        if len(s) != nd:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation "
                               f"({len(s)}) does not match the number of dimensions ({nd}) "
                               f"for operand {len(new_subs)}"
                               + ("" if "..." in lhs else " and no ellipsis was given"))
        new_subs.append(s)
    if arrow:
        out = rhs.replace("...", ell)
    else:
        letters = "".join(new_subs)
        out = ell + "".join(sorted(c for c in set(letters) if letters.count(c) == 1
                                   and c not in ell))
    return ",".join(new_subs) + "->" + out


def _check_contraction_dtypes(eq: str, operands: tuple) -> None:
    """PyTorch contracts operand pairs with bmm, which refuses mixed dtypes (and bool);
    an einsum that only multiplies elementwise (no letter summed away) promotes instead."""
    ins, out = eq.split("->")
    subs = ins.split(",")
    summed = any(c not in out and sum(c in s for s in subs) > 1 for c in set(ins) - {","})
    if len(operands) < 2 or not summed:
        return
    first = operands[0]._data.dtype
    for t in operands[1:]:
        if t._data.dtype != first:
            raise RuntimeError(f"expected scalar type {scalar_type_name(first)} but found "
                               f"{scalar_type_name(t._data.dtype)}")
    if first.kind == "b":
        raise NotImplementedError("\"bmm\" not implemented for 'Bool'")


def einsum(equation: str, *operands: Any) -> Tensor:
    """Einstein summation, as torch.einsum: einsum('ij,jk->ik', a, b) is a @ b.

    Operands may be given as separate arguments or as one list.
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    eq = _explicit(equation, [t.ndim for t in operands])
    _check_contraction_dtypes(eq, operands)
    dt = operands[0]._data.dtype
    for t in operands[1:]:
        dt = dtypes.promote_types(dt, t._data.dtype)
    ops = [cast(t, dt) for t in operands]
    try:
        return Einsum.apply(*ops, equation=eq)
    except ValueError as exc:
        shapes = ", ".join(shape_str(t.shape) for t in ops)
        raise RuntimeError(f"einsum(): operands do not match the equation {equation!r} "
                           f"(shapes {shapes}): {exc}") from None

"""Matrix products: matmul (batched, broadcast), mm, bmm, outer, einsum lives beside."""

from __future__ import annotations

from autograd_core.backend import blas, get_array_module
from autograd_core.function import Function
from autograd_core.ops._util import shape_str, sum_to
from autograd_core.tensor import Tensor


class MatMul(Function):
    """c = a @ b (numpy matmul semantics: 1-D operands promoted and squeezed)"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return blas.mm(a, b)  # 2-D on the GPU: a direct cuBLAS call; else a @ b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        xp = get_array_module(g)
        if a.ndim == 2 and b.ndim == 2:  # the common case: no reshaping at all
            return (blas.mm(g, b.T) if na else None, blas.mm(a.T, g) if nb else None)
        if a.ndim == 1 and b.ndim == 1:  # a dot product: g is 0-d
            return (g * b if na else None, g * a if nb else None)
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g2 = g
        if a.ndim == 1:
            g2 = xp.expand_dims(g2, -2)
        if b.ndim == 1:
            g2 = xp.expand_dims(g2, -1)
        ga = gb = None
        if na:
            ga = sum_to(g2 @ xp.swapaxes(b2, -1, -2), a2.shape)
            ga = ga.reshape(a.shape)
        if nb:
            gb = sum_to(xp.swapaxes(a2, -1, -2) @ g2, b2.shape)
            gb = gb.reshape(b.shape)
        return ga, gb


def matmul(input: Tensor, other: Tensor) -> Tensor:
    """Matrix product with batching and broadcasting of the leading dims."""
    from autograd_core.ops._operands import _prepare

    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        raise TypeError("matmul(): argument 'other' must be Tensor")
    if input._data.ndim == 0 or other._data.ndim == 0:
        raise RuntimeError("both arguments to matmul need to be at least 1D, but they are "
                           f"{input.ndim}D and {other.ndim}D")
    input, other = _prepare(input, other, "matmul")
    ka = input._data.shape[-1]
    kb = other._data.shape[-2] if other._data.ndim > 1 else other._data.shape[0]
    if ka != kb:
        sa, sb = input._data.shape, other._data.shape
        raise RuntimeError(
            f"matmul: mat1 and mat2 shapes cannot be multiplied ({_mat_str(sa)} and "
            f"{_mat_str(sb)})"
            if len(sa) == 2 and len(sb) == 2 else
            f"matmul: shapes {shape_str(sa)} and {shape_str(sb)} cannot be multiplied "
            f"(inner dimensions {ka} and {kb} differ)"
        )
    try:
        return MatMul.apply(input, other)
    except ValueError as exc:
        raise RuntimeError(
            f"matmul: batch dimensions of {shape_str(input.shape)} and "
            f"{shape_str(other.shape)} cannot be broadcast"
        ) from exc


def _mat_str(s: tuple) -> str:
    return f"{s[0]}x{s[1]}"


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    if input.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(f"mm: expected 2D tensors, got {input.ndim}D and {mat2.ndim}D")
    return matmul(input, mat2)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    if input.ndim != 3 or mat2.ndim != 3:
        raise RuntimeError(f"bmm: expected 3D tensors, got {input.ndim}D and {mat2.ndim}D")
    return matmul(input, mat2)


def dot(input: Tensor, other: Tensor) -> Tensor:
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError("1D tensors expected, but got "
                           f"{input.ndim}D and {other.ndim}D tensors")
    n, m = input.shape[0], other.shape[0]
    if n != m:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to "
                           f"have the same number of elements, but got {n} and {m} elements "
                           "respectively")
    return matmul(input, other)


class Outer(Function):
    """c_ij = a_i * b_j"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a[:, None] * b[None, :]

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        return (g @ b if na else None, a @ g if nb else None)


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """The outer product of two vectors: an (n, m) matrix."""
    from autograd_core.ops._operands import _prepare

    if input.ndim != 1 or vec2.ndim != 1:
        raise RuntimeError(f"outer: expected 1D tensors, got {input.ndim}D and {vec2.ndim}D")
    input, vec2 = _prepare(input, vec2, "outer")
    return Outer.apply(input, vec2)


ger = outer

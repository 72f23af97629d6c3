"""Matrix products: matmul (batched, broadcast), mm, bmm, outer, einsum lives beside."""

from __future__ import annotations

from typing import Any

from autograd_core.backend import blas, get_array_module
from autograd_core.function import Function
from autograd_core.ops._util import c_type_name, scalar_type_name, shape_str, sum_to
from autograd_core.tensor import Tensor

__all__ = ["addmm", "bmm", "dot", "ger", "matmul", "mm", "mv", "outer"]


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
    _check_matmul_dtypes(input, other)
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


def _check_matmul_dtypes(a: Tensor, b: Tensor) -> None:
    """PyTorch refuses mixed dtypes (and bool) in matrix products instead of promoting.

    matmul dispatches on the ranks to dot, mv, mm or bmm, and each kernel words its
    refusal its own way; we raise what the kernel matmul would reach raises.
    """
    na, nb = a._data.ndim, b._data.ndim
    kernel = ("dot" if na == nb == 1 else "addmv" if nb == 1 else
              "addmm" if nb == 2 else "bmm")
    _check_kernel_dtypes(kernel, a._data.dtype, b._data.dtype)


def _check_kernel_dtypes(kernel: str, da: Any, db: Any) -> None:
    """Raise what PyTorch's `kernel` (dot, addmv, addmm, bmm) raises for dtypes da, db."""
    if da != db:
        if kernel == "dot":
            msg = ("dot : expected both vectors to have same dtype, but found "
                   f"{scalar_type_name(da)} and {scalar_type_name(db)}")
        elif kernel == "addmv":  # PyTorch names (result, mat, vec), the result as the vec
            msg = (f"addmv input tensors must have the same dtype, but got "
                   f"{scalar_type_name(db)}, {scalar_type_name(da)}, and {scalar_type_name(db)}")
        elif kernel == "addmm":
            msg = ("expected m1 and m2 to have the same dtype, but got: "
                   f"{c_type_name(da)} != {c_type_name(db)}")
        else:
            msg = f"expected scalar type {scalar_type_name(da)} but found {scalar_type_name(db)}"
        raise RuntimeError(msg)
    if da.kind == "b":
        raise NotImplementedError(f'"{_BOOL_KERNELS[kernel]}" not implemented for \'Bool\'')


_BOOL_KERNELS = {"dot": "dot", "addmv": "addmv_impl_cpu", "addmm": "addmm_impl_cpu_",
                 "bmm": "bmm"}


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """The matrix product of two 2-D tensors (no broadcasting)."""
    if input.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(f"mm: expected 2D tensors, got {input.ndim}D and {mat2.ndim}D")
    return matmul(input, mat2)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """Batched matrix product of two 3-D tensors with the same batch size."""
    if input.ndim != 3 or mat2.ndim != 3:
        raise RuntimeError(f"bmm: expected 3D tensors, got {input.ndim}D and {mat2.ndim}D")
    _check_matmul_dtypes(input, mat2)
    (b1, _, k1), (b2, k2, _) = input.shape, mat2.shape
    if b1 != b2 or k1 != k2:
        # PyTorch's words, then both shapes (bmm does not broadcast the batch, matmul does).
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{b1}, {k1}] but got: [{b2}, {k2}] (bmm of "
                           f"{shape_str(input.shape)} and {shape_str(mat2.shape)}).")
    return matmul(input, mat2)


def mv(input: Tensor, vec: Tensor) -> Tensor:
    """The product of a matrix and a vector."""
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"mv: expected a 2D matrix and a 1D vector, got {input.ndim}D and "
                           f"{vec.ndim}D")
    _check_matmul_dtypes(input, vec)
    if input.shape[1] != vec.shape[0]:
        rows, cols = input.shape
        raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{cols}), vec "
                           f"({vec.shape[0]})")
    return matmul(input, vec)


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Any = 1,
          alpha: Any = 1) -> Tensor:
    """beta * input + alpha * (mat1 @ mat2), input broadcast to the product's shape."""
    from autograd_core.ops.arithmetic import add, mul
    from autograd_core.ops.shape import expand

    for name, t in (("mat1", mat1), ("mat2", mat2)):
        if t.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got {t.ndim}-D tensor")
    _check_addmm_dtypes(input, mat1, mat2)
    prod = mm(mat1, mat2)
    bias = expand(input, prod.shape)  # PyTorch's error when input does not fit the product
    return add(bias if beta == 1 else mul(bias, beta), prod if alpha == 1 else mul(prod, alpha))


def _check_addmm_dtypes(bias: Tensor, mat1: Tensor, mat2: Tensor) -> None:
    """addmm's dtype checks, in PyTorch's order: the bias against mat2, then mat1."""
    d2 = mat2._data.dtype
    for name, t in (("self", bias), ("mat1", mat1)):
        if t._data.dtype != d2:
            raise RuntimeError(f"{name} and mat2 must have the same dtype, but got "
                               f"{scalar_type_name(t._data.dtype)} and {scalar_type_name(d2)}")


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

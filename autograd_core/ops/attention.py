"""Scaled dot-product attention as one Function with an explicit backward (PyTorch's math path).

softmax(q k^T * scale + mask) v, where a bool mask keeps positions that are True, a float
mask is added, and a row with every position masked gives zeros (PyTorch's safe softmax).
"""

from __future__ import annotations

import math
from typing import Any

from autograd_core import random
from autograd_core.backend import get_array_module
from autograd_core.function import Function
from autograd_core.ops._util import c_type_name, shape_str, sum_to
from autograd_core.tensor import Tensor


def _softmax_rows(xp: Any, s: Any) -> Any:
    """Softmax over the last axis; rows that are all -inf give all zeros instead of NaN."""
    m = s.max(axis=-1, keepdims=True)
    m[m == -xp.inf] = 0
    p = xp.exp(s - m)
    total = p.sum(axis=-1, keepdims=True)
    total[total == 0] = 1
    p /= total
    return p


class ScaledDotProductAttention(Function):
    """y = softmax(q k^T * scale + mask) v  (dropout on the weights when dropout_p > 0)"""

    @staticmethod
    def forward(ctx, q, k, v, mask, scale=1.0, is_causal=False, dropout_p=0.0):
        xp = get_array_module(q)
        s = xp.matmul(q, xp.swapaxes(k, -1, -2))
        s *= q.dtype.type(scale)
        if is_causal:
            n_q, n_k = s.shape[-2:]
            s = xp.where(xp.tril(xp.ones((n_q, n_k), bool)), s, -xp.inf)
        if mask is not None:
            s = xp.where(mask, s, -xp.inf) if mask.dtype == bool else s + mask
        p = _softmax_rows(xp, s)
        keep = None
        pd = p
        if dropout_p > 0.0:
            keep = random.uniform_array(p, 0.0, 1.0) >= dropout_p
            pd = p * keep * p.dtype.type(1.0 / (1.0 - dropout_p)) if dropout_p < 1 else p * 0
        ctx.save_for_backward(q, k, v, p, pd, keep)
        ctx.scale, ctx.dropout_p = scale, dropout_p
        ctx.mask_shape = None if mask is None else mask.shape
        return xp.matmul(pd, v)

    @staticmethod
    def backward(ctx, g):
        q, k, v, p, pd, keep = ctx.saved_tensors
        nq, nk, nv, nm = ctx.needs_input_grad
        xp = get_array_module(g)
        gv = sum_to(xp.matmul(xp.swapaxes(pd, -1, -2), g), v.shape) if nv else None
        if not (nq or nk or nm):
            return None, None, gv, None
        gp = xp.matmul(g, xp.swapaxes(v, -1, -2))
        if keep is not None:
            gp = gp * keep * gp.dtype.type(1.0 / (1.0 - ctx.dropout_p))
        gs = p * (gp - (gp * p).sum(axis=-1, keepdims=True))  # softmax backward
        gm = sum_to(gs, ctx.mask_shape) if nm else None
        gs *= q.dtype.type(ctx.scale)
        gq = sum_to(xp.matmul(gs, k), q.shape) if nq else None
        gk = sum_to(xp.matmul(xp.swapaxes(gs, -1, -2), q), k.shape) if nk else None
        return gq, gk, gv, gm


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """softmax(q k^T / sqrt(E) + mask) v over (..., L, E) queries and (..., S, E) keys.

    Args:
        attn_mask: bool (True = may attend) or float (added to the scores), broadcastable
            to (..., L, S).
        is_causal: mask out keys after each query (upper triangle); not with attn_mask.
        scale: defaults to 1 / sqrt(E).
    Returns:
        (..., L, Ev).

    Example:
        >>> y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    """
    if enable_gqa:
        raise NotImplementedError("scaled_dot_product_attention: enable_gqa is not supported")
    if not query.dtype == key.dtype == value.dtype:  # numpy would promote silently
        names = [c_type_name(t._data.dtype) for t in (query, key, value)]
        raise RuntimeError("Expected query, key, and value to have the same dtype, but got "
                           f"query.dtype: {names[0]} key.dtype: {names[1]} and value.dtype: "
                           f"{names[2]} instead.")
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set "
                           "when is_causal=True")
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise RuntimeError(
            f"scaled_dot_product_attention: incompatible shapes query {shape_str(query.shape)}, "
            f"key {shape_str(key.shape)}, value {shape_str(value.shape)}"
        )
    if scale is None:
        scale = 1.0 / math.sqrt(query.shape[-1])
    if attn_mask is not None and attn_mask._data.dtype != bool and attn_mask.dtype != query.dtype:
        raise RuntimeError(f"Expected attn_mask dtype to be bool or float or to match query "
                           f"dtype, but got attn_mask.dtype: {attn_mask.dtype} and  query.dtype: "
                           f"{query.dtype} instead.")
    return ScaledDotProductAttention.apply(query, key, value, attn_mask, scale=scale,
                                           is_causal=is_causal, dropout_p=dropout_p)


__all__ = ["scaled_dot_product_attention"]

"""embedding_bag and bilinear: bags of embeddings reduced (sum / mean / max) and the
bilinear form x1^T W x2 + b, written with existing ops (gradients of any order).

A bag list given as (flat indices, offsets) is laid out as a padded (bags, longest) index
matrix with a mask; padding_idx entries are masked out as PyTorch's kernel skips them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core.backend import get_array_module
from autograd_core.ops.embedding import embedding
from autograd_core.ops.logic import where
from autograd_core.tensor import Tensor

__all__ = ["bilinear", "embedding_bag"]


def _bags(input: Tensor, offsets: Tensor | None, include_last_offset: bool) -> tuple[Any, Any]:
    """(index matrix (B, L), mask (B, L)) as host arrays."""
    idx = np.asarray(input.detach().cpu().numpy())
    if idx.ndim == 2:
        if offsets is not None:
            kind = "<class 'torch.Tensor'>" if isinstance(offsets, Tensor) else type(offsets)
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated "
                             "is a mini-batch of fixed length sequences. However, found offsets "
                             f"of type {kind}")
        return idx, np.ones(idx.shape, dtype=bool)
    if idx.ndim != 1:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{idx.ndim}")
    if offsets is None:
        raise ValueError("offsets has to be a 1D Tensor but got None")
    offs = np.asarray(offsets.detach().cpu().numpy()).astype(np.int64).reshape(-1)
    if offs.size and offs[0] != 0:
        raise RuntimeError(f"offsets[0] has to be 0, i.e., the first sequence in the "
                           f"mini-batch has to start from position 0. However, got {offs[0]}")
    ends = offs[1:] if include_last_offset else np.append(offs[1:], idx.size)
    starts = offs[:-1] if include_last_offset else offs
    lengths = np.maximum(ends - starts, 0)
    width = int(lengths.max()) if lengths.size else 0
    matrix = np.zeros((len(starts), width), dtype=np.int64)
    mask = np.arange(width)[None, :] < lengths[:, None]
    for b, (s, n) in enumerate(zip(starts, lengths)):
        matrix[b, :n] = idx[s:s + n]
    return matrix, mask


def embedding_bag(input: Tensor, weight: Tensor, offsets: Tensor | None = None,
                  max_norm: float | None = None, norm_type: float = 2,
                  scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """Sum, mean or max of each bag's embeddings: (bags, embedding_dim).

    Example:
        >>> F.embedding_bag(ag.tensor([0, 2, 1]), ag.eye(3), ag.tensor([0, 2]), mode="sum")
        tensor([[1., 0., 1.],
                [0., 1., 0.]])
    """
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
            f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
            "GitHub.")
    matrix, mask = _bags(input, offsets, include_last_offset)
    if padding_idx is not None:
        padding_idx %= weight.shape[0]
        mask = mask & (matrix != padding_idx)
    xp = get_array_module(weight._data)
    rows = embedding(Tensor._make(xp.asarray(matrix)), weight, None, max_norm, norm_type,
                     scale_grad_by_freq)  # (B, L, D)
    keep = Tensor._make(xp.asarray(mask[..., None]))
    if per_sample_weights is not None:
        psw = per_sample_weights.reshape(-1) if offsets is not None else per_sample_weights
        if offsets is not None:  # lay the flat weights out like the indices
            flat_pos = np.cumsum(np.ones(np.asarray(input.shape).prod(), dtype=np.int64)) - 1
            pos, _ = _bags(Tensor._make(flat_pos), offsets, include_last_offset)
            psw = psw[Tensor._make(xp.asarray(pos))]
        rows = rows * psw.unsqueeze(-1)
    zero = rows.new_zeros(())
    if mode == "max":
        filled = where(keep, rows, rows.new_full((), float("-inf")))
        best = filled.amax(1) if rows.shape[1] else rows.sum(1)
        return where(Tensor._make(xp.asarray(mask.any(1)[:, None])), best, zero)
    total = where(keep, rows, zero).sum(1)
    if mode == "sum":
        return total
    counts = np.maximum(mask.sum(1), 1)[:, None].astype(weight._data.dtype)
    return total / Tensor._make(xp.asarray(counts))


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor,
             bias: Tensor | None = None) -> Tensor:
    """y[..., o] = input1 @ weight[o] @ input2 + bias[o]."""
    if input1.shape[-1] != weight.shape[1]:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got "
                           f"{input1.shape[-1]} but expected {weight.shape[1]}")
    if input2.shape[-1] != weight.shape[2]:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got "
                           f"{input2.shape[-1]} but expected {weight.shape[2]}")
    from autograd_core.ops.einsum import einsum

    out = einsum("...i,oij,...j->...o", input1, weight, input2)
    return out + bias if bias is not None else out

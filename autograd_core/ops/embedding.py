"""Embedding lookup (rows of a weight matrix by index) and one_hot."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core import dtypes, grad_mode
from autograd_core.backend import get_array_module, host_checks
from autograd_core.function import Function
from autograd_core.tensor import Tensor, bump_version

__all__: list[str] = []


class Embedding(Function):
    """y = W[indices]; the padding_idx row gets no gradient"""

    @staticmethod
    def forward(ctx, indices, weight, padding_idx=None, scale_grad_by_freq=False):
        ctx.save_for_backward(indices)
        ctx.weight_shape = weight.shape
        ctx.padding_idx = padding_idx
        ctx.scale = scale_grad_by_freq
        return weight[indices]

    @staticmethod
    def backward(ctx, g):
        (indices,) = ctx.saved_tensors
        xp = get_array_module(g)
        num, dim = ctx.weight_shape
        flat = indices.reshape(-1)
        g2 = g.reshape(-1, dim)
        if ctx.scale:
            counts = xp.bincount(flat, minlength=num)
            g2 = g2 / counts[flat][:, None].astype(g.dtype)
        gw = xp.zeros(ctx.weight_shape, dtype=g.dtype)
        if xp is np and flat.size > 64:  # (add.at is as fast on a few rows)
            _add_rows(gw, flat, g2)
        else:
            xp.add.at(gw, flat, g2)
        if ctx.padding_idx is not None:
            gw[ctx.padding_idx] = 0
        return None, gw


def _add_rows(gw: np.ndarray, rows: np.ndarray, g2: np.ndarray) -> None:
    """gw[rows] += g2 with repeated rows summed in order, as np.add.at does, ~10x faster: in
    round k each row's k-th occurrence is added by plain fancy indexing (no repeats within a
    round); the number of rounds is the largest repeat count."""
    order = np.argsort(rows, kind="stable")
    s = rows[order]
    n = s.size
    new = np.concatenate(([True], s[1:] != s[:-1]))
    first = np.maximum.accumulate(np.where(new, np.arange(n), 0))
    rank = np.empty(n, np.intp)
    rank[order] = np.arange(n) - first  # k for the k-th occurrence of its row
    for k in range(int(rank.max()) + 1):
        sel = np.flatnonzero(rank == k)
        gw[rows[sel]] += g2[sel]


def _type_of(input: Any, idx: Any) -> str:
    """A tensor's legacy type name as PyTorch's message gives it ('torch.FloatTensor')."""
    return input.type() if isinstance(input, Tensor) else idx.dtype.name


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of `weight` picked by the integer tensor `input`: shape input.shape + (dim,).

    Example:
        >>> F.embedding(ag.tensor([[0, 2]]), ag.eye(3)).shape
        torch.Size([1, 2, 3])
    """
    idx = input._data if isinstance(input, Tensor) else get_array_module(weight._data).asarray(
        input)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {_type_of(input, idx)} instead (while checking "
            "arguments for embedding)")
    num = weight._data.shape[0]
    if not host_checks(idx):  # GPU: no sync to check; wrap negatives on the device instead
        idx = idx % num
    elif idx.size and (int(idx.max()) >= num or int(idx.min()) < 0):
        raise IndexError("index out of range in self")  # negatives too, as in PyTorch
    if padding_idx is not None and padding_idx < 0:
        padding_idx += num
    if max_norm is not None:
        _renorm_rows(weight, idx, max_norm, norm_type)
    indices = Tensor._make(idx)
    return Embedding.apply(indices, weight, padding_idx=padding_idx,
                           scale_grad_by_freq=scale_grad_by_freq)


def _renorm_rows(weight: Tensor, idx: Any, max_norm: float, norm_type: float) -> None:
    """Rescale, in place and outside autograd, the looked-up rows whose norm exceeds max_norm."""
    xp = get_array_module(idx)
    rows = xp.unique(idx.reshape(-1))
    w = weight._data
    with grad_mode.no_grad():
        norms = (xp.abs(w[rows]) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
        scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0).astype(w.dtype)
        w[rows] *= scale[:, None]
    bump_version(weight)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Integer tensor (*) -> int64 tensor (*, num_classes) with a 1 at each index."""
    idx = tensor._data
    xp = get_array_module(idx)
    if idx.dtype != np.int64:  # PyTorch takes int64 indices only here
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if idx.size and int(idx.min()) < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        if not idx.size:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(idx.max()) + 1
    elif idx.size and int(idx.max()) >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = idx[..., None] == xp.arange(num_classes)
    return Tensor._make(out.astype(dtypes.int64))

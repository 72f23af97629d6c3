"""ctc_loss and CTCLoss: connectionist temporal classification, the forward (alpha)
recursion in log space written with existing ops, one step per time frame, for the whole
batch at once (labels padded to the longest target, masks for the rest).

Unreachable states hold a large negative number instead of -inf, so no NaN enters the
gradient; a loss that stays that large (no alignment fits the input length) becomes inf, or
0 with `zero_infinity`, as in PyTorch.

The gradient is the exact one of the loss. PyTorch's own CTC backward returns a gradient
w.r.t. `log_probs` that assumes they come from log_softmax (exp(lp) - posterior); through a
log_softmax, as CTC models use it, both give the same gradient to the logits.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd_core.backend import get_array_module
from autograd_core.nn.loss import _Loss
from autograd_core.ops.join import cat, stack
from autograd_core.ops.logic import where
from autograd_core.ops.statistics import logsumexp
from autograd_core.tensor import Tensor

__all__ = ["CTCLoss", "ctc_loss"]

_NEG = -1e30  # "log 0" that keeps gradients finite
_INFEASIBLE = 1e29


def _lengths(v: Any) -> np.ndarray:
    if isinstance(v, Tensor):
        return np.asarray(v.detach().cpu().numpy()).astype(np.int64).reshape(-1)
    return np.asarray(list(v), dtype=np.int64).reshape(-1)


def _target_rows(targets: Tensor, target_lengths: np.ndarray) -> list[np.ndarray]:
    t = np.asarray(targets.detach().cpu().numpy()).astype(np.int64)
    if t.ndim == 2:
        return [t[i, :n] for i, n in enumerate(target_lengths)]
    starts = np.concatenate([[0], np.cumsum(target_lengths)[:-1]])
    return [t[s:s + n] for s, n in zip(starts, target_lengths)]


def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths: Any, target_lengths: Any,
             blank: int = 0, reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """CTC loss of (T, N, C) (or unbatched (T, C)) log-probabilities against the targets.

    Example:
        >>> lp = ag.randn(6, 2, 4).log_softmax(2)
        >>> F.ctc_loss(lp, ag.tensor([[1, 2], [3, 3]]), [6, 5], [2, 2]).shape
        torch.Size([])
    """
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    unbatched = log_probs.ndim == 2
    lp = log_probs.unsqueeze(1) if unbatched else log_probs
    if unbatched and targets.ndim == 1:
        targets = targets.unsqueeze(0)
    t_len, n, _ = lp.shape
    in_len, tg_len = _lengths(input_lengths), _lengths(target_lengths)
    if in_len.size != n or tg_len.size != n:
        raise RuntimeError(f"Expected input_lengths to have value at most {t_len}, but got "
                           f"value {int(in_len.max()) if in_len.size else 0}"
                           if in_len.size and in_len.max() > t_len else
                           "input_lengths and target_lengths must have one value per batch "
                           "element")
    if in_len.max() > t_len:
        raise RuntimeError(f"Expected input_lengths to have value at most {t_len}, but got "
                           f"value {int(in_len.max())} (while checking arguments for "
                           f"ctc_loss_cpu)")
    rows = _target_rows(targets, tg_len)
    width = 2 * int(tg_len.max(initial=0)) + 1
    ext = np.full((n, width), blank, dtype=np.int64)
    skip = np.zeros((n, width), dtype=bool)  # may come from s - 2 (a label unlike s - 2's)
    for i, row in enumerate(rows):
        ext[i, 1:2 * len(row):2] = row
        for s in range(3, 2 * len(row), 2):
            skip[i, s] = ext[i, s] != ext[i, s - 2]
    xp = get_array_module(lp._data)
    index = Tensor._make(xp.asarray(np.broadcast_to(ext, (t_len, n, width)).copy()))
    emit = lp.gather(2, index)  # (T, N, width)
    neg = lp.new_full((), _NEG)
    start = np.full((n, width), False)
    start[:, 0] = True
    start[:, 1] = tg_len > 0
    alpha = where(Tensor._make(xp.asarray(start)), emit[0], neg)
    skip_t = Tensor._make(xp.asarray(skip))
    pad1 = lp.new_full((n, 1), _NEG)
    pad2 = lp.new_full((n, 2), _NEG)
    for t in range(1, t_len):
        from_prev = cat([pad1, alpha[:, :-1]], 1)
        from_skip = where(skip_t, cat([pad2, alpha[:, :-2]], 1), neg)
        step = logsumexp(stack([alpha, from_prev, from_skip], 0), 0) + emit[t]
        active = Tensor._make(xp.asarray((t < in_len)[:, None]))
        alpha = where(active, step, alpha)
    last = 2 * tg_len  # the final blank; the final label sits just before it
    ends = np.stack([last, np.maximum(last - 1, 0)], 1)
    finals = alpha.gather(1, Tensor._make(xp.asarray(ends)))
    has_label = Tensor._make(xp.asarray(np.stack([np.ones(n, bool), tg_len > 0], 1)))
    loss = -logsumexp(where(has_label, finals, neg), 1)
    infeasible = loss.detach() > _INFEASIBLE
    loss = where(infeasible, loss.new_full((), 0.0 if zero_infinity else math.inf), loss)
    if reduction == "mean":
        denom = Tensor._make(xp.asarray(np.maximum(tg_len, 1).astype(lp._data.dtype)))
        return (loss / denom).mean()
    if reduction == "sum":
        return loss.sum()
    return loss.squeeze(0) if unbatched else loss


class CTCLoss(_Loss):
    """Connectionist temporal classification loss (`blank`, `zero_infinity` as PyTorch)."""

    def __init__(self, blank: int = 0, reduction: str = "mean",
                 zero_infinity: bool = False) -> None:
        super().__init__(reduction=reduction)
        self.blank, self.zero_infinity = blank, zero_infinity

    def forward(self, log_probs: Tensor, targets: Tensor, input_lengths: Any,
                target_lengths: Any) -> Tensor:
        return ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank,
                        self.reduction, self.zero_infinity)

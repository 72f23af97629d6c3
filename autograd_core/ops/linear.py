"""The fused affine map of `nn.Linear`: y = x @ W.T + b in one op, with a copy-free backward."""

from __future__ import annotations

from autograd_core.backend import blas
from autograd_core.function import Function
from autograd_core.ops._util import shape_str
from autograd_core.tensor import Tensor

__all__: list[str] = []


class Linear(Function):
    """y = x @ W.T + b"""

    @staticmethod
    def forward(ctx, x, weight, bias=None):
        # Leading dims fold into one batch dim: a reshape of a contiguous array is a view.
        x2 = x.reshape(-1, x.shape[-1]) if x.ndim != 2 else x
        y = blas.mm(x2, weight.T)
        if bias is not None:
            blas.bias_add_(y, bias)
        ctx.save_for_backward(x2, weight)
        ctx.in_shape = x.shape
        ctx.has_bias = bias is not None
        return y.reshape(*x.shape[:-1], weight.shape[0]) if x.ndim != 2 else y

    @staticmethod
    def backward(ctx, g):
        x2, weight = ctx.saved_tensors
        needs = ctx.needs_input_grad
        g2 = g.reshape(-1, g.shape[-1]) if g.ndim != 2 else g
        gx = blas.mm(g2, weight).reshape(ctx.in_shape) if needs[0] else None
        gw = blas.mm(g2.T, x2) if needs[1] else None
        gb = blas.colsum(g2) if ctx.has_bias and needs[2] else None
        return gx, gw, gb


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = input @ weight.T + bias, over the last dim of input.

    Args:
        input: (*, in_features).
        weight: (out_features, in_features).
        bias: (out_features,) or None.

    Example:
        >>> F.linear(ag.ones(2, 3), ag.ones(4, 3)).shape
        torch.Size([2, 4])
    """
    x, w = input._data, weight._data
    if x.ndim == 0 or x.shape[-1] != w.shape[-1] or w.ndim != 2:
        rows = x.size // x.shape[-1] if x.ndim and x.shape[-1] else 1
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{x.shape[-1] if x.ndim else 1} "
            f"and {_wt(w.shape)})"
        )
    _check_dtypes(input, weight, bias)
    if type(x) is not type(w):
        raise RuntimeError(
            "Expected all tensors to be on the same device, but found at least two devices, "
            f"{input.device} and {weight.device}! (when checking argument for linear)"
        )
    return Linear.apply(input, weight, bias)


def _wt(shape: tuple) -> str:
    return f"{shape[1]}x{shape[0]}" if len(shape) == 2 else shape_str(shape)


def _check_dtypes(input: Tensor, weight: Tensor, bias: Tensor | None) -> None:
    """PyTorch's refusals: linear is addmm(bias, x, W.T) with a bias, else x @ W.T."""
    from autograd_core.ops.linalg import _check_addmm_dtypes, _check_kernel_dtypes

    if bias is not None:
        _check_addmm_dtypes(bias, input, weight)
    # Any rank of x meets the 2-D W.T in PyTorch's mm kernel.
    _check_kernel_dtypes("addmm", input._data.dtype, weight._data.dtype)

"""The plain RNN step as one fused op, the GPU path of nn.RNNCell and nn.RNN.

On the GPU a small recurrent step is bound by host time per kernel launch: composed of
linear, add and tanh it is four graph nodes and seven launches forward; fused it is one node
and three launches (two cuBLAS products into one buffer, one kernel for bias and activation),
and its backward shares one activation-gradient kernel and one bias reduction. On the CPU
the cell stays composed, so the inspector shows each part. (Whole LSTM / GRU layers over a
sequence, the CPU's fused path when nothing observes, are in ops/recurrent_seq.py.)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core import hooks
from autograd_core.backend import blas, fastpath, kernels
from autograd_core.function import Function
from autograd_core.tensor import Tensor

__all__: list[str] = []


class RNNCell(Function):
    """h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh); act tanh or relu.

    Without W_ih, x is the input's projection already (nn.RNN projects a whole sequence at
    once) and enters the sum as it is.
    """

    @staticmethod
    def forward(ctx, x, h, w_ih, w_hh, b_ih=None, b_hh=None, relu=False):
        z = blas.mm(h, w_hh.T)
        if w_ih is not None:
            blas.addmm_(z, x, w_ih.T)
        y = kernels.bias_act_(z, x if w_ih is None else None, b_ih, b_hh, relu)
        ctx.save_for_backward(x, h, w_ih, w_hh, y)
        ctx.relu, ctx.projected = relu, w_ih is None
        return y

    @staticmethod
    def backward(ctx, g):
        x, h, w_ih, w_hh, y = ctx.saved_tensors
        nx, nh, nwi, nwh, nbi, nbh = ctx.needs_input_grad
        gz = _act_backward(g, y, ctx.relu)
        gx = (gz if ctx.projected else blas.mm(gz, w_ih)) if nx else None
        if hooks.state.observer is None and blas.deferrable(gz):  # observers see arrays
            # Weight gradients left as products: the engine sums each into its buffer with
            # one cuBLAS call (beta = 1), step after step, instead of a product and an add.
            gwi = blas.Product(gz, x) if nwi and w_ih is not None else None
            gwh = blas.Product(gz, h) if nwh else None
            gb = blas.Product(gz) if nbi or nbh else None
        else:
            gwi = blas.mm(gz.T, x) if nwi and w_ih is not None else None
            gwh = blas.mm(gz.T, h) if nwh else None
            gb = blas.colsum(gz) if nbi or nbh else None  # both biases get the same sum
        return (gx, blas.mm(gz, w_hh) if nh else None, gwi, gwh,
                gb if nbi else None, gb if nbh else None)


def _act_backward(g: Any, y: Any, relu: bool) -> Any:
    out = kernels.ewise("relu_backward" if relu else "tanh_backward", g, y)
    if out is not None:
        return out
    if relu:
        return g * (y > 0)
    return g - g * y * y


def rnn_cell(x: Tensor, h: Tensor, w_ih: Tensor | None, w_hh: Tensor, b_ih: Tensor | None,
             b_hh: Tensor | None, relu: bool) -> Tensor:
    """One fused RNN step (see RNNCell); x is the raw input, or its projection if w_ih is None."""
    return RNNCell.apply(x, h, w_ih, w_hh, b_ih, b_hh, relu=relu)


def fused_here(x: Tensor) -> bool:
    """Whether the fused step serves this input: GPU arrays with the fast paths on."""
    return fastpath.enabled and type(x._data) is not np.ndarray

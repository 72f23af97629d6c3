"""`nn.utils.fusion`: fold an eval-mode BatchNorm into the Conv or Linear before it (the
same arithmetic as PyTorch's, so the fused layer gives the same outputs)."""

from __future__ import annotations

import copy
from typing import Any

from autograd_core import creation
from autograd_core.grad_mode import no_grad
from autograd_core.nn.module import Module
from autograd_core.nn.parameter import Parameter
from autograd_core.tensor import Tensor

__all__ = ["fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval",
           "fuse_linear_bn_weights"]


def fuse_conv_bn_weights(conv_w: Tensor, conv_b: Tensor | None, bn_rm: Tensor, bn_rv: Tensor,
                         bn_eps: float, bn_w: Tensor | None, bn_b: Tensor | None,
                         transpose: bool = False) -> tuple[Parameter, Parameter]:
    """(weight, bias) of the conv that computes bn(conv(x)) with running statistics."""
    b = conv_b if conv_b is not None else creation.zeros_like(bn_rm)
    w_bn = bn_w if bn_w is not None else creation.ones_like(bn_rm)
    b_bn = bn_b if bn_b is not None else creation.zeros_like(bn_rm)
    rsqrt = (bn_rv + bn_eps).rsqrt()
    shape = [1, -1] if transpose else [-1, 1]
    shape += [1] * (conv_w.ndim - 2)
    fused_w = (conv_w * (w_bn * rsqrt).reshape(*shape)).to(conv_w.dtype)
    fused_b = ((b - bn_rm) * rsqrt * w_bn + b_bn).to(b.dtype)
    return Parameter(fused_w, conv_w.requires_grad), Parameter(fused_b, b.requires_grad)


def fuse_linear_bn_weights(linear_w: Tensor, linear_b: Tensor | None, bn_rm: Tensor,
                           bn_rv: Tensor, bn_eps: float, bn_w: Tensor,
                           bn_b: Tensor) -> tuple[Parameter, Parameter]:
    """(weight, bias) of the Linear that computes bn(linear(x)) with running statistics."""
    b = linear_b if linear_b is not None else creation.zeros_like(bn_rm)
    scale = bn_w * (bn_rv + bn_eps).rsqrt()
    fused_w = linear_w * scale.unsqueeze(-1).to(linear_w.dtype)
    fused_b = ((b - bn_rm) * scale + bn_b).to(b.dtype)
    return Parameter(fused_w, linear_w.requires_grad), Parameter(fused_b, b.requires_grad)


def _check_eval(*modules: Module) -> None:
    if any(m.training for m in modules):
        raise AssertionError("Fusion only for eval!")


def fuse_conv_bn_eval(conv: Module, bn: Module, transpose: bool = False) -> Module:
    """A copy of `conv` with the eval-mode `bn` folded into its weight and bias."""
    _check_eval(conv, bn)
    fused: Any = copy.deepcopy(conv)
    with no_grad():
        fused.weight, fused.bias = fuse_conv_bn_weights(
            fused.weight, fused.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight,
            bn.bias, transpose)
    return fused


def fuse_linear_bn_eval(linear: Module, bn: Module) -> Module:
    """A copy of `linear` with the eval-mode BatchNorm1d `bn` folded in."""
    _check_eval(linear, bn)
    if linear.out_features != bn.num_features:
        raise AssertionError("To fuse, linear.out_features must equal bn.num_features")
    fused: Any = copy.deepcopy(linear)
    with no_grad():
        fused.weight, fused.bias = fuse_linear_bn_weights(
            fused.weight, fused.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight,
            bn.bias)
    return fused

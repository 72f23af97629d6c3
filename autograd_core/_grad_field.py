"""The checks behind `Tensor.grad`: PyTorch's rules for assigning one, and its warning when
a non-leaf's (never filled) gradient is read."""

from __future__ import annotations

import warnings
from typing import Any


def check_grad(t: Any, g: Any) -> None:
    """PyTorch's checks on `x.grad = g`: a tensor of x's size, dtype and device."""
    from autograd_core.tensor import Tensor

    if not isinstance(g, Tensor):
        raise TypeError(
            f"assigned grad expected to be a Tensor or None but got grad of type "
            f"{type(g).__name__}"
        )
    if g._data.shape != t._data.shape:
        raise RuntimeError(
            f"attempting to assign a gradient of size '{list(g._data.shape)}' to a tensor of "
            f"size '{list(t._data.shape)}'. Please ensure that the gradient and the tensor are "
            "the same size"
        )
    if g._data.dtype != t._data.dtype:
        raise RuntimeError(
            f"attempting to assign a gradient with dtype '{g._data.dtype}' to a tensor with "
            f"dtype '{t._data.dtype}'. Please ensure that the gradient and the tensor have the "
            "same dtype"
        )
    if g.device != t.device:
        raise RuntimeError(
            f"attempting to assign a gradient located on device '{g.device}' to a tensor "
            f"located on device '{t.device}'. Please ensure that the gradient and the tensor "
            "are on the same device"
        )


def warn_non_leaf_grad() -> None:
    warnings.warn(
        "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
        "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
        "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
        "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
        "instead. See github.com/pytorch/pytorch/pull/30531 for more information.",
        UserWarning, stacklevel=3)

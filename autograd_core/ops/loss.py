"""Loss functions as fused ops, with PyTorch's reductions, weights and ignore_index semantics.

One namespace for the loss families, each in its own module: class-index losses
(class_losses.py), elementwise losses (elementwise_losses.py), and the `reduction` argument
they share (_reduction.py).
"""

from __future__ import annotations

# The op classes and _legacy_reduction stay importable from here (nn.loss imports it).
from autograd_core.ops._reduction import _legacy_reduction  # noqa: F401
from autograd_core.ops.class_losses import CrossEntropy, NllLoss, cross_entropy, nll_loss  # noqa: F401
from autograd_core.ops.elementwise_losses import (  # noqa: F401
    BinaryCrossEntropy,
    BinaryCrossEntropyWithLogits,
    HuberLoss,
    L1Loss,
    MseLoss,
    SmoothL1Loss,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    huber_loss,
    l1_loss,
    mse_loss,
    smooth_l1_loss,
)

__all__ = ["binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy",
           "huber_loss", "l1_loss", "mse_loss", "nll_loss", "smooth_l1_loss"]

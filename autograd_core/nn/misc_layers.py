"""Smaller layers: AlphaDropout, FeatureAlphaDropout, Dropout3d, LPPool1d/2d/3d,
ChannelShuffle, MaxUnpool1d/2d/3d, CosineSimilarity, MultiLabelMarginLoss,
TripletMarginWithDistanceLoss and SyncBatchNorm (one process: plain batch statistics)."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from autograd_core.nn import _functional_misc as FM
from autograd_core.nn.dropout import _DropoutNd
from autograd_core.nn.loss import NLLLoss, _Loss
from autograd_core.nn.module import Module
from autograd_core.nn.normalization import _BatchNorm
from autograd_core.ops.normalization import cosine_similarity
from autograd_core.tensor import Tensor

__all__ = ["AlphaDropout", "ChannelShuffle", "CosineSimilarity", "Dropout3d",
           "FeatureAlphaDropout", "LPPool1d", "LPPool2d", "LPPool3d", "MaxUnpool1d",
           "MaxUnpool2d", "MaxUnpool3d", "MultiLabelMarginLoss", "SyncBatchNorm",
           "TripletMarginWithDistanceLoss"]


class Dropout3d(_DropoutNd):
    """Zero whole channels of (N, C, D, H, W) input during training."""

    def forward(self, input: Tensor) -> Tensor:
        return FM.dropout3d(input, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    """Dropout for SELU networks: keeps the activations' mean and variance."""

    def forward(self, input: Tensor) -> Tensor:
        return FM.alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(_DropoutNd):
    """Alpha dropout of whole channels."""

    def forward(self, input: Tensor) -> Tensor:
        return FM.feature_alpha_dropout(input, self.p, self.training)


class _LPPoolNd(Module):
    _fn: Callable[..., Tensor] = staticmethod(FM.lp_pool2d)  # type: ignore[assignment]

    def __init__(self, norm_type: float, kernel_size: Any, stride: Any = None,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.norm_type, self.kernel_size = norm_type, kernel_size
        self.stride, self.ceil_mode = stride, ceil_mode

    def forward(self, input: Tensor) -> Tensor:
        return type(self)._fn(input, float(self.norm_type), self.kernel_size, self.stride,
                              self.ceil_mode)

    def extra_repr(self) -> str:
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, ceil_mode={self.ceil_mode}")


class LPPool1d(_LPPoolNd):
    """Power-average pooling over (N, C, L)."""

    _fn = staticmethod(FM.lp_pool1d)


class LPPool2d(_LPPoolNd):
    """Power-average pooling over (N, C, H, W)."""

    _fn = staticmethod(FM.lp_pool2d)


class LPPool3d(_LPPoolNd):
    """Power-average pooling over (N, C, D, H, W)."""

    _fn = staticmethod(FM.lp_pool3d)


class ChannelShuffle(Module):
    """Interleave the channels of `groups` groups (ShuffleNet)."""

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, input: Tensor) -> Tensor:
        return FM.channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"


class _MaxUnpoolNd(Module):
    _nd = 2

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__()

        def tup(v: Any) -> tuple[int, ...]:
            return (int(v),) * self._nd if isinstance(v, int) else tuple(v)

        self.kernel_size = tup(kernel_size)
        self.stride = tup(stride if stride is not None else kernel_size)
        self.padding = tup(padding)

    def forward(self, input: Tensor, indices: Tensor, output_size: Any = None) -> Tensor:
        return FM._max_unpool(input, indices, self._nd, self.kernel_size, self.stride,
                              self.padding, output_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """The partial inverse of MaxPool1d (its indices say where each value goes)."""

    _nd = 1


class MaxUnpool2d(_MaxUnpoolNd):
    """The partial inverse of MaxPool2d (its indices say where each value goes)."""

    _nd = 2


class MaxUnpool3d(_MaxUnpoolNd):
    """The partial inverse of MaxPool3d (its indices say where each value goes)."""

    _nd = 3


class CosineSimilarity(Module):
    """Cosine of the angle between x1 and x2 along `dim`."""

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return cosine_similarity(x1, x2, self.dim, self.eps)


class MultiLabelMarginLoss(_Loss):
    """Multi-label hinge loss over (target, non-target) class pairs."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return FM.multilabel_margin_loss(input, target, reduction=self.reduction)


class TripletMarginWithDistanceLoss(_Loss):
    """Triplet loss with any distance function (default: pairwise_distance)."""

    def __init__(self, *, distance_function: Callable | None = None, margin: float = 1.0,
                 swap: bool = False, reduction: str = "mean") -> None:
        super().__init__(reduction=reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater "
                             f"than 0, got {margin} instead")
        from autograd_core.nn.loss import PairwiseDistance

        # None becomes a PairwiseDistance child module, as in PyTorch (it shows in the repr)
        self.distance_function = (distance_function if distance_function is not None
                                  else PairwiseDistance())
        self.margin, self.swap = margin, swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return FM.triplet_margin_with_distance_loss(
            anchor, positive, negative, distance_function=self.distance_function,
            margin=self.margin, swap=self.swap, reduction=self.reduction)


class SyncBatchNorm(_BatchNorm):
    """BatchNorm whose statistics would be synchronised across processes; with one process
    (the only case here: `distributed` is unavailable) it is BatchNorm over the local batch."""

    _dims = (2, 3, 4, 5)

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True,
                 process_group: Any = None, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)
        self.process_group = process_group

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() < 2:
            raise ValueError(f"expected at least 2D input (got {input.dim()}D input)")

    @classmethod
    def convert_sync_batchnorm(cls, module: Module, process_group: Any = None) -> Module:
        """Replace every BatchNorm*d in `module` by a SyncBatchNorm holding its state."""
        out = module
        if isinstance(module, _BatchNorm) and not isinstance(module, SyncBatchNorm) \
                and type(module).__name__.startswith("BatchNorm"):
            out = cls(module.num_features, module.eps, module.momentum, module.affine,
                      module.track_running_stats, process_group)
            out.load_state_dict(module.state_dict())
            out.train(module.training)
        for name, child in module.named_children():
            out.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return out


class Container(Module):
    """PyTorch's deprecated Module with submodules given as keywords (it warns, as PyTorch)."""

    def __init__(self, **kwargs: Any) -> None:
        warnings.warn("`nn.Container` is deprecated. All of its functionality is now "
                      "implemented in `nn.Module`. Subclass that instead.", FutureWarning,
                      stacklevel=2)
        super().__init__()
        for key, value in kwargs.items():
            self.add_module(key, value)


class NLLLoss2d(NLLLoss):
    """Deprecated alias of NLLLoss (it warns, as PyTorch)."""

    def __init__(self, weight: Tensor | None = None, size_average: Any = None,
                 ignore_index: int = -100, reduce: Any = None, reduction: str = "mean") -> None:
        warnings.warn("`NLLLoss2d` has been deprecated. Please use `NLLLoss` instead as a "
                      "drop-in replacement and see https://pytorch.org/docs/main/nn.html"
                      "#torch.nn.NLLLoss for more details.", FutureWarning, stacklevel=2)
        super().__init__(weight, size_average, ignore_index, reduce, reduction)


__all__ += ["Container", "NLLLoss2d"]

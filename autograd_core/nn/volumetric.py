"""3-D layers: Conv3d, ConvTranspose3d, MaxPool3d, AvgPool3d, AdaptiveAvgPool3d,
AdaptiveMaxPool3d (PyTorch's arguments, parameter names and reprs), over `nn._volumetric`."""

from __future__ import annotations

from typing import Any

from autograd_core.nn import _volumetric as V
from autograd_core.nn.conv import _ConvNd, _ConvTransposeNd
from autograd_core.nn.pooling import _AdaptiveMaxPool, _AdaptivePool, _AvgPoolNd, _MaxPoolNd
from autograd_core.tensor import Tensor

__all__ = ["AdaptiveAvgPool3d", "AdaptiveMaxPool3d", "AvgPool3d", "Conv3d", "ConvTranspose3d",
           "MaxPool3d"]


class Conv3d(_ConvNd):
    """3-D convolution over (N, C_in, D, H, W); padding modes as Conv2d.

    Example:
        >>> nn.Conv3d(2, 4, 3, padding=1)(ag.randn(1, 2, 5, 5, 5)).shape
        torch.Size([1, 4, 5, 5, 5])
    """

    _nd = 3

    def forward(self, input: Tensor) -> Tensor:
        return self._conv(V.conv3d, input)


class ConvTranspose3d(_ConvTransposeNd):
    """3-D transposed convolution over (N, C_in, D, H, W); forward(x, output_size=...)."""

    _nd = 3

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:
        return V.conv_transpose3d(input, self.weight, self.bias, self.stride, self.padding,
                                  self._output_padding(input, output_size), self.groups,
                                  self.dilation)


class MaxPool3d(_MaxPoolNd):
    """Max over sliding windows of (N, C, D, H, W); stride defaults to kernel_size."""

    def forward(self, input: Tensor) -> Any:
        return V.max_pool3d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            self.ceil_mode, self.return_indices)


class AvgPool3d(_AvgPoolNd):
    """Mean over sliding windows of (N, C, D, H, W)."""

    def forward(self, input: Tensor) -> Tensor:
        return V.avg_pool3d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)


class AdaptiveAvgPool3d(_AdaptivePool):
    """Mean pooling of (N, C, D, H, W) to a fixed (Do, Ho, Wo)."""

    def forward(self, input: Tensor) -> Tensor:
        return V.adaptive_avg_pool3d(input, self.output_size)


class AdaptiveMaxPool3d(_AdaptiveMaxPool):
    """Max pooling of (N, C, D, H, W) to a fixed (Do, Ho, Wo)."""

    def forward(self, input: Tensor) -> Any:
        return V.adaptive_max_pool3d(input, self.output_size, self.return_indices)

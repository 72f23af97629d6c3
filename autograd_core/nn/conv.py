"""Convolution layers: Conv1d/2d (weight (C_out, C_in/groups, *kernel)) and the transposed
ConvTranspose1d/2d (weight (C_in, C_out/groups, *kernel)), each with an optional bias."""

from __future__ import annotations

from typing import Any

from autograd_core import creation
from autograd_core.nn import init
from autograd_core.nn.module import Module
from autograd_core.nn.parameter import Parameter
from autograd_core.ops import padding as _padding
from autograd_core.ops.conv import _same_pads, conv1d, conv2d
from autograd_core.ops.conv_transpose import conv_transpose1d, conv_transpose2d
from autograd_core.tensor import Tensor

__all__ = ["Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d"]

_PAD_MODES = {"zeros", "reflect", "replicate", "circular"}


def _ntuple(v: Any, n: int) -> tuple[int, ...]:
    return (int(v),) * n if isinstance(v, int) else tuple(int(i) for i in v)


def _make_parameters(layer: Module, shape: tuple[int, ...], bias: int, device: Any,
                     dtype: Any) -> None:
    """`layer.weight` of `shape` and a `bias` of that many channels (0: none), initialised."""
    layer.weight = Parameter(creation.empty(*shape, device=device, dtype=dtype))
    if bias:
        layer.bias = Parameter(creation.empty(bias, device=device, dtype=dtype))
    else:
        layer.register_parameter("bias", None)
    layer.reset_parameters()


class _ConvNd(Module):
    """Shared constructor, init and repr of Conv1d/Conv2d (PyTorch's _ConvNd)."""

    _nd = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        nd = self._nd
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if padding_mode not in _PAD_MODES:
            raise ValueError(f"padding_mode must be one of {sorted(_PAD_MODES)}, but got "
                             f"padding_mode='{padding_mode}'")
        if isinstance(padding, str) and padding not in ("same", "valid"):
            raise ValueError(f"Invalid padding string '{padding}', should be one of "
                             "{'valid', 'same'}")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _ntuple(kernel_size, nd)
        self.stride = _ntuple(stride, nd)
        if padding == "same" and any(s != 1 for s in self.stride):
            raise ValueError("padding='same' is not supported for strided convolutions")
        self.padding = padding if isinstance(padding, str) else _ntuple(padding, nd)
        self.dilation = _ntuple(dilation, nd)
        self.groups, self.padding_mode = groups, padding_mode
        _make_parameters(self, (out_channels, in_channels // groups, *self.kernel_size),
                         out_channels if bias else 0, device, dtype)

    def reset_parameters(self) -> None:
        init.default_weight_and_bias_(self.weight, self.bias)

    def _conv(self, fn: Any, input: Tensor) -> Tensor:
        if self.padding_mode == "zeros" or self.padding == "valid":
            return fn(input, self.weight, self.bias, self.stride, self.padding, self.dilation,
                      self.groups)
        if self.padding == "same":
            sides = _same_pads(self.kernel_size, self.dilation)
        else:
            sides = tuple((p, p) for p in self.padding)
        pads: list[int] = []
        for left, right in reversed(sides):  # F.pad wants the last dim first
            pads += [left, right]
        input = _padding.pad(input, pads, mode=self.padding_mode)
        return fn(input, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)

    def extra_repr(self) -> str:
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * self._nd:
            pad = self.padding
            s += f", padding={pad}"  # a string unquoted, as PyTorch prints it
        if self.dilation != (1,) * self._nd:
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv1d(_ConvNd):
    """1-D convolution over (N, C_in, L): y = conv1d(x, weight, bias, ...).

    Weights start as kaiming_uniform_(a=sqrt(5)), bias U(+-1/sqrt(fan_in)), like PyTorch.

    Example:
        >>> nn.Conv1d(16, 33, 3, stride=2)(ag.randn(20, 16, 50)).shape
        torch.Size([20, 33, 24])
    """

    _nd = 1

    def forward(self, input: Tensor) -> Tensor:
        return self._conv(conv1d, input)


class Conv2d(_ConvNd):
    """2-D convolution over (N, C_in, H, W): y = conv2d(x, weight, bias, ...).

    Args:
        padding: int, pair, 'valid' or 'same'; padding_mode 'zeros' (default), 'reflect',
            'replicate' or 'circular'.

    Example:
        >>> nn.Conv2d(1, 8, 3, padding=1)(ag.randn(32, 1, 28, 28)).shape
        torch.Size([32, 8, 28, 28])
    """

    _nd = 2

    def forward(self, input: Tensor) -> Tensor:
        return self._conv(conv2d, input)


class _ConvTransposeNd(Module):
    """Shared constructor of ConvTranspose1d/2d: weight (C_in, C_out/groups, *kernel)."""

    _nd = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, output_padding: Any = 0, groups: int = 1, bias: bool = True,
                 dilation: Any = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        nd = self._nd
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride = _ntuple(kernel_size, nd), _ntuple(stride, nd)
        self.padding, self.dilation = _ntuple(padding, nd), _ntuple(dilation, nd)
        self.output_padding = _ntuple(output_padding, nd)
        self.groups, self.padding_mode, self.transposed = groups, padding_mode, True
        _make_parameters(self, (in_channels, out_channels // groups, *self.kernel_size),
                         out_channels if bias else 0, device, dtype)

    def reset_parameters(self) -> None:
        init.default_weight_and_bias_(self.weight, self.bias)

    def _output_padding(self, input: Tensor, output_size: Any) -> tuple[int, ...]:
        """The output_padding that makes the output `output_size` (PyTorch's rule and message)."""
        if output_size is None:
            return self.output_padding
        nd = self._nd
        requested = output_size
        if len(requested) == input.ndim:  # (N, C, *spatial) given: keep the spatial part
            requested = requested[input.ndim - nd:]
        if len(requested) != nd:
            raise ValueError(f"ConvTranspose{nd}D: for {input.ndim}D input, output_size must "
                             f"have {nd} or {input.ndim} elements (got {len(requested)})")
        size = [int(v) for v in requested]
        spatial = input.shape[-nd:]
        low = [(spatial[d] - 1) * self.stride[d] - 2 * self.padding[d]
               + self.dilation[d] * (self.kernel_size[d] - 1) + 1 for d in range(nd)]
        high = [low[d] + self.stride[d] - 1 for d in range(nd)]
        if any(not low[d] <= size[d] <= high[d] for d in range(nd)):
            # PyTorch's wording, which names input.size()[2:] even for unbatched input
            raise ValueError(f"requested an output size of {requested}, but valid sizes range "
                             f"from {low} to {high} (for an input of "
                             f"{type(input.shape)(input.shape[2:])})")
        return tuple(size[d] - low[d] for d in range(nd))

    def extra_repr(self) -> str:
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * self._nd:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self._nd:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * self._nd:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution over (N, C_in, L) (the gradient of Conv1d w.r.t. its input).

    Example:
        >>> nn.ConvTranspose1d(16, 8, 4, stride=2, padding=1)(ag.randn(2, 16, 10)).shape
        torch.Size([2, 8, 20])
    """

    _nd = 1

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:
        return conv_transpose1d(input, self.weight, self.bias, self.stride, self.padding,
                                self._output_padding(input, output_size), self.groups,
                                self.dilation)


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution over (N, C_in, H, W), as DCGAN's generator uses it.

    Args:
        output_padding: extra rows/columns on one side, so a stride-s layer can undo a
            stride-s Conv2d exactly; forward(x, output_size=...) picks it from a size.

    Example:
        >>> nn.ConvTranspose2d(100, 64, 4, 1, 0, bias=False)(ag.randn(8, 100, 1, 1)).shape
        torch.Size([8, 64, 4, 4])
    """

    _nd = 2

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:
        return conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding,
                                self._output_padding(input, output_size), self.groups,
                                self.dilation)

"""Lazy layers (LazyLinear, LazyConv1d/2d/3d, LazyConvTranspose1d/2d/3d,
LazyBatchNorm1d/2d/3d, LazyInstanceNorm1d/2d/3d): the input size is read from the first
batch, as PyTorch's.

Their weights start as `UninitializedParameter`s (no data). The first forward call (or a
load_state_dict, which takes the checkpoint's shapes) materializes them with the layer's
usual initialisation, and the module then becomes the plain layer (`LazyLinear` ->
`Linear`), so its repr, state_dict and type are those of the layer PyTorch ends with.
The lazy InstanceNorms default to affine=True and track_running_stats=True: PyTorch's lazy
norm base sets those defaults for both kinds.
"""

from __future__ import annotations

from typing import Any

from autograd_core import creation, dtypes
from autograd_core.backend import get_array_module
from autograd_core.grad_mode import no_grad
from autograd_core.nn.conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
from autograd_core.nn.linear import Linear
from autograd_core.nn.normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d
from autograd_core.nn.normalization_more import InstanceNorm1d, InstanceNorm2d, InstanceNorm3d
from autograd_core.nn.parameter import Parameter
from autograd_core.nn.volumetric import Conv3d, ConvTranspose3d
from autograd_core.tensor import Tensor

__all__ = ["LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d", "LazyConv1d",
           "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d", "LazyConvTranspose2d",
           "LazyConvTranspose3d", "LazyInstanceNorm1d", "LazyInstanceNorm2d",
           "LazyInstanceNorm3d", "LazyLinear", "LazyModuleMixin", "UninitializedBuffer",
           "UninitializedParameter"]


class UninitializedTensorMixin:
    """Holds no data until `materialize(shape)` gives it an (uninitialised) array."""

    cls_to_become: type = Tensor
    _data: Any

    def materialize(self, shape: Any, device: Any = None, dtype: Any = None) -> None:
        shape = (int(shape),) if isinstance(shape, int) else tuple(int(s) for s in shape)
        dt = self._data.dtype if dtype is None else dtypes.to_dtype(dtype)  # type: ignore
        self._data = get_array_module(self._data).empty(shape, dtype=dt)  # type: ignore
        self.__class__ = self.cls_to_become

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A Parameter whose shape is not known yet (a lazy layer's weight)."""

    cls_to_become = Parameter

    def __init__(self, requires_grad: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(creation.empty(0, device=device, dtype=dtype), requires_grad)


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer whose shape is not known yet (a lazy norm layer's running statistics)."""

    cls_to_become = Tensor

    def __init__(self, requires_grad: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        self._init(creation.empty(0, device=device, dtype=dtype)._data)


def _materialize(module: Any, name: str, t: Any, shape: Any) -> None:
    """Give a lazy tensor its shape: a parameter changes class in place (an optimizer may
    hold it already); a buffer (a slotted Tensor cannot change class) is replaced."""
    if isinstance(t, UninitializedParameter):
        t.materialize(shape)
    else:
        module._buffers[name] = Tensor._make(
            get_array_module(t._data).empty(tuple(shape), dtype=t._data.dtype))


def _uninitialized(module: Any) -> list[tuple[str, Any]]:
    return [(name, t) for reg in (module._parameters, module._buffers)
            for name, t in reg.items() if isinstance(t, UninitializedTensorMixin)]


class LazyModuleMixin:
    """Infers the shapes on the first call, then turns into `cls_to_become`."""

    cls_to_become: type | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self._initialize_hook = self.register_forward_pre_hook(  # type: ignore[attr-defined]
            LazyModuleMixin._infer_parameters)

    def has_uninitialized_params(self) -> bool:
        return bool(_uninitialized(self))

    def initialize_parameters(self, *args: Any) -> None:  # each lazy layer defines it
        raise NotImplementedError

    @staticmethod
    def _infer_parameters(module: Any, args: tuple) -> None:
        module.initialize_parameters(*args)
        if module.has_uninitialized_params():
            raise RuntimeError(f"module {module._get_name()} has not been fully initialized")
        module._initialize_hook.remove()
        del module._initialize_hook
        if module.cls_to_become is not None:
            module.__class__ = module.cls_to_become

    def _load_from_state_dict(self, state_dict: dict, prefix: str, *args: Any,
                              **kwargs: Any) -> None:
        for name, t in _uninitialized(self):
            value = state_dict.get(prefix + name)
            if isinstance(value, Tensor) and not isinstance(value, UninitializedTensorMixin):
                with no_grad():
                    _materialize(self, name, t, value.shape)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)  # type: ignore


class LazyLinear(LazyModuleMixin, Linear):
    """Linear whose in_features is the last dim of the first input."""

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(0, 0, False)
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_features = out_features
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor, *args: Any) -> None:
        if self.has_uninitialized_params():
            with no_grad():
                self.in_features = input.shape[-1]
                self.weight.materialize((self.out_features, self.in_features))
                if self.bias is not None:
                    self.bias.materialize((self.out_features,))
                self.reset_parameters()


class _LazyConvMixin(LazyModuleMixin):
    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__(0, 0, kernel_size, stride, padding, dilation, groups, False,
                         padding_mode)
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_channels = out_channels
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()  # type: ignore[misc]

    def initialize_parameters(self, input: Tensor, *args: Any) -> None:
        if not self.has_uninitialized_params():
            return
        batched = input.dim() == self._nd + 2  # type: ignore[attr-defined]
        self.in_channels = input.shape[1] if batched else input.shape[0]
        if self.in_channels % self.groups != 0:  # type: ignore[attr-defined]
            raise ValueError("in_channels must be divisible by groups")
        with no_grad():
            self.weight.materialize((self.out_channels,  # type: ignore[attr-defined]
                                     self.in_channels // self.groups,  # type: ignore
                                     *self.kernel_size))  # type: ignore[attr-defined]
            if self.bias is not None:  # type: ignore[attr-defined]
                self.bias.materialize((self.out_channels,))  # type: ignore[attr-defined]
            self.reset_parameters()


class LazyConv1d(_LazyConvMixin, Conv1d):
    """Conv1d whose in_channels comes from the first input."""

    cls_to_become = Conv1d


class LazyConv2d(_LazyConvMixin, Conv2d):
    """Conv2d whose in_channels comes from the first input."""

    cls_to_become = Conv2d


class LazyConv3d(_LazyConvMixin, Conv3d):
    """Conv3d whose in_channels comes from the first input."""

    cls_to_become = Conv3d


class _LazyConvTransposeMixin(LazyModuleMixin):
    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                 bias: bool = True, dilation: Any = 1, padding_mode: str = "zeros",
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(0, 0, kernel_size, stride, padding, output_padding, groups, False,
                         dilation, padding_mode)
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_channels = out_channels
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()  # type: ignore[misc]

    def initialize_parameters(self, input: Tensor, *args: Any) -> None:
        if not self.has_uninitialized_params():
            return
        batched = input.dim() == self._nd + 2  # type: ignore[attr-defined]
        self.in_channels = input.shape[1] if batched else input.shape[0]
        if self.in_channels % self.groups != 0:  # type: ignore[attr-defined]
            raise ValueError("in_channels must be divisible by groups")
        with no_grad():  # transposed: weight (C_in, C_out / groups, *kernel)
            self.weight.materialize((self.in_channels,  # type: ignore[attr-defined]
                                     self.out_channels // self.groups,  # type: ignore
                                     *self.kernel_size))  # type: ignore[attr-defined]
            if self.bias is not None:  # type: ignore[attr-defined]
                self.bias.materialize((self.out_channels,))  # type: ignore[attr-defined]
            self.reset_parameters()


class LazyConvTranspose1d(_LazyConvTransposeMixin, ConvTranspose1d):
    """ConvTranspose1d whose in_channels comes from the first input."""

    cls_to_become = ConvTranspose1d


class LazyConvTranspose2d(_LazyConvTransposeMixin, ConvTranspose2d):
    """ConvTranspose2d whose in_channels comes from the first input."""

    cls_to_become = ConvTranspose2d


class LazyConvTranspose3d(_LazyConvTransposeMixin, ConvTranspose3d):
    """ConvTranspose3d whose in_channels comes from the first input."""

    cls_to_become = ConvTranspose3d


class _LazyNormMixin(LazyModuleMixin):
    weight: Any
    bias: Any
    def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__(0, eps, momentum, False, False)
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = UninitializedParameter(device=device, dtype=dtype)
            if bias:
                self.bias = UninitializedParameter(device=device, dtype=dtype)
        if track_running_stats:
            self.running_mean = UninitializedBuffer(device=device, dtype=dtype)
            self.running_var = UninitializedBuffer(device=device, dtype=dtype)
            self.num_batches_tracked = creation.tensor(0, dtype=dtypes.int64)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.num_features != 0:
            super().reset_parameters()  # type: ignore[misc]

    def initialize_parameters(self, input: Tensor, *args: Any) -> None:
        if not self.has_uninitialized_params():
            return
        self.num_features = input.shape[1]
        with no_grad():
            for name, t in _uninitialized(self):
                _materialize(self, name, t, (self.num_features,))
            self.reset_parameters()


class LazyBatchNorm1d(_LazyNormMixin, BatchNorm1d):
    """BatchNorm1d whose num_features comes from the first input (dim 1)."""

    cls_to_become = BatchNorm1d


class LazyBatchNorm2d(_LazyNormMixin, BatchNorm2d):
    """BatchNorm2d whose num_features comes from the first input (dim 1)."""

    cls_to_become = BatchNorm2d


class LazyBatchNorm3d(_LazyNormMixin, BatchNorm3d):
    """BatchNorm3d whose num_features comes from the first input (dim 1)."""

    cls_to_become = BatchNorm3d


class LazyInstanceNorm1d(_LazyNormMixin, InstanceNorm1d):
    """InstanceNorm1d whose num_features comes from the first input (dim 1)."""

    cls_to_become = InstanceNorm1d


class LazyInstanceNorm2d(_LazyNormMixin, InstanceNorm2d):
    """InstanceNorm2d whose num_features comes from the first input (dim 1)."""

    cls_to_become = InstanceNorm2d


class LazyInstanceNorm3d(_LazyNormMixin, InstanceNorm3d):
    """InstanceNorm3d whose num_features comes from the first input (dim 1)."""

    cls_to_become = InstanceNorm3d

"""Tensor's conversion methods: to Python and numpy values (`item`, `tolist`, `numpy`,
`float(t)`), to other dtypes and devices (`to`, `float()`, `cuda`), `new_*` constructors with
the tensor's options, and the repr.

`Tensor` inherits `ConversionMethods`; the arrays these read are converted in `_tensor_convert`.
"""

from __future__ import annotations

import builtins  # `bool` and `int` in the class body below are methods
from typing import TYPE_CHECKING, Any

import numpy as np

from autograd_core import dtypes
from autograd_core._tensor_convert import _host
from autograd_core._tensor_fields import TensorFields
from autograd_core._tensor_str import tensor_str
from autograd_core.backend import Device, device

# Set by autograd_core.tensor (_bind_method_modules): Tensor, the ops namespace and the
# creation module (for new_*) import this module, so they arrive after it loads.
if TYPE_CHECKING:  # the class, for the methods' `self: Tensor`
    from autograd_core.tensor import Tensor
else:
    Tensor = None
_ops: Any = None
_creation: Any = None
_ndarray = np.ndarray



class ConversionMethods(TensorFields):
    """The conversion methods of `Tensor` (a base class so tensor.py holds the tensor's state)."""

    __slots__ = ()

    def item(self) -> Any:
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.item()

    def numpy(self, force: bool = False) -> np.ndarray:
        if self.requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        if type(self._data) is not _ndarray:
            if not force:
                raise TypeError(
                    f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() "
                    "to copy the tensor to host memory first."
                )
            return self._data.get()
        return self._data

    def tolist(self) -> Any:
        return _host(self._data).tolist()

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        arr = _host(self._data)
        return arr if dtype is None else arr.astype(dtype)

    def __float__(self) -> float:
        return float(self._scalar())

    def __int__(self) -> int:
        return int(self._scalar())

    def _scalar(self) -> Any:
        """The one element, for float()/int() (PyTorch raises ValueError there, unlike item)."""
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self._data.item()

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self) -> bool:
        if self._data.size != 1:
            many = "more than one value" if self._data.size else "no values"
            raise RuntimeError(f"Boolean value of Tensor with {many} is ambiguous")
        return bool(self.item())

    def __repr__(self) -> str:
        return _format(self)

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """to(dtype) / to(device) / to(device, dtype) / to(other_tensor); copy=False."""
        dev, dt = _parse_to(args, kwargs)
        out: Any = self  # or the new tensor the ops make
        if dt is not None and dt != self._data.dtype:
            out = _ops.cast(out, dt)
        if dev is not None and dev != out.device:
            out = _ops.to_device(out, dev)
        if kwargs.get("copy") and out is self:
            out = self.clone()
        return out

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def cuda(self, device_index: int | None = None) -> Tensor:
        return self.to(device("cuda", device_index))

    def float(self) -> Tensor:
        return self.to(dtypes.float32)

    def double(self) -> Tensor:
        return self.to(dtypes.float64)

    def half(self) -> Tensor:
        return self.to(dtypes.float16)

    def long(self) -> Tensor:
        return self.to(dtypes.int64)

    def int(self) -> Tensor:
        return self.to(dtypes.int32)

    def bool(self) -> Tensor:
        return self.to(dtypes.bool)

    def type(self, dtype: Any = None) -> Any:
        if dtype is None:
            name = _TYPE_NAMES.get(self._data.dtype.name, self._data.dtype.name)
            return name.replace("torch.", "torch.cuda.") if self.device.type == "cuda" else name
        legacy = getattr(dtype, "_legacy", None)  # torch.FloatTensor and friends
        if legacy is not None:
            return self.to(device=legacy[1], dtype=legacy[0])
        return self.to(dtypes.to_dtype(dtype))

    def __format__(self, format_spec: str) -> str:
        """f"{loss:.4f}" formats a 0-d tensor's value; others take only an empty spec."""
        if self._data.ndim == 0:
            return self.item().__format__(format_spec)
        return object.__format__(self, format_spec)

    def to_sparse(self, *args: Any, **kwargs: Any) -> Tensor:
        """A dense copy: sparse layouts are stored dense here (see `autograd_core.sparse`)."""
        t: Any = self
        return t.clone()

    def to_dense(self, dtype: Any = None, *, masked_grad: Any = None) -> Tensor:
        """The tensor itself (every tensor is dense), converted when `dtype` is given."""
        t: Any = self
        return t if dtype is None else t.to(dtype)

    def coalesce(self) -> Tensor:
        t: Any = self
        return t

    # Device and layout flags PyTorch tensors carry: here tensors are dense, on cpu or cuda.
    is_xpu = is_mps = is_meta = is_sparse = is_quantized = is_mkldnn = is_nested = property(
        lambda self: False)

    def type_as(self, other: Tensor) -> Tensor:
        return self.to(other.dtype)

    def new_tensor(self, data: Any, *, dtype: Any = None, device: Any = None,
                   requires_grad: builtins.bool = False, **options: Any) -> Tensor:
        return _creation.tensor(data, requires_grad=requires_grad,
                                **_options(self, dtype, device), **options)

    def new_zeros(self, *size: Any, dtype: Any = None, device: Any = None,
                  **options: Any) -> Tensor:
        """zeros(size) with this tensor's dtype and device unless given (PyTorch's options)."""
        return _creation.zeros(*size, **_options(self, dtype, device), **options)

    def new_ones(self, *size: Any, dtype: Any = None, device: Any = None,
                 **options: Any) -> Tensor:
        return _creation.ones(*size, **_options(self, dtype, device), **options)

    def new_full(self, size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None,
                 **options: Any) -> Tensor:
        return _creation.full(size, fill_value, **_options(self, dtype, device), **options)

    def new_empty(self, *size: Any, dtype: Any = None, device: Any = None,
                  **options: Any) -> Tensor:
        return _creation.empty(*size, **_options(self, dtype, device), **options)


def _options(t: Any, dtype: Any, device: Any) -> dict[str, Any]:
    """A new_* constructor's dtype and device: the tensor's own unless given."""
    return {"dtype": dtype or t.dtype, "device": device or t.device}


_TYPE_NAMES = {
    "float32": "torch.FloatTensor", "float64": "torch.DoubleTensor",
    "int64": "torch.LongTensor", "int32": "torch.IntTensor", "bool": "torch.BoolTensor",
    "float16": "torch.HalfTensor", "uint8": "torch.ByteTensor", "int16": "torch.ShortTensor",
    "int8": "torch.CharTensor",
}


def _parse_to(args: tuple, kwargs: dict) -> tuple[Device | None, Any]:
    dev = kwargs.get("device")
    dt = kwargs.get("dtype")
    for a in args:
        if isinstance(a, Tensor):
            dev, dt = a.device, a.dtype
        elif isinstance(a, (str, Device)) and not (isinstance(a, str) and
                                                     a.removeprefix("torch.") in dtypes._ALIASES):
            dev = a
        elif a is not None:
            dt = a
    return (device(dev) if dev is not None else None,
            dtypes.to_dtype(dt) if dt is not None else None)


def _format(t: TensorFields) -> str:
    dev = t.device
    return tensor_str(_host(t._data), dtypes.default.value,
                      None if dev.type == "cpu" else str(dev),
                      None if t.grad_fn is None else t.grad_fn.name(), t.requires_grad)

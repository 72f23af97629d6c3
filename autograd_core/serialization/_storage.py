"""Storages as a checkpoint holds them: a flat run of elements of one dtype on one device.

`TypedStorage` is what a `map_location` callable receives (on the CPU, with the location
tag the file gave it) and may return moved (`storage.cuda(1)`), as in PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core import dtypes
from autograd_core.backend import Device, device, device_of, get_array_module

__all__ = ["StorageType", "TypedStorage"]


class StorageType:
    """A storage class named in a checkpoint (`torch FloatStorage`): its element dtype."""

    __slots__ = ("bfloat16", "dtype", "name")

    def __init__(self, name: str, dtype: np.dtype, bfloat16: bool = False) -> None:
        self.name = name
        self.dtype = dtype  # what the record's bytes hold (uint16 words for bfloat16)
        self.bfloat16 = bfloat16

    def __repr__(self) -> str:
        return f"torch.{self.name}"


class TypedStorage:
    """A flat array of elements that tensors view (PyTorch's `TypedStorage`, read-only API).

    Example:
        >>> load("ckpt.pt", map_location=lambda storage, location: storage.cuda(0))
    """

    __slots__ = ("_array",)

    def __init__(self, array: Any) -> None:
        self._array = array  # 1-D, contiguous, on its device

    @property
    def dtype(self) -> dtypes.dtype:
        return dtypes.wrap(self._array.dtype)

    @property
    def device(self) -> Device:
        return device_of(self._array)

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    def size(self) -> int:
        return int(self._array.size)

    def __len__(self) -> int:
        return int(self._array.size)

    def nbytes(self) -> int:
        return int(self._array.nbytes)

    def element_size(self) -> int:
        return int(self._array.itemsize)

    def cpu(self) -> TypedStorage:
        arr = self._array
        return self if get_array_module(arr) is np else TypedStorage(arr.get())

    def cuda(self, device: Any = None, non_blocking: bool = False) -> TypedStorage:
        target = "cuda" if device is None else device if isinstance(device, (str, Device)) \
            else f"cuda:{device}"
        return self.to(target)

    def to(self, device: Any = None, non_blocking: bool = False) -> TypedStorage:
        return TypedStorage(move(self._array, _as_device(device)))

    def tolist(self) -> list:
        return self.cpu()._array.tolist()

    def __repr__(self) -> str:
        return f"TypedStorage(size={len(self)}, dtype={self.dtype}, device={self.device})"

    def _reinterpret(self, np_dtype: np.dtype) -> TypedStorage:
        """The same bytes as elements of another dtype (a byte storage read as uint16)."""
        arr = self._array
        if arr.dtype == np_dtype:
            return self
        if arr.nbytes % np.dtype(np_dtype).itemsize:
            raise RuntimeError(f"load(): a storage of {arr.nbytes} bytes cannot hold "
                               f"{np.dtype(np_dtype).name} elements")
        return TypedStorage(arr.view(np_dtype))


def _as_device(spec: Any) -> Device:
    return device(spec) if not isinstance(spec, Device) else spec


def move(arr: Any, target: Device) -> Any:
    """`arr` on `target` (the same array when it is already there)."""
    if device_of(arr) == target:
        return arr
    if target.type == "cpu":
        return arr.get()
    from autograd_core.backend import module_for_device

    xp = module_for_device(target)
    with xp.cuda.Device(target.index or 0):
        return xp.asarray(arr)

"""Tensors as PyTorch pickles them: a rebuild call over a storage record, views kept shared.

Tensors whose arrays view one allocation (a slice, a transpose, `x.view(...)`) are written
as views of one storage, with their offsets and strides in elements, so they load (in
PyTorch or here) sharing memory again, as `torch.save` promises. A view that a storage
cannot express (a negative stride, an offset that is not a whole element) is written as
its own contiguous copy.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core import dtypes
from autograd_core._tensor_convert import Size
from autograd_core.backend import Device, get_array_module
from autograd_core.serialization._pickler import Global, PersistentId, Reduce
from autograd_core.tensor import Tensor

__all__ = ["STORAGE_NAMES", "TensorReducer"]

# PyTorch's legacy typed storage classes, by numpy dtype name (torch.storage's map).
STORAGE_NAMES = {
    "float64": "DoubleStorage", "float32": "FloatStorage", "float16": "HalfStorage",
    "int64": "LongStorage", "int32": "IntStorage", "int16": "ShortStorage",
    "int8": "CharStorage", "uint8": "ByteStorage", "bool": "BoolStorage",
    "complex128": "ComplexDoubleStorage", "complex64": "ComplexFloatStorage",
}
# dtypes PyTorch added later: an untyped (byte) storage and _rebuild_tensor_v3 with the dtype
UNTYPED_DTYPES = ("uint16", "uint32", "uint64")

_REBUILD = Global("torch._utils", "_rebuild_tensor_v2")
_REBUILD_V3 = Global("torch._utils", "_rebuild_tensor_v3")
_ORDERED = Global("collections", "OrderedDict")


def _address(arr: Any) -> int:
    if get_array_module(arr) is np:
        return int(arr.ctypes.data)
    ptr = getattr(arr.data, "ptr", None)  # CuPy's MemoryPointer
    # the numpy-backed CuPy stand-in of the tests has no MemoryPointer: its host address
    return int(ptr) if ptr is not None else int(arr.__array_interface__["data"][0])


def _extent(arr: Any) -> tuple[int, int]:
    """[first byte, one past the last byte) that `arr` touches."""
    lo = hi = _address(arr)
    if arr.size == 0:
        return lo, hi
    for n, s in zip(arr.shape, arr.strides):
        if s < 0:
            lo += (n - 1) * s
        else:
            hi += (n - 1) * s
    return lo, hi + arr.itemsize


def _root(arr: Any) -> Any:
    """The array that owns the memory `arr` views (numpy and CuPy keep it as `.base`)."""
    kind = type(arr)
    while isinstance(arr.base, kind):
        arr = arr.base
    return arr


class _Storage:
    __slots__ = ("dtype", "flat", "key", "location")

    def __init__(self, key: str, flat: Any, location: str) -> None:
        self.key = key
        self.flat = flat  # 1-D contiguous array of the storage's elements, on its device
        self.dtype = flat.dtype
        self.location = location


class TensorReducer:
    """Turns tensors (and dtypes, devices, sizes) into `Reduce`s; keeps the storages to write.

    Example:
        >>> reducer = TensorReducer()
        >>> data = write_pickle(obj, reducer)
        >>> for key, host_bytes in reducer.records(): ...
    """

    def __init__(self) -> None:
        self._storages: dict[int, _Storage] = {}  # id(root array) -> its storage
        self._order: list[_Storage] = []
        self._roots: list[Any] = []  # keeps roots alive while their ids are keys

    def __call__(self, obj: Any) -> Reduce | Global | None:
        if isinstance(obj, Tensor):
            return self._tensor(obj)
        if isinstance(obj, dtypes.dtype):
            return Global("torch", _torch_dtype_name(obj.dtype))
        if isinstance(obj, Device):
            args = (obj.type,) if obj.index is None else (obj.type, obj.index)
            return Reduce(Global("torch", "device"), args)
        if isinstance(obj, Size):
            return Reduce(Global("torch", "Size"), (tuple(int(s) for s in obj),))
        return None

    def records(self) -> list[tuple[str, Any]]:
        """(key, contiguous host array) for each storage, in key order."""
        out = []
        for st in self._order:
            flat = st.flat
            if get_array_module(flat) is not np:
                flat = flat.get()  # a CuPy storage: copy it to the host once, to write
            out.append((st.key, flat))
        return out

    def _tensor(self, t: Tensor) -> Reduce:
        from autograd_core.nn.parameter import Parameter  # nn loads lazily

        arr = t._data
        if not hasattr(arr, "strides") or isinstance(arr, np.generic):
            arr = np.asarray(arr)  # a numpy scalar: its 0-d array
        name = _torch_dtype_name(arr.dtype)
        storage, offset, strides = self._place(arr)
        if not arr.size:  # PyTorch's contiguous strides (numpy may give an empty array any)
            strides = _contiguous_strides(arr.shape)
        if name in UNTYPED_DTYPES:
            pid = ("storage", Global("torch.storage", "UntypedStorage"), storage.key,
                   storage.location, storage.flat.nbytes)
        else:
            pid = ("storage", Global("torch", STORAGE_NAMES[name]), storage.key,
                   storage.location, storage.flat.size)
        is_param = isinstance(t, Parameter)
        args: tuple = (PersistentId(pid), offset, tuple(arr.shape), strides,
                       False if is_param else bool(t.requires_grad),
                       Reduce(_ORDERED, ()))
        if name in UNTYPED_DTYPES:
            tensor = Reduce(_REBUILD_V3, (*args, Global("torch", name)))
        else:
            tensor = Reduce(_REBUILD, args)
        if is_param:
            return Reduce(Global("torch._utils", "_rebuild_parameter"),
                          (tensor, bool(t.requires_grad), Reduce(_ORDERED, ())))
        return tensor

    def _place(self, arr: Any) -> tuple[_Storage, int, tuple[int, ...]]:
        """The storage `arr` views, its offset and strides there (in elements)."""
        item = arr.itemsize
        root = _root(arr)
        shareable = (arr.dtype.isnative and all(s >= 0 and s % item == 0 for s in arr.strides)
                     and (root.flags.c_contiguous or root.flags.f_contiguous))
        if shareable:
            lo, hi = _extent(root)
            start = _address(arr) - lo
            shareable = start % item == 0 and (hi - lo) % item == 0
        if not shareable:  # its own contiguous copy: nothing else can view it
            copy = arr.astype(arr.dtype.newbyteorder("="), order="C", copy=True)
            return self._add(copy, copy.reshape(-1)), 0, tuple(s // item for s in copy.strides)
        found = self._storages.get(id(root))
        if found is None:
            flat = root.ravel(order="A").view(np.uint8)[:hi - lo].view(arr.dtype)
            st = self._add(root, flat)
        elif found.dtype == arr.dtype:
            st = found
        else:
            raise RuntimeError("Cannot save multiple tensors or storages that view the same "
                               "data as different types")
        return st, start // item, tuple(s // item for s in arr.strides)

    def _add(self, root: Any, flat: Any) -> _Storage:
        location = "cpu"
        if get_array_module(flat) is not np:
            location = f"cuda:{flat.device.id}"
        st = _Storage(str(len(self._order)), flat, location)
        self._storages[id(root)] = st
        self._roots.append(root)
        self._order.append(st)
        return st


def _contiguous_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    """PyTorch's strides for a contiguous tensor (a 0-length dim counts as 1)."""
    strides = []
    step = 1
    for n in reversed(shape):
        strides.append(step)
        step *= max(n, 1)
    return tuple(reversed(strides))


def _torch_dtype_name(np_dtype: np.dtype) -> str:
    name = np.dtype(np_dtype).name
    if name not in STORAGE_NAMES and name not in UNTYPED_DTYPES:
        raise TypeError(f"save(): PyTorch has no dtype for numpy's {name}; convert the tensor "
                        "(for example .double()) before saving")
    return name

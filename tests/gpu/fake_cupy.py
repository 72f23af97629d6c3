"""A numpy-backed stand-in for CuPy, so the device code paths run (and fail) on a CPU machine.

`FakeCupyArray` is its own array type, like `cupy.ndarray`: tensors holding one report
`device(type='cuda', index=0)`, `.numpy()` refuses them, and, as with real CuPy, a numpy
*function* called on one (`np.where(x, ...)` inside an op instead of `xp.where`) raises, and
so does an arithmetic mix with a host numpy array. It checks our code's device discipline,
not CuPy itself: numerics, kernels and CuPy's own API gaps are only checked on a real GPU.
(One known hole: `np.asarray(fake)` passes silently, where CuPy raises.)
"""

from __future__ import annotations

import types
from typing import Any

import numpy as np

_depth = [0]  # > 0 while a fake-cupy function runs numpy on our behalf


class FakeCupyArray(np.ndarray):
    """A 'device' array: a numpy array of another type that keeps numpy functions out."""

    def __array_function__(self, func: Any, types_: Any, args: Any, kwargs: Any) -> Any:
        if _depth[0] == 0:
            raise TypeError(
                f"numpy.{func.__name__}() called on a CuPy array: ops must use xp "
                "(get_array_module) for device data"
            )
        return _dev(super().__array_function__(func, types_, args, kwargs))

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if _depth[0] == 0 and any(type(i) is np.ndarray for i in inputs):
            raise TypeError(
                f"Unsupported type <class 'numpy.ndarray'> in {ufunc.__name__}: a host array "
                "mixed with a CuPy array"
            )
        args = [i.view(np.ndarray) if isinstance(i, FakeCupyArray) else i for i in inputs]
        out = kwargs.get("out")
        if out is not None:
            kwargs["out"] = tuple(o.view(np.ndarray) if isinstance(o, FakeCupyArray) else o
                                  for o in out)
        _depth[0] += 1
        try:
            result = getattr(ufunc, method)(*args, **kwargs)
        finally:
            _depth[0] -= 1
        if out is not None:
            return out[0] if len(out) == 1 else out
        return _dev(result)

    def get(self, stream: Any = None) -> np.ndarray:
        return np.array(self.view(np.ndarray), copy=True)

    @property
    def device(self) -> Any:
        return Device(0)


def _dev(x: Any) -> Any:
    """Results of device computations stay on the device (numpy scalars become 0-d arrays)."""
    if isinstance(x, FakeCupyArray):
        return x
    if isinstance(x, np.ndarray):
        return x.view(FakeCupyArray)
    if isinstance(x, np.generic):
        return np.asarray(x).view(FakeCupyArray)
    if isinstance(x, tuple):
        return tuple(_dev(i) for i in x)
    if isinstance(x, list):
        return [_dev(i) for i in x]
    return x


def _call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    _depth[0] += 1
    try:
        return _dev(fn(*args, **kwargs))
    finally:
        _depth[0] -= 1


class _Func:
    """A numpy function or ufunc run 'on the device' (its `.at`, `.reduce` too)."""

    def __init__(self, fn: Any) -> None:
        self._fn = fn

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return _call(self._fn, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._fn, name)
        return _Func(attr) if callable(attr) else attr


class _Namespace(types.ModuleType):
    """numpy's namespace (or a submodule) with its functions wrapped by `_Func`."""

    def __init__(self, name: str, source: Any) -> None:
        super().__init__(name)
        self._source = source

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._source, name)
        if isinstance(attr, types.ModuleType):
            return _Namespace(f"{self.__name__}.{name}", attr)
        if isinstance(attr, type) or not callable(attr):
            return attr  # dtypes, scalar types and constants are shared with numpy
        return _Func(attr)


def asarray(a: Any, dtype: Any = None, **_: Any) -> FakeCupyArray:
    """Host data to the device (an explicit copy, as cupy.asarray)."""
    if isinstance(a, FakeCupyArray):
        return a if dtype is None or a.dtype == dtype else a.astype(dtype)
    return np.array(a, dtype=dtype, copy=True).view(FakeCupyArray)


def array(a: Any, dtype: Any = None, copy: bool = True, **_: Any) -> FakeCupyArray:
    """cupy.array: a copy unless copy=False and nothing changes."""
    if isinstance(a, FakeCupyArray) and copy:
        return np.array(a.view(np.ndarray), dtype=dtype, copy=True).view(FakeCupyArray)
    return asarray(a, dtype)


def asnumpy(a: Any, stream: Any = None) -> np.ndarray:
    return a.get() if isinstance(a, FakeCupyArray) else np.asarray(a)


class Device:
    """cupy.cuda.Device: a context manager selecting the current device."""

    count = 1

    def __init__(self, index: int | None = 0) -> None:
        self.id = 0 if index is None else int(index)

    def __enter__(self) -> Device:
        if self.id >= Device.count:
            raise RuntimeError("cudaErrorInvalidDevice: invalid device ordinal")
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def synchronize(self) -> None:
        return None


class _Runtime:
    @staticmethod
    def getDeviceCount() -> int:
        return Device.count

    @staticmethod
    def getDevice() -> int:
        return 0

    @staticmethod
    def setDevice(i: int) -> None:
        return None

    @staticmethod
    def deviceSynchronize() -> None:
        return None

    @staticmethod
    def getDeviceProperties(i: int) -> dict:
        return {"name": b"Fake CUDA device (numpy)"}


class _Event:
    def __init__(self, block: bool = False, disable_timing: bool = False) -> None:
        self.done = True

    def record(self, stream: Any = None) -> None:
        return None

    def synchronize(self) -> None:
        return None


class _Pool:
    def used_bytes(self) -> int:
        return 0

    def total_bytes(self) -> int:
        return 0

    def free_all_blocks(self) -> None:
        return None


class _Random:
    """cupy.random's module-level functions on a numpy Generator."""

    def __init__(self) -> None:
        self._rng = np.random.default_rng(0)

    def seed(self, s: int) -> None:
        self._rng = np.random.default_rng(s)

    def standard_normal(self, size: Any = None, dtype: Any = float) -> FakeCupyArray:
        return asarray(self._rng.standard_normal(size, dtype=dtype))

    def random_sample(self, size: Any = None, dtype: Any = float) -> FakeCupyArray:
        return asarray(self._rng.random(size, dtype=dtype))

    def uniform(self, low: float = 0.0, high: float = 1.0, size: Any = None,
                dtype: Any = float) -> FakeCupyArray:
        return asarray(self._rng.uniform(low, high, size).astype(dtype))


def make() -> types.ModuleType:
    """A fresh fake `cupy` module."""
    cp = _Namespace("cupy", np)
    cp.IS_FAKE = True
    cp.ndarray = FakeCupyArray
    cp.asarray = asarray
    cp.array = array
    cp.asnumpy = asnumpy
    cp.random = _Random()
    pool = _Pool()
    cp.get_default_memory_pool = lambda: pool
    cp.cuda = types.SimpleNamespace(
        Device=Device, runtime=_Runtime(), Event=_Event, set_allocator=lambda a: None,
        get_elapsed_time=lambda a, b: 0.0)
    return cp

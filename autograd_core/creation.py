"""Tensor creation: tensor, zeros, ones, full, arange, linspace, eye, rand, randn, randint..."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd_core import dtypes, random
from autograd_core.backend import Device, cpu_device, device, module_for_device
from autograd_core.tensor import Tensor, to_array_on


class _DefaultDevice:
    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value: Device = cpu_device


default_device = _DefaultDevice()


def set_default_device(dev: Any) -> None:
    """Where new tensors are created when no device is given ('cpu' or 'cuda')."""
    d = device(dev) if dev is not None else cpu_device
    if d.type == "cuda":
        module_for_device(d)  # fail now, clearly, if CUDA is unusable
    default_device.value = d


def get_default_device() -> Device:
    return default_device.value


def _dev(dev: Any) -> Device:
    return default_device.value if dev is None else device(dev)


def _xp(dev: Device) -> Any:
    return np if dev.type == "cpu" else module_for_device(dev)


def _finish(arr: Any, dev: Device, requires_grad: bool) -> Tensor:
    if dev.type != "cpu":
        xp = module_for_device(dev)
        with xp.cuda.Device(dev.index or 0):
            arr = xp.asarray(arr)
    t = Tensor._make(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _sizes(size: tuple) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"size must be a sequence of ints, got {type(s).__name__}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
    return tuple(int(s) for s in size)


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """A new tensor copying `data` (lists, scalars, numpy arrays, tensors).

    Example:
        >>> tensor([[1.0, 2.0]], requires_grad=True).shape
        torch.Size([1, 2])
    """
    dev = _dev(device) if device is not None or not isinstance(data, Tensor) else data.device
    arr = to_array_on(data, dtype, dev)
    if isinstance(data, (np.ndarray, Tensor)) or hasattr(data, "__cuda_array_interface__"):
        arr = arr.copy()
    t = Tensor._make(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Like tensor() but shares memory with a numpy array or tensor when it can."""
    if isinstance(data, Tensor):
        return data.to(device=device, dtype=dtype) if (device or dtype) else data
    dev = _dev(device)
    return Tensor._make(to_array_on(data, dtype, dev))


asarray = as_tensor


def from_numpy(array: np.ndarray) -> Tensor:
    """A CPU tensor sharing memory with a numpy array (its dtype kept)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    return Tensor._make(array)


def _filled(size: tuple, value: Any, dtype: Any, dev: Any, requires_grad: bool) -> Tensor:
    d = _dev(dev)
    dt = dtypes.to_dtype(dtype) if dtype is not None else dtypes.result_type(value)
    arr = _xp(d).full(_sizes(size), value, dtype=dt) if d.type == "cpu" else None
    if arr is None:
        xp = module_for_device(d)
        with xp.cuda.Device(d.index or 0):
            arr = xp.full(_sizes(size), value, dtype=dt)
    t = Tensor._make(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
          out: Any = None) -> Tensor:
    return _filled(size, 0, dtype or dtypes.default.value, device, requires_grad)


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
         out: Any = None) -> Tensor:
    return _filled(size, 1, dtype or dtypes.default.value, device, requires_grad)


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
          **_: Any) -> Tensor:
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def full(size: Any, fill_value: Any, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    return _filled(tuple(size) if not isinstance(size, int) else (size,), fill_value, dtype,
                   device, requires_grad)


def _like(input: Tensor, dtype: Any, device: Any) -> tuple[Any, Any]:
    return (dtype or input.dtype, device or input.device)


def zeros_like(input: Tensor, dtype: Any = None, device: Any = None,
               requires_grad: bool = False, **_: Any) -> Tensor:
    dt, dev = _like(input, dtype, device)
    return zeros(input.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def ones_like(input: Tensor, dtype: Any = None, device: Any = None,
              requires_grad: bool = False, **_: Any) -> Tensor:
    dt, dev = _like(input, dtype, device)
    return ones(input.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def empty_like(input: Tensor, dtype: Any = None, device: Any = None,
               requires_grad: bool = False, **_: Any) -> Tensor:
    return zeros_like(input, dtype=dtype, device=device, requires_grad=requires_grad)


def full_like(input: Tensor, fill_value: Any, dtype: Any = None, device: Any = None,
              requires_grad: bool = False, **_: Any) -> Tensor:
    dt, dev = _like(input, dtype, device)
    return full(input.shape, fill_value, dtype=dt, device=dev, requires_grad=requires_grad)


def rand_like(input: Tensor, dtype: Any = None, device: Any = None,
              requires_grad: bool = False, **_: Any) -> Tensor:
    dt, dev = _like(input, dtype, device)
    return rand(input.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def randn_like(input: Tensor, dtype: Any = None, device: Any = None,
               requires_grad: bool = False, **_: Any) -> Tensor:
    dt, dev = _like(input, dtype, device)
    return randn(input.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def arange(start: Any, end: Any = None, step: Any = 1, dtype: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Values from start (default 0) up to end, exclusive; int64 unless a bound is a float."""
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if vals[2] == 0:
        raise RuntimeError("step must be nonzero")
    if (vals[1] - vals[0]) * vals[2] < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    dt = dtypes.to_dtype(dtype) if dtype is not None else dtypes.result_type(*vals)
    n = max(0, math.ceil((vals[1] - vals[0]) / vals[2]))
    arr = (np.arange(n, dtype=np.float64) * vals[2] + vals[0]).astype(dt)
    return _finish(arr, _dev(device), requires_grad)


def linspace(start: Any, end: Any, steps: int, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    arr = np.linspace(float(start), float(end), int(steps)).astype(dtypes.to_dtype(dtype))
    return _finish(arr, _dev(device), requires_grad)


def logspace(start: Any, end: Any, steps: int, base: float = 10.0, dtype: Any = None,
             device: Any = None) -> Tensor:
    arr = np.logspace(float(start), float(end), int(steps), base=base)
    return _finish(arr.astype(dtypes.to_dtype(dtype)), _dev(device), False)


def eye(n: int, m: int | None = None, dtype: Any = None, device: Any = None,
        requires_grad: bool = False) -> Tensor:
    arr = np.eye(n, m, dtype=dtypes.to_dtype(dtype))
    return _finish(arr, _dev(device), requires_grad)


def rand(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
         generator: Any = None) -> Tensor:
    """Uniform samples in [0, 1)."""
    t = zeros(*size, dtype=dtype, device=device)
    t.uniform_(0.0, 1.0)
    return t.requires_grad_(requires_grad) if requires_grad else t


def randn(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
          generator: Any = None) -> Tensor:
    """Standard normal samples."""
    t = zeros(*size, dtype=dtype, device=device)
    t.normal_(0.0, 1.0)
    return t.requires_grad_(requires_grad) if requires_grad else t


def randint(low: int = 0, high: Any = None, size: Any = None, dtype: Any = None,
            device: Any = None, generator: Any = None) -> Tensor:
    """Integers uniform in [low, high); randint(high, size) also works."""
    if size is None:
        low, high, size = 0, low, high
    elif high is None or isinstance(high, (tuple, list)):
        low, high, size = 0, low, high if size is None else size
    if size is None:
        raise TypeError("randint() missing required argument 'size'")
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    arr = random.state.cpu.integers(low, high, size=_sizes((size,) if isinstance(size, int)
                                                           else tuple(size)))
    return _finish(arr.astype(dtypes.to_dtype(dtype or dtypes.int64)), _dev(device), False)


def randperm(n: int, dtype: Any = None, device: Any = None, generator: Any = None) -> Tensor:
    arr = random.state.cpu.permutation(int(n)).astype(dtypes.to_dtype(dtype or dtypes.int64))
    return _finish(arr, _dev(device), False)


def normal(mean: Any, std: Any, size: Any = None, generator: Any = None) -> Tensor:
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        ref = mean if isinstance(mean, Tensor) else std
        noise = randn_like(ref)
        return noise * std + mean
    return randn(*(size or ())) * std + mean


def multinomial(input: Tensor, num_samples: int, replacement: bool = False,
                generator: Any = None) -> Tensor:
    probs = np.asarray(input.detach().cpu().numpy(), dtype=np.float64)
    rows = probs.reshape(-1, probs.shape[-1])
    out = [random.state.cpu.choice(r.size, size=num_samples, replace=replacement, p=r / r.sum())
           for r in rows]
    arr = np.asarray(out, dtype=np.int64).reshape((*probs.shape[:-1], num_samples))
    return _finish(arr, input.device, False)



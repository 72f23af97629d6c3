"""Tensor creation: tensor, zeros, ones, full, arange, linspace, eye, rand, randn, randint...

Every factory takes PyTorch's positional and keyword forms (`zeros(2, 3)`, `zeros((2, 3))`,
`zeros(size=(2, 3))`), its keyword options (`out`, `dtype`, `layout`, `device`,
`requires_grad`, `pin_memory`, `memory_format`, `generator`) and its error messages; an
unknown keyword is a TypeError naming it. `pin_memory` is accepted and has no effect.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from autograd_core import dtypes, grad_mode, random
from autograd_core.backend import Device, cpu_device, device, module_for_device
from autograd_core.tensor import _SCALAR_NAMES, Tensor, to_array_on

_INT64_MAX = (1 << 63) - 1


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


# ------------------------------------------------------------------ argument parsing
def _type_name(value: Any) -> str:
    return type(value).__name__


def _as_dim(value: Any) -> int | None:
    """An int for a size entry (ints, numpy ints, one-element integer tensors), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, Tensor) and value.numel() == 1 and value._data.dtype.kind in "iu":
        return int(value.item())
    return None


def _bad_dim(fn: str, value: Any, pos: int, in_sequence: bool, single: bool) -> TypeError:
    name = _type_name(value)
    if in_sequence:
        return TypeError(f"{fn}(): argument 'size' (position 1) must be tuple of ints, but "
                         f"found element of type {name} at pos {pos}")
    if single:
        return TypeError(f"{fn}(): argument 'size' (position 1) must be tuple of ints, not "
                         f"{name}")
    return TypeError(f"{fn}(): argument 'size' failed to unpack the object at pos {pos + 1} "
                     f'with error "type must be tuple of ints,but got {name}"')


def _dims(fn: str, entries: tuple, in_sequence: bool) -> tuple[int, ...]:
    """Check each size entry like PyTorch: ints only, int64 range, non-negative."""
    out = []
    for pos, value in enumerate(entries):
        dim = _as_dim(value)
        if dim is None:
            raise _bad_dim(fn, value, pos, in_sequence, single=len(entries) == 1)
        if not -_INT64_MAX - 1 <= dim <= _INT64_MAX:
            raise TypeError(f"{fn}(): argument 'size' failed to unpack the object at pos "
                            f'{pos + 1} with error "Overflow when unpacking long long"')
        out.append(dim)
    for dim in out:
        if dim < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {dim}: {out}")
    return tuple(out)


def _size(fn: str, args: tuple, size_kw: dict) -> tuple[int, ...]:
    """The shape from `*size` positionals or a `size=` keyword (the only extra keyword)."""
    extra = [k for k in size_kw if k != "size"]
    if extra:
        raise TypeError(f"{fn}() got an unexpected keyword argument '{extra[0]}'")
    if "size" in size_kw:
        if args:
            raise TypeError(f"{fn}() got multiple values for argument 'size'")
        return _sequence_size(fn, size_kw["size"], keyword=True)
    if not args:
        raise TypeError(f'{fn}() missing 1 required positional arguments: "size"')
    if isinstance(args[0], (tuple, list)):  # torch.Size is a tuple
        if len(args) > 1:
            raise TypeError(f"{fn}() takes 1 positional argument but {len(args)} were given")
        return _dims(fn, tuple(args[0]), in_sequence=True)
    return _dims(fn, args, in_sequence=False)


def _sequence_size(fn: str, size: Any, keyword: bool = False, position: int = 1) -> tuple:
    """A size given as one argument (full's, randint's, size=): a tuple, list or Size."""
    if not isinstance(size, (tuple, list)):
        where = "" if keyword else f" (position {position})"
        raise TypeError(f"{fn}(): argument 'size'{where} must be tuple of ints, not "
                        f"{_type_name(size)}")
    return _dims(fn, tuple(size), in_sequence=True)


def _check_layout(fn: str, layout: Any, memory_format: Any = None) -> None:
    """Only dense tensors exist here: the default layout and formats pass, others are refused."""
    if layout is not None and layout is not dtypes.strided:
        raise TypeError(f"{fn}(): layout={layout!r} is not supported (only torch.strided)")
    if memory_format not in (None, dtypes.contiguous_format, dtypes.preserve_format):
        raise TypeError(f"{fn}(): memory_format={memory_format!r} is not supported (only "
                        "torch.contiguous_format and torch.preserve_format)")


def _np_dtype(dtype: Any, out: Any, fallback: Any) -> np.dtype:
    if dtype is not None:
        return dtypes.to_dtype(dtype)
    if isinstance(out, Tensor):
        return out._data.dtype
    return dtypes.to_dtype(fallback)


# ------------------------------------------------------------------ allocation
def _alloc_error(nbytes: int, dev: Device) -> RuntimeError:
    if dev.type == "cuda":
        return RuntimeError(f"CUDA out of memory. Tried to allocate {nbytes} bytes on {dev}.")
    return RuntimeError(
        "[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate "
        f"memory: you tried to allocate {nbytes} bytes. Error code 12 (Cannot allocate memory)"
    )


@contextlib.contextmanager
def _allocating(shape: tuple, dt: np.dtype, dev: Device) -> Iterator[None]:
    """Turn numpy's/CuPy's out-of-memory errors into PyTorch's, naming the bytes asked for."""
    nbytes = math.prod(shape) * dt.itemsize
    if nbytes > _INT64_MAX:
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(shape)}")
    ctx: Any = contextlib.nullcontext()
    if dev.type == "cuda":
        ctx = module_for_device(dev).cuda.Device(dev.index or 0)
    try:
        with ctx:
            yield
    except MemoryError:
        raise _alloc_error(nbytes, dev) from None
    except ValueError as e:  # numpy: "array is too big; ..." (beyond the address space)
        if "too big" not in str(e):
            raise
        raise _alloc_error(nbytes, dev) from None


def _new_array(shape: tuple, dt: np.dtype, dev: Device, make: Callable[[Any], Any]) -> Any:
    with _allocating(shape, dt, dev):
        return make(_xp(dev))


def _finish(fn: str, arr: Any, requires_grad: bool, out: Any = None,
            dtype_given: Any = None) -> Tensor:
    """Wrap the new array; honour requires_grad and `out=` as PyTorch does."""
    if out is not None:
        return _write_out(fn, out, arr, dtype_given)
    t = Tensor._make(arr)
    if requires_grad:
        if arr.dtype.kind not in "fc":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        t.requires_grad = True
    return t


def _write_out(fn: str, out: Any, arr: Any, dtype_given: Any) -> Tensor:
    """`out=`: the result goes into `out` (resized when its shape differs) and is returned."""
    if not isinstance(out, Tensor):
        raise TypeError(f"{fn}(): argument 'out' must be Tensor, not {_type_name(out)}")
    if out.requires_grad and grad_mode.is_grad_enabled():
        raise RuntimeError(f"aten::{fn}(): functions with out=... arguments don't support "
                           "automatic differentiation, but one of the arguments requires grad.")
    if dtype_given is not None and dtypes.to_dtype(dtype_given) != out._data.dtype:
        want, have = dtypes.to_dtype(dtype_given).name, out._data.dtype.name
        raise RuntimeError(f"dtype {_SCALAR_NAMES.get(want, want)} does not match dtype of out "
                           f"parameter ({_SCALAR_NAMES.get(have, have)})")
    data = to_array_on(Tensor._make(arr), out._data.dtype, out.device)
    if data.shape == out._data.shape:
        out._data[...] = data
    else:
        out._data = data  # PyTorch resizes `out` to the result's shape
    out._version[0] += 1
    return out


# ------------------------------------------------------------------ from data
def tensor(data: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False,
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
    return _finish("tensor", arr, requires_grad)


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


# ------------------------------------------------------------------ filled
def _filled(shape: tuple, value: Any, dt: np.dtype, dev: Device) -> Any:
    return _new_array(shape, dt, dev, lambda xp: xp.full(shape, value, dtype=dt))


def zeros(*size: Any, out: Any = None, dtype: Any = None, layout: Any = None, device: Any = None,
          requires_grad: bool = False, pin_memory: bool = False, memory_format: Any = None,
          **size_kw: Any) -> Tensor:
    """A tensor of zeros: `zeros(2, 3)`, `zeros((2, 3))` or `zeros(size=(2, 3))`."""
    shape = _size("zeros", size, size_kw)
    _check_layout("zeros", layout, memory_format)
    dt = _np_dtype(dtype, out, None)
    arr = _new_array(shape, dt, _dev(device), lambda xp: xp.zeros(shape, dtype=dt))
    return _finish("zeros", arr, requires_grad, out, dtype)


def ones(*size: Any, out: Any = None, dtype: Any = None, layout: Any = None, device: Any = None,
         requires_grad: bool = False, pin_memory: bool = False, memory_format: Any = None,
         **size_kw: Any) -> Tensor:
    """A tensor of ones (same forms as zeros)."""
    shape = _size("ones", size, size_kw)
    _check_layout("ones", layout, memory_format)
    dt = _np_dtype(dtype, out, None)
    arr = _filled(shape, 1, dt, _dev(device))
    return _finish("ones", arr, requires_grad, out, dtype)


def empty(*size: Any, out: Any = None, dtype: Any = None, layout: Any = None, device: Any = None,
          requires_grad: bool = False, pin_memory: bool = False, memory_format: Any = None,
          **size_kw: Any) -> Tensor:
    """An uninitialised tensor in PyTorch; zero-filled here, so runs are repeatable."""
    shape = _size("empty", size, size_kw)
    _check_layout("empty", layout, memory_format)
    dt = _np_dtype(dtype, out, None)
    arr = _new_array(shape, dt, _dev(device), lambda xp: xp.zeros(shape, dtype=dt))
    return _finish("empty", arr, requires_grad, out, dtype)


def full(size: Any, fill_value: Any, *, out: Any = None, dtype: Any = None, layout: Any = None,
         device: Any = None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """A tensor of `size` filled with `fill_value` (its dtype inferred from the value)."""
    shape = _sequence_size("full", size)
    _check_layout("full", layout)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    dt = _np_dtype(dtype, out, dtypes.result_type(fill_value))
    if dtype is None and out is None and dt.kind in "iu":
        _check_int64(fill_value)
    arr = _filled(shape, fill_value, dt, _dev(device))
    return _finish("full", arr, requires_grad, out, dtype)


def _check_int64(value: Any) -> None:
    if isinstance(value, int) and not -_INT64_MAX - 1 <= value <= _INT64_MAX:
        raise OverflowError("int too big to convert")


# ------------------------------------------------------------------ *_like
def _like(fn: str, input: Any, dtype: Any, device: Any, layout: Any,
          memory_format: Any) -> tuple[tuple, np.dtype, Device]:
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}(): argument 'input' (position 1) must be Tensor, not "
                        f"{_type_name(input)}")
    _check_layout(fn, layout, memory_format)
    dt = input._data.dtype if dtype is None else dtypes.to_dtype(dtype)
    return tuple(input.shape), dt, (input.device if device is None else _dev(device))


def zeros_like(input: Tensor, *, dtype: Any = None, layout: Any = None, device: Any = None,
               requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    shape, dt, dev = _like("zeros_like", input, dtype, device, layout, memory_format)
    arr = _new_array(shape, dt, dev, lambda xp: xp.zeros(shape, dtype=dt))
    return _finish("zeros_like", arr, requires_grad)


def ones_like(input: Tensor, *, dtype: Any = None, layout: Any = None, device: Any = None,
              requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    shape, dt, dev = _like("ones_like", input, dtype, device, layout, memory_format)
    return _finish("ones_like", _filled(shape, 1, dt, dev), requires_grad)


def empty_like(input: Tensor, *, dtype: Any = None, layout: Any = None, device: Any = None,
               requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    shape, dt, dev = _like("empty_like", input, dtype, device, layout, memory_format)
    arr = _new_array(shape, dt, dev, lambda xp: xp.zeros(shape, dtype=dt))
    return _finish("empty_like", arr, requires_grad)


def full_like(input: Tensor, fill_value: Any, *, dtype: Any = None, layout: Any = None,
              device: Any = None, requires_grad: bool = False,
              memory_format: Any = None) -> Tensor:
    shape, dt, dev = _like("full_like", input, dtype, device, layout, memory_format)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    return _finish("full_like", _filled(shape, fill_value, dt, dev), requires_grad)


def rand_like(input: Tensor, *, dtype: Any = None, layout: Any = None, device: Any = None,
              requires_grad: bool = False, memory_format: Any = None,
              generator: Any = None) -> Tensor:
    shape, dt, dev = _like("rand_like", input, dtype, device, layout, memory_format)
    return _finish("rand_like", _random(shape, dt, dev, generator, "uniform"), requires_grad)


def randn_like(input: Tensor, *, dtype: Any = None, layout: Any = None, device: Any = None,
               requires_grad: bool = False, memory_format: Any = None,
               generator: Any = None) -> Tensor:
    shape, dt, dev = _like("randn_like", input, dtype, device, layout, memory_format)
    return _finish("randn_like", _random(shape, dt, dev, generator, "normal"), requires_grad)


def randint_like(input: Tensor, low: Any = 0, high: Any = None, *, dtype: Any = None,
                 layout: Any = None, device: Any = None, requires_grad: bool = False,
                 memory_format: Any = None, generator: Any = None) -> Tensor:
    """Integers uniform in [low, high) shaped like `input`; randint_like(input, high) too."""
    if high is None:
        low, high = 0, low
    shape, dt, dev = _like("randint_like", input, dtype, device, layout, memory_format)
    arr = _integers(low, high, shape, dt, dev, generator)
    return _finish("randint_like", arr, requires_grad)


# ------------------------------------------------------------------ ranges
def _number(value: Any) -> Any:
    return value.item() if isinstance(value, Tensor) else value


def arange(start: Any = None, end: Any = None, step: Any = 1, *, out: Any = None,
           dtype: Any = None, layout: Any = None, device: Any = None,
           requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """Values from start (default 0) up to end, exclusive; int64 unless a bound is a float."""
    if start is None and end is None:
        raise TypeError("arange() missing required argument 'end' (pos 1)")
    if end is None:
        start, end = 0, start
    elif start is None:
        start = 0
    _check_layout("arange", layout)
    vals = [_number(v) for v in (start, end, step)]
    if vals[2] == 0:
        raise RuntimeError("step must be nonzero")
    if (vals[1] - vals[0]) * vals[2] < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    dt = dtypes.to_dtype(dtype) if dtype is not None else dtypes.result_type(*vals)
    n = max(0, math.ceil((vals[1] - vals[0]) / vals[2]))
    arr = _new_array((n,), dt, cpu_device,
                     lambda xp: (xp.arange(n, dtype=np.float64) * vals[2] + vals[0]).astype(dt))
    return _finish("arange", _to_device(arr, _dev(device)), requires_grad, out, dtype)


def _to_device(arr: Any, dev: Device) -> Any:
    if dev.type == "cpu":
        return arr
    with _allocating(arr.shape, arr.dtype, dev):
        return module_for_device(dev).asarray(arr)


def _steps(fn: str, steps: Any) -> int:
    n = _as_dim(steps)
    if n is None:
        raise TypeError(f"{fn}(): argument 'steps' (position 3) must be int, not "
                        f"{_type_name(steps)}")
    if n < 0:
        raise RuntimeError("number of steps must be non-negative")
    return n


def linspace(start: Any, end: Any, steps: int, *, out: Any = None, dtype: Any = None,
             layout: Any = None, device: Any = None, requires_grad: bool = False,
             pin_memory: bool = False) -> Tensor:
    """`steps` evenly spaced values from start to end, inclusive."""
    n = _steps("linspace", steps)
    _check_layout("linspace", layout)
    dt = _np_dtype(dtype, out, None)
    lo, hi = float(_number(start)), float(_number(end))
    arr = _new_array((n,), dt, cpu_device, lambda xp: xp.linspace(lo, hi, n).astype(dt))
    return _finish("linspace", _to_device(arr, _dev(device)), requires_grad, out, dtype)


def logspace(start: Any, end: Any, steps: int, base: float = 10.0, *, out: Any = None,
             dtype: Any = None, layout: Any = None, device: Any = None,
             requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """`steps` values from base**start to base**end, evenly spaced in the exponent."""
    n = _steps("logspace", steps)
    _check_layout("logspace", layout)
    dt = _np_dtype(dtype, out, None)
    lo, hi = float(_number(start)), float(_number(end))
    arr = _new_array((n,), dt, cpu_device,
                     lambda xp: xp.logspace(lo, hi, n, base=base).astype(dt))
    return _finish("logspace", _to_device(arr, _dev(device)), requires_grad, out, dtype)


def eye(n: int, m: int | None = None, *, out: Any = None, dtype: Any = None, layout: Any = None,
        device: Any = None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """An n x m matrix with ones on the diagonal (m defaults to n)."""
    rows = _dims_arg("eye", "n", n, 1)
    cols = rows if m is None else _dims_arg("eye", "m", m, 2)
    _check_layout("eye", layout)
    dt = _np_dtype(dtype, out, None)
    arr = _new_array((rows, cols), dt, _dev(device), lambda xp: xp.eye(rows, cols, dtype=dt))
    return _finish("eye", arr, requires_grad, out, dtype)


def _dims_arg(fn: str, name: str, value: Any, pos: int) -> int:
    dim = _as_dim(value)
    if dim is None:
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be int, not "
                        f"{_type_name(value)}")
    if dim < 0:
        raise RuntimeError(f"{name} must be greater or equal to 0, got {dim}")
    return dim


# ------------------------------------------------------------------ random
_KERNELS = {"uniform": "check_uniform_bounds", "normal": "normal_kernel_cpu"}


def _random(shape: tuple, dt: np.dtype, dev: Device, generator: Any, kind: str) -> Any:
    if dt.kind not in "fc":
        name = _SCALAR_NAMES.get(dt.name, dt.name)
        raise NotImplementedError(f'"{_KERNELS[kind]}" not implemented for \'{name}\'')
    like = _new_array(shape, dt, dev, lambda xp: xp.empty(shape, dtype=dt))
    with _allocating(shape, np.dtype(np.float64), dev):
        if kind == "uniform":
            values = random.uniform_array(like, 0.0, 1.0, generator)
        else:
            values = random.normal_array(like, 0.0, 1.0, generator)
    return values.astype(dt, copy=False)


def rand(*size: Any, generator: Any = None, out: Any = None, dtype: Any = None,
         layout: Any = None, device: Any = None, requires_grad: bool = False,
         pin_memory: bool = False, **size_kw: Any) -> Tensor:
    """Uniform samples in [0, 1) (same size forms as zeros)."""
    shape = _size("rand", size, size_kw)
    _check_layout("rand", layout)
    arr = _random(shape, _np_dtype(dtype, out, None), _dev(device), generator, "uniform")
    return _finish("rand", arr, requires_grad, out, dtype)


def randn(*size: Any, generator: Any = None, out: Any = None, dtype: Any = None,
          layout: Any = None, device: Any = None, requires_grad: bool = False,
          pin_memory: bool = False, **size_kw: Any) -> Tensor:
    """Standard normal samples (same size forms as zeros)."""
    shape = _size("randn", size, size_kw)
    _check_layout("randn", layout)
    arr = _random(shape, _np_dtype(dtype, out, None), _dev(device), generator, "normal")
    return _finish("randn", arr, requires_grad, out, dtype)


def _integers(low: Any, high: Any, shape: tuple, dt: np.dtype, dev: Device,
              generator: Any) -> Any:
    low, high = _number(low), _number(high)
    for bound in (low, high):
        if isinstance(bound, int) and not -_INT64_MAX - 1 <= bound <= _INT64_MAX + 1:
            raise ValueError("Overflow when unpacking long long")
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    rng = random.rng_of(generator)
    with _allocating(shape, np.dtype(np.int64), dev):
        values = rng.integers(int(low), int(high), size=shape).astype(dt)
    return _to_device(values, dev)


def randint(*args: Any, size: Any = None, low: Any = None, high: Any = None,
            generator: Any = None, out: Any = None, dtype: Any = None, layout: Any = None,
            device: Any = None, requires_grad: bool = False,
            pin_memory: bool = False) -> Tensor:
    """Integers uniform in [low, high): randint(high, size) or randint(low, high, size).

    Example:
        >>> randint(3, 10, (2,)).shape
        torch.Size([2])
    """
    low, high, size = _randint_args(args, low, high, size)
    shape = _sequence_size("randint", size, position=len(args))
    _check_layout("randint", layout)
    dt = _np_dtype(dtype, out, dtypes.int64)
    arr = _integers(low, high, shape, dt, _dev(device), generator)
    return _finish("randint", arr, requires_grad, out, dtype)


def _randint_args(args: tuple, low: Any, high: Any, size: Any) -> tuple[Any, Any, Any]:
    """PyTorch's overloads: (high, size), (low, high, size), any of them by keyword."""
    pos = list(args)
    if size is None and pos:
        size = pos.pop()
    if len(pos) > 2:
        raise TypeError(f"randint() takes at most 3 positional arguments ({len(args)} given)")
    if len(pos) == 2:
        low, high = pos
    elif len(pos) == 1:
        low, high = (pos[0], high) if high is not None else (low, pos[0])
    if size is None or high is None:
        missing = [n for n, v in (("high", high), ("size", size)) if v is None]
        raise TypeError(f"randint() missing {len(missing)} required positional argument: "
                        + ", ".join(f'"{n}"' for n in missing))
    return (0 if low is None else low), high, size


def randperm(n: int, *, generator: Any = None, out: Any = None, dtype: Any = None,
             layout: Any = None, device: Any = None, requires_grad: bool = False,
             pin_memory: bool = False) -> Tensor:
    """A random permutation of 0 .. n-1."""
    count = _dims("randperm", (n,), in_sequence=False)[0]
    _check_layout("randperm", layout)
    dt = _np_dtype(dtype, out, dtypes.int64)
    with _allocating((count,), np.dtype(np.int64), cpu_device):
        arr = random.rng_of(generator).permutation(count).astype(dt)
    return _finish("randperm", _to_device(arr, _dev(device)), requires_grad, out, dtype)


def normal(mean: Any, std: Any = 1.0, size: Any = None, *, generator: Any = None,
           out: Any = None, dtype: Any = None, layout: Any = None, device: Any = None,
           requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """Normal samples: elementwise for tensor mean/std, else of `size`."""
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        ref = mean if isinstance(mean, Tensor) else std
        noise = randn_like(ref, generator=generator)
        return noise * std + mean
    shape = _sequence_size("normal", () if size is None else size, position=3)
    return randn(shape, generator=generator, out=out, dtype=dtype, layout=layout,
                 device=device, requires_grad=False) * std + mean


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator: Any = None, out: Any = None) -> Tensor:
    """Indices drawn from the rows of `input`, read as (unnormalised) probabilities."""
    probs = np.asarray(input.detach().cpu().numpy(), dtype=np.float64)
    rows = probs.reshape(-1, probs.shape[-1])
    rng = random.rng_of(generator)
    picked = [rng.choice(r.size, size=num_samples, replace=replacement, p=r / r.sum())
              for r in rows]
    arr = np.asarray(picked, dtype=np.int64).reshape((*probs.shape[:-1], num_samples))
    return _finish("multinomial", _to_device(arr, input.device), False, out)

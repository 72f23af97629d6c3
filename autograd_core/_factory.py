"""Shared by the creation functions: PyTorch's size and option parsing, allocation, out=.

Parsing follows PyTorch's argument rules and error texts; allocation goes through
`_alloc.allocating` (PyTorch's out-of-memory errors, naming the bytes asked for).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd_core import dtypes, grad_mode
from autograd_core._alloc import INT64_MAX as _INT64_MAX  # also read by random_creation
from autograd_core._alloc import allocating as _allocating
from autograd_core.backend import Device, cpu_device, device, module_for_device
from autograd_core.tensor import _SCALAR_NAMES, Tensor, _host, bump_version


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


# ------------------------------------------------------------------ arguments
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
    data = _to_device(_host(arr) if out.device.type == "cpu" else arr, out.device)
    data = data.astype(out._data.dtype, copy=False)
    if data.shape == out._data.shape:
        out._data[...] = data
    else:
        out._data = data  # PyTorch resizes `out` to the result's shape
    bump_version(out)
    return out


def _like(fn: str, input: Any, dtype: Any, device: Any, layout: Any,
          memory_format: Any) -> tuple[tuple, np.dtype, Device]:
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}(): argument 'input' (position 1) must be Tensor, not "
                        f"{_type_name(input)}")
    _check_layout(fn, layout, memory_format)
    dt = input._data.dtype if dtype is None else dtypes.to_dtype(dtype)
    return tuple(input.shape), dt, (input.device if device is None else _dev(device))


def _number(value: Any) -> Any:
    return value.item() if isinstance(value, Tensor) else value


def _to_device(arr: Any, dev: Device) -> Any:
    if dev.type == "cpu":
        return arr
    with _allocating(arr.shape, arr.dtype, dev):
        return module_for_device(dev).asarray(arr)


def _check_int64(value: Any) -> None:
    if isinstance(value, int) and not -_INT64_MAX - 1 <= value <= _INT64_MAX:
        raise OverflowError("int too big to convert")

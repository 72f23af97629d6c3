"""Random tensor factories: rand, randn, randint, randperm, normal, multinomial, *_like.

Same argument forms and errors as the other creation functions; each takes `generator=`
(an `autograd_core.Generator`) and otherwise draws from the global generator.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core import dtypes, random
from autograd_core._factory import (
    _INT64_MAX,
    _allocating,
    _check_layout,
    _dev,
    _dims,
    _finish,
    _like,
    _new_array,
    _np_dtype,
    _number,
    _sequence_size,
    _size,
    _to_device,
)
from autograd_core.backend import Device, cpu_device
from autograd_core.tensor import _SCALAR_NAMES, Tensor


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
    values = values.astype(dt, copy=False)
    # numpy draws a scalar, not a 0-d array, for shape (): a tensor holds an array (a scalar
    # would read as another device in mixed ops such as `randn(()) * tensor(2.)`)
    return np.asarray(values) if isinstance(values, np.generic) else values


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
    """Indices drawn from the rows of `input`, read as (unnormalised) probabilities.

    Without replacement, once the non-zero categories are used up the zero-probability ones
    follow (in random order), as in PyTorch.
    """
    probs = _multinomial_probs(input, num_samples, replacement)
    rows = probs.reshape(-1, probs.shape[-1])
    rng = random.rng_of(generator)
    picked = [_draw(rng, r, num_samples, replacement) for r in rows]
    arr = np.asarray(picked, dtype=np.int64).reshape((*probs.shape[:-1], num_samples))
    return _finish("multinomial", _to_device(arr, input.device), False, out)


def _multinomial_probs(input: Tensor, num_samples: int, replacement: bool) -> np.ndarray:
    """The probabilities as float64 rows, after PyTorch's checks (its messages)."""
    if input.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if not input.dtype.is_floating_point:
        raise RuntimeError("multinomial only supports floating-point dtypes for input, got: "
                           f"{_SCALAR_NAMES.get(input.dtype.name, input.dtype.name)}")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > input.shape[-1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    probs = np.asarray(input.detach().cpu().numpy(), dtype=np.float64)
    if not np.isfinite(probs).all() or (probs < 0).any():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if (probs.sum(axis=-1) <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    return probs


def _draw(rng: Any, row: np.ndarray, n: int, replacement: bool) -> np.ndarray:
    if replacement:
        return rng.choice(row.size, size=n, replace=True, p=row / row.sum())
    nonzero = np.flatnonzero(row)
    first = rng.choice(nonzero, size=min(n, nonzero.size), replace=False,
                       p=row[nonzero] / row[nonzero].sum())
    if n <= nonzero.size:
        return first
    zeros = rng.permutation(np.flatnonzero(row == 0))[: n - nonzero.size]
    return np.concatenate([first, zeros])

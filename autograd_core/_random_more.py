"""More random sampling: torch.bernoulli / torch.poisson, and the in-place samplers
Tensor.exponential_, cauchy_, geometric_, log_normal_, random_ (all drawn from the seeded
generators of `random`, transformed from uniform or normal samples).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd_core import random
from autograd_core.backend import get_array_module
from autograd_core.tensor import Tensor

__all__ = ["bernoulli", "bind", "poisson"]


def _float_like(t: Tensor) -> Any:
    """A float array of t's shape to draw into (t's dtype when floating)."""
    d = t._data
    return d if d.dtype.kind == "f" else d.astype(np.float64)


def bernoulli(input: Tensor, p: Any = None, *, generator: Any = None, out: Any = None) -> Tensor:
    """1 with probability input (or p) per element, else 0, in input's dtype."""
    probs = input._data if p is None else get_array_module(input._data).full(
        input._data.shape, p, dtype=np.float64)
    if probs.size and (float(probs.min()) < 0 or float(probs.max()) > 1):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  "
                           "(Could this error message be improved?  If so, please report an "
                           "enhancement request to PyTorch.)")
    u = random.uniform_array(_float_like(input), 0.0, 1.0, generator)
    return Tensor._make((u < probs).astype(input._data.dtype))


def poisson(input: Tensor, generator: Any = None) -> Tensor:
    """Poisson samples with the rates in input (same dtype)."""
    rng = random.rng_of(generator)
    rates = input._data
    xp = get_array_module(rates)
    host = rates.get() if hasattr(rates, "get") else rates
    values = rng.poisson(np.asarray(host, dtype=np.float64)).astype(rates.dtype)
    return Tensor._make(xp.asarray(values))


def _uniform(self: Tensor, generator: Any) -> Any:
    return random.uniform_array(_float_like(self), 0.0, 1.0, generator)


def exponential_(self: Tensor, lambd: float = 1.0, *, generator: Any = None) -> Tensor:
    u = _uniform(self, generator)
    return self._fill_random(-get_array_module(u).log1p(-u) / lambd)


def cauchy_(self: Tensor, median: float = 0.0, sigma: float = 1.0, *,
            generator: Any = None) -> Tensor:
    u = _uniform(self, generator)
    return self._fill_random(median + sigma * get_array_module(u).tan(math.pi * (u - 0.5)))


def geometric_(self: Tensor, p: float, *, generator: Any = None) -> Tensor:
    u = _uniform(self, generator)
    xp = get_array_module(u)
    return self._fill_random(xp.ceil(xp.log1p(-u) / math.log1p(-p)))


def log_normal_(self: Tensor, mean: float = 1.0, std: float = 2.0, *,
                generator: Any = None) -> Tensor:
    z = random.normal_array(_float_like(self), mean, std, generator)
    return self._fill_random(get_array_module(z).exp(z))


def random_(self: Tensor, from_: int = 0, to: int | None = None, *,
            generator: Any = None, **kw: Any) -> Tensor:
    """Integers uniform in [from, to) (to: 2^mantissa for floats, the dtype's max + 1 for
    integers, when not given); `random_(to)` alone means [0, to)."""
    if "from" in kw:
        from_ = kw.pop("from")
    if kw:
        raise TypeError(f"random_() got an unexpected keyword argument '{next(iter(kw))}'")
    dt = self._data.dtype
    if to is None and from_ != 0 and "from" not in kw:
        from_, to = 0, from_  # random_(to)
    if to is None:
        to = 2 ** (np.finfo(dt).nmant + 1) if dt.kind == "f" else (
            2 if dt.kind == "b" else int(np.iinfo(dt).max) + 1)
    if from_ >= to:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={from_} "
                           f">= to={to}")
    u = _uniform(self, generator).astype(np.float64)
    xp = get_array_module(u)
    return self._fill_random(xp.floor(u * (to - from_)) + from_)


def bind(tensor_cls: type) -> None:
    for fn in (exponential_, cauchy_, geometric_, log_normal_, random_):
        setattr(tensor_cls, fn.__name__, fn)
    tensor_cls.bernoulli = lambda self, p=None, *, generator=None: bernoulli(
        self, p, generator=generator)

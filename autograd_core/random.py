"""The global random generator (`manual_seed`) behind rand/randn/randint and in-place init."""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np

from autograd_core.backend import cupy_or_none, get_array_module


class _Generators:
    __slots__ = ("cpu", "cuda_seed")

    def __init__(self) -> None:
        self.cpu = np.random.default_rng()
        self.cuda_seed: int | None = None


state = _Generators()


def manual_seed(seed: int) -> Any:
    """Seed the CPU generator (and CuPy's, when it is installed)."""
    state.cpu = np.random.default_rng(int(seed))
    state.cuda_seed = int(seed)
    cp = cupy_or_none()
    if cp is not None:
        with contextlib.suppress(Exception):  # no usable GPU: the CPU generator is all we have
            cp.random.seed(int(seed))
    return state.cpu


seed = manual_seed


def initial_seed() -> int:
    return state.cuda_seed if state.cuda_seed is not None else 0


def _rng_for(like: Any) -> Any:
    return state.cpu if get_array_module(like) is np else get_array_module(like).random


def normal_array(like: Any, mean: float, std: float) -> Any:
    """Normal samples with the shape and dtype of `like`, on its device."""
    rng = _rng_for(like)
    if rng is state.cpu:
        return rng.standard_normal(like.shape, dtype=_sample_dtype(like)) * std + mean
    return rng.standard_normal(like.shape, dtype=_sample_dtype(like)) * std + mean


def uniform_array(like: Any, low: float, high: float) -> Any:
    rng = _rng_for(like)
    if rng is state.cpu:
        return rng.random(like.shape, dtype=_sample_dtype(like)) * (high - low) + low
    # random_sample draws float32 directly on the GPU (uniform() would draw float64)
    return rng.random_sample(like.shape, dtype=_sample_dtype(like)) * (high - low) + low


def _sample_dtype(like: Any) -> Any:
    return like.dtype if like.dtype in (np.float32, np.float64) else np.float64

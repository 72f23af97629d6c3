"""Random numbers: the global generator (`manual_seed`) and seedable `Generator` objects.

rand/randn/randint/randperm, in-place init and the data samplers draw from the global CPU
generator unless a `Generator` is passed, as in PyTorch (the streams differ from PyTorch's:
numpy's PCG64 sits underneath, so only seeding semantics match, not the values drawn).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from autograd_core.backend import cupy_or_none, device, get_array_module

_SEED_RANGE = 1 << 64


def _checked_seed(seed: Any) -> int:
    """PyTorch's seed rules: any int in [-2**63, 2**64); negatives wrap to unsigned 64-bit."""
    value = int(seed)
    if not -(1 << 63) <= value < _SEED_RANGE:
        raise ValueError("Overflow when unpacking long long")
    return value % _SEED_RANGE


def _fresh_seed() -> int:
    """A non-deterministic 64-bit seed (what torch.seed() and a new Generator start from)."""
    return int(np.random.SeedSequence().generate_state(1, np.uint64)[0])


class Generator:
    """A seedable source of random numbers, passed as `generator=` (torch.Generator).

    Example:
        >>> g = Generator().manual_seed(42)
        >>> g.initial_seed()
        42
    """

    __slots__ = ("_rng", "_seed", "device")

    def __init__(self, device: Any = "cpu") -> None:
        self.device = _device(device)
        self._seed = 67280421310721  # PyTorch's default initial seed for a new Generator
        self._set_rng(np.random.default_rng(self._seed))

    def manual_seed(self, seed: int) -> Generator:
        """Reseed; returns the generator itself (so `Generator().manual_seed(0)` chains)."""
        self._seed = _checked_seed(seed)
        self._set_rng(np.random.default_rng(self._seed))
        return self

    def seed(self) -> int:
        """Reseed from a non-deterministic source and return the seed used."""
        self.manual_seed(_fresh_seed())
        return self._seed

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> Any:
        """The generator's state (restorable with set_state)."""
        return {"seed": self._seed, "bit_generator": self.rng.bit_generator.state}

    def set_state(self, new_state: Any) -> Generator:
        if not isinstance(new_state, dict) or "bit_generator" not in new_state:
            raise TypeError("set_state expects a state returned by Generator.get_state()")
        rng = np.random.default_rng()
        rng.bit_generator.state = new_state["bit_generator"]
        self._seed = int(new_state["seed"])
        self._set_rng(rng)
        return self

    @property
    def rng(self) -> np.random.Generator:
        """The numpy generator underneath (our samplers and creation functions draw from it)."""
        return self._rng

    def _set_rng(self, rng: np.random.Generator) -> None:
        self._rng = rng

    def __repr__(self) -> str:
        return f"<autograd_core.Generator object (device={self.device}, seed={self._seed})>"


def _device(dev: Any) -> Any:
    return device(dev) if dev is not None else device("cpu")


class _Generators:
    __slots__ = ("cpu", "cuda_seed")

    def __init__(self) -> None:
        self.cpu = np.random.default_rng()
        self.cuda_seed: int | None = None


state = _Generators()


class _DefaultGenerator(Generator):
    """The global generator: its numpy generator is `state.cpu`, which the engine draws from."""

    __slots__ = ()

    @property
    def rng(self) -> np.random.Generator:
        return state.cpu

    def _set_rng(self, rng: np.random.Generator) -> None:
        state.cpu = rng


default_generator = _DefaultGenerator()
default_generator.seed()  # like PyTorch's process start: a fresh, non-deterministic seed


def manual_seed(seed: int) -> Generator:
    """Seed the global CPU generator (and CuPy's, when it is installed); returns it.

    Accepts PyTorch's range, [-2**63, 2**64): a negative seed wraps to 2**64 + seed.
    """
    default_generator.manual_seed(seed)
    state.cuda_seed = default_generator.initial_seed()
    _seed_cupy(state.cuda_seed)
    return default_generator


def seed() -> int:
    """Seed the global generator non-deterministically and return the seed (torch.seed())."""
    return manual_seed(_fresh_seed()).initial_seed()


def initial_seed() -> int:
    """The seed the global generator was last seeded with."""
    return default_generator.initial_seed()


def get_rng_state() -> Any:
    return default_generator.get_state()


def set_rng_state(new_state: Any) -> None:
    default_generator.set_state(new_state)


# PyTorch's device types, in its order (its message for a string that names none).
_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
                 "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                 "privateuseone")


@contextlib.contextmanager
def fork_rng(devices: Any = None, enabled: bool = True, _caller: str = "fork_rng",
             _devices_kw: str = "devices", device_type: str | None = None) -> Iterator[None]:
    """Draws inside the block leave the global generator where it was (torch.random.fork_rng).

    The CPU generator's state is saved and restored. On a GPU, each of `devices` (default: all)
    draws inside from a generator of its own, seeded from the global seed, and gets its own
    generator back afterwards (CuPy's states cannot be copied, so the block's GPU draws are
    not the ones the device would have made next). `enabled=False` forks nothing; any other
    `device_type` PyTorch knows has no generator here, so the CPU one is all there is to fork.

    Example:
        with fork_rng():
            noise = randn(3)     # the draws after the block are those without it
    """
    if device_type is not None and device_type not in _DEVICE_TYPES:
        raise RuntimeError(f"Expected one of {', '.join(_DEVICE_TYPES)} device type at start of "
                           f"device string: {device_type}")
    if device_type == "meta" or not enabled:
        yield
        return
    cpu_state = get_rng_state()
    gpu_states = _fork_cupy(devices)
    try:
        yield
    finally:
        set_rng_state(cpu_state)
        _restore_cupy(gpu_states)


def _fork_cupy(devices: Any) -> list[tuple[int, Any]]:
    """Give each device a generator of its own for the block; return the ones to restore."""
    cp = cupy_or_none()
    if cp is None:
        return []
    try:
        indices = list(range(cp.cuda.runtime.getDeviceCount())) if devices is None else [
            device(d).index or 0 if not isinstance(d, int) else d for d in devices]
    except Exception:  # CuPy without a usable GPU: only the CPU generator is in use
        return []
    saved = []
    for i in indices:
        with cp.cuda.Device(i):
            saved.append((i, cp.random.get_random_state()))
            # Seeded without drawing from the CPU generator, whose draws in the block stay
            # those without the fork.
            seed = (default_generator.initial_seed() + 1 + i) % (1 << 63)
            cp.random.set_random_state(cp.random.RandomState(seed))
    return saved


def _restore_cupy(saved: list[tuple[int, Any]]) -> None:
    if saved:
        cp = cupy_or_none()
        for i, generator in saved:
            with cp.cuda.Device(i):
                cp.random.set_random_state(generator)


def _seed_cupy(value: int) -> None:
    cp = cupy_or_none()
    if cp is not None:
        with contextlib.suppress(Exception):  # no usable GPU: the CPU generator is all we have
            cp.random.seed(value % (1 << 63))  # CuPy's seed must fit a signed 64-bit int


def rng_of(generator: Generator | None) -> np.random.Generator:
    """The numpy generator to draw from: `generator`'s, or the global one."""
    if generator is None:
        return state.cpu
    if not isinstance(generator, Generator):
        raise TypeError(
            f"generator must be an autograd_core.Generator, not {type(generator).__name__}"
        )
    return generator.rng


def _rng_for(like: Any, generator: Generator | None) -> Any:
    if generator is not None or get_array_module(like) is np:
        return rng_of(generator)
    return get_array_module(like).random


def normal_array(like: Any, mean: float, std: float, generator: Generator | None = None) -> Any:
    """Normal samples with the shape and dtype of `like` (from `generator` if given)."""
    rng = _rng_for(like, generator)
    values = rng.standard_normal(like.shape, dtype=_sample_dtype(like)) * std + mean
    return _on_device_of(like, values)


def uniform_array(like: Any, low: float, high: float, generator: Generator | None = None) -> Any:
    rng = _rng_for(like, generator)
    if isinstance(rng, np.random.Generator):
        values = rng.random(like.shape, dtype=_sample_dtype(like)) * (high - low) + low
        return _on_device_of(like, values)
    # random_sample draws float32 directly on the GPU (uniform() would draw float64)
    return rng.random_sample(like.shape, dtype=_sample_dtype(like)) * (high - low) + low


def _on_device_of(like: Any, values: Any) -> Any:
    # A CPU Generator drawing for a GPU tensor: copy the samples over (PyTorch would refuse;
    # copying keeps seeded scripts running on either device).
    xp = get_array_module(like)
    return values if xp is get_array_module(values) else xp.asarray(values)


def _sample_dtype(like: Any) -> Any:
    return like.dtype if like.dtype in (np.float32, np.float64) else np.float64

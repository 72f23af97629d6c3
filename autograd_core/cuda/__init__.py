"""`autograd_core.cuda`: PyTorch's `torch.cuda` helpers, backed by CuPy.

    import autograd_core as ag
    if ag.cuda.is_available():
        x = ag.randn(64, 784, device="cuda")
        ag.cuda.synchronize()
        print(ag.cuda.max_memory_allocated())

Memory figures come from CuPy's memory pool (bytes held by live arrays, and their peak);
`empty_cache()` returns the pool's unused blocks to the driver. Matrix products run in full
float32 (no TF32), as PyTorch with `torch.backends.cuda.matmul.allow_tf32 = False`.
"""

from __future__ import annotations

from typing import Any

from autograd_core import backend
from autograd_core.backend import Device, device

__all__ = [
    "Event",
    "amp",
    "current_device",
    "device_count",
    "empty_cache",
    "get_device_name",
    "is_available",
    "is_bf16_supported",
    "manual_seed",
    "manual_seed_all",
    "max_memory_allocated",
    "memory_allocated",
    "memory_reserved",
    "reset_peak_memory_stats",
    "set_device",
    "set_index_checks",
    "synchronize",
]


def is_available() -> bool:
    """True when CuPy imports and sees at least one CUDA GPU (never raises)."""
    return backend.cuda_unavailable_reason() == ""


def device_count() -> int:
    """The number of CUDA GPUs CuPy sees; 0 without CuPy or a driver."""
    if not is_available():
        return 0
    return int(backend.cupy_or_none().cuda.runtime.getDeviceCount())


def _cupy() -> Any:
    """CuPy, or the clear 'what is missing' error when CUDA is unusable."""
    return backend.module_for_device(Device("cuda", 0))


def _index(dev: Any) -> int:
    """A device index from None (the current device), an int, 'cuda:1' or a Device."""
    if dev is None:
        return int(_cupy().cuda.runtime.getDevice())
    d = device(dev)
    if d.type != "cuda":
        raise ValueError(f"Expected a cuda device, but got: {d}")
    return d.index or 0


def current_device() -> int:
    return _index(None)


def set_device(dev: Any) -> None:
    """Make `dev` the current CUDA device (where `device='cuda'` allocates)."""
    backend.module_for_device(Device("cuda", _index(dev)))
    _cupy().cuda.runtime.setDevice(_index(dev))


def get_device_name(dev: Any = None) -> str:
    props = _cupy().cuda.runtime.getDeviceProperties(_index(dev))
    name = props["name"]
    return name.decode() if isinstance(name, bytes) else str(name)


def synchronize(dev: Any = None) -> None:
    """Wait until every kernel queued on the device has finished."""
    cp = _cupy()
    with cp.cuda.Device(_index(dev)):
        cp.cuda.runtime.deviceSynchronize()


def manual_seed(seed: int) -> None:
    """Seed CuPy's generator on the current device (what rand/randn on 'cuda' draw from).

    Without a usable GPU it only records the seed and returns, as PyTorch's does on a
    machine without CUDA (scripts call it unconditionally).
    """
    from autograd_core import random  # random imports backend

    random.state.cuda_seed = int(seed)
    if is_available():
        _cupy().random.seed(int(seed))


def manual_seed_all(seed: int) -> None:
    """Seed CuPy's generator on every device (nothing to do without a GPU, as in PyTorch)."""
    if not is_available():
        return
    cp = _cupy()
    for i in range(device_count()):
        with cp.cuda.Device(i):
            cp.random.seed(int(seed))


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """False: the engine has no bfloat16 arithmetic (`bfloat16` tensors compute in float32)."""
    return False


def _pool_bytes(dev: Any, what: str) -> int:
    cp = _cupy()
    with cp.cuda.Device(_index(dev)):
        return int(getattr(cp.get_default_memory_pool(), what)())


def memory_allocated(dev: Any = None) -> int:
    """Bytes held by live arrays on the device (CuPy's pool `used_bytes`)."""
    return _pool_bytes(dev, "used_bytes")


def memory_reserved(dev: Any = None) -> int:
    """Bytes the pool holds from the driver, in use or cached (`total_bytes`)."""
    return _pool_bytes(dev, "total_bytes")


def max_memory_allocated(dev: Any = None) -> int:
    """The peak of memory_allocated() since start or the last reset_peak_memory_stats()."""
    now = memory_allocated(dev)
    tracker = backend.peak_tracker()
    if tracker is None:
        return now
    return max(now, tracker.peaks.get(_index(dev), 0))


def reset_peak_memory_stats(dev: Any = None) -> None:
    tracker = backend.peak_tracker()
    if tracker is not None:
        tracker.reset(_index(dev), memory_allocated(dev))


def empty_cache() -> None:
    """Give the pool's unused cached blocks back to the driver (live arrays stay)."""
    cp = backend.cupy_or_none()
    if cp is not None and is_available():
        cp.get_default_memory_pool().free_all_blocks()


def set_index_checks(enabled: bool) -> None:
    """Check index values (targets, embeddings, gathers) on the GPU too.

    Off by default: each check copies a value to the host, a sync per op that stalls the
    GPU pipeline. Turn it on to get the CPU's IndexError instead of a silently wrapped index.
    """
    backend.flags.cuda_index_checks = bool(enabled)


class Event:
    """A CUDA event, as `torch.cuda.Event`: record() on the stream, elapsed_time() in ms."""

    def __init__(self, enable_timing: bool = False, blocking: bool = False) -> None:
        cp = _cupy()
        self._event = cp.cuda.Event(block=blocking, disable_timing=not enable_timing)

    def record(self, stream: Any = None) -> None:
        self._event.record(stream)

    def synchronize(self) -> None:
        self._event.synchronize()

    def query(self) -> bool:
        return bool(self._event.done)

    def elapsed_time(self, end: Event) -> float:
        """Milliseconds from this event to `end` (both recorded and complete)."""
        return float(_cupy().cuda.get_elapsed_time(self._event, end._event))


def __getattr__(name: str) -> Any:
    # `torch.cuda.amp` loads on first use; the legacy types (`torch.cuda.FloatTensor`) are
    # names that build CUDA tensors, or say that CUDA is missing, when called.
    if name == "amp":
        import importlib

        return importlib.import_module("autograd_core.cuda.amp")
    from autograd_core._legacy_types import CUDA_TYPES

    if name in CUDA_TYPES:
        return CUDA_TYPES[name]
    raise AttributeError(f"module 'autograd_core.cuda' has no attribute '{name}'")

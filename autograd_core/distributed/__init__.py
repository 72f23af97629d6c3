"""`torch.distributed` on a single process: not available, never initialised.

Scripts that guard with `dist.is_available() and dist.is_initialized()` run single-process;
calls that need a process group raise PyTorch's own ValueError.
"""

from __future__ import annotations

from typing import Any

__all__ = ["barrier", "destroy_process_group", "get_rank", "get_world_size",
           "init_process_group", "is_available", "is_initialized"]

_NO_GROUP = ("Default process group has not been initialized, please make sure to call "
             "init_process_group.")


def is_available() -> bool:
    """False: the engine has no distributed backend (no gloo, no NCCL)."""
    return False


def is_initialized() -> bool:
    return False


def init_process_group(*args: Any, **kwargs: Any) -> None:
    raise RuntimeError("torch.distributed.init_process_group: autograd_core has no "
                       "distributed backend; run the script as a single process")


def get_rank(group: Any = None) -> int:
    raise ValueError(_NO_GROUP)


def get_world_size(group: Any = None) -> int:
    raise ValueError(_NO_GROUP)


def barrier(*args: Any, **kwargs: Any) -> None:
    raise ValueError(_NO_GROUP)


def destroy_process_group(group: Any = None) -> None:
    raise ValueError(_NO_GROUP)

"""`torch.nn.parallel`: `DataParallel` as PyTorch runs it without GPUs (it forwards to the
module), and `DistributedDataParallel`, which needs a process group and so raises when built.
"""

from __future__ import annotations

from typing import Any

from autograd_core.nn.module import Module

__all__ = ["DataParallel", "DistributedDataParallel"]


class DataParallel(Module):
    """Wraps `module` (as `self.module`, so state_dict keys start with "module.").

    With no GPUs, as PyTorch does on the CPU, forward calls the module itself; with CUDA
    the engine still runs it on one device (no replication across GPUs).

    Example:
        model = DataParallel(Net())
        out = model(x)                       # Net()(x)
    """

    def __init__(self, module: Module, device_ids: Any = None, output_device: Any = None,
                 dim: int = 0) -> None:
        super().__init__()
        self.module = module
        self.device_ids: list[Any] = [] if device_ids is None else list(device_ids)
        self.output_device = output_device
        self.dim = dim

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        return self.module(*inputs, **kwargs)


class DistributedDataParallel(Module):
    """Needs an initialised process group, which never exists here: raises PyTorch's error."""

    def __init__(self, module: Module, *args: Any, **kwargs: Any) -> None:
        from autograd_core.distributed import _NO_GROUP

        raise ValueError(_NO_GROUP)

"""`nn.utils.skip_init` and the memory-format converters (no-ops here: arrays have no
channels-last layout to convert to)."""

from __future__ import annotations

import inspect
from typing import Any

from autograd_core.nn.module import Module

__all__ = ["convert_conv2d_weight_memory_format", "convert_conv3d_weight_memory_format",
           "skip_init"]


def skip_init(module_cls: type, *args: Any, **kwargs: Any) -> Module:
    """Build `module_cls(*args, **kwargs)`; its parameters are to be overwritten (PyTorch
    leaves them uninitialised; here they hold the usual initial values)."""
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    return module_cls(*args, **kwargs)


def convert_conv2d_weight_memory_format(module: Module, memory_format: Any) -> Module:
    """Returns `module` unchanged: there is no channels-last layout to convert to."""
    return module


def convert_conv3d_weight_memory_format(module: Module, memory_format: Any) -> Module:
    """Returns `module` unchanged: there is no channels-last layout to convert to."""
    return module

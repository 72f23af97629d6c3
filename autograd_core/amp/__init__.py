"""`torch.amp`: automatic mixed precision's API, on an engine that keeps every dtype.

`autocast` is a context manager and decorator that changes no dtype (ops run in their
inputs' dtypes, float32 stays float32); `GradScaler` scales losses and unscales gradients
exactly as PyTorch's does on the device it is made for, or passes through when disabled.
"""

from autograd_core.amp.autocast_mode import (
    autocast,
    custom_bwd,
    custom_fwd,
    is_autocast_available,
)
from autograd_core.amp.grad_scaler import GradScaler

__all__ = ["GradScaler", "autocast", "custom_bwd", "custom_fwd", "is_autocast_available"]

"""`torch.nn.modules.padding` as a module path: the padding layers (re-exported)."""

from autograd_core.nn import padding as _padding
from autograd_core.nn.padding import *  # noqa: F403

__all__ = list(_padding.__all__)

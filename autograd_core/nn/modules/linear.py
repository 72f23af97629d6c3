"""`torch.nn.modules.linear` as a module path: Identity, Linear (re-exported)."""

from autograd_core.nn.linear import Identity, Linear

__all__ = ["Identity", "Linear"]

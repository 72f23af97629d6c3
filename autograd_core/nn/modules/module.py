"""`torch.nn.modules.module` as a module path: Module (re-exported)."""

from autograd_core.nn.module import Module

__all__ = ["Module"]

"""`torch.nn.modules.flatten` as a module path: Flatten, Unflatten (re-exported)."""

from autograd_core.nn.flatten import Flatten, Unflatten

__all__ = ["Flatten", "Unflatten"]

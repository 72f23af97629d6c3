"""`torch.nn.modules.instancenorm` as a module path: the InstanceNorm layers (re-exported)."""

from autograd_core.nn.normalization_more import InstanceNorm1d, InstanceNorm2d, InstanceNorm3d

__all__ = ["InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d"]

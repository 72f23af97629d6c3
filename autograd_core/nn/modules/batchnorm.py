"""`torch.nn.modules.batchnorm` as a module path: re-exports of the batchnorm layers."""

from autograd_core.nn.normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d"]

"""`torch.nn.modules.normalization` as a module path: LayerNorm, GroupNorm, RMSNorm,
LocalResponseNorm (re-exported)."""

from autograd_core.nn.normalization import LayerNorm
from autograd_core.nn.normalization_more import GroupNorm, LocalResponseNorm, RMSNorm

__all__ = ["GroupNorm", "LayerNorm", "LocalResponseNorm", "RMSNorm"]

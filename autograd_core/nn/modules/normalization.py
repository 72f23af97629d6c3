"""`torch.nn.modules.normalization` as a module path: LayerNorm (re-exported)."""

from autograd_core.nn.normalization import LayerNorm

__all__ = ["LayerNorm"]

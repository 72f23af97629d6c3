"""`torch.nn.modules.linear` as a module path: Bilinear, Identity, Linear (re-exported)."""

from autograd_core.nn.embedding_bag import Bilinear
from autograd_core.nn.linear import Identity, Linear

__all__ = ["Bilinear", "Identity", "Linear"]

"""`torch.nn.modules.sparse` as a module path: Embedding (re-exported)."""

from autograd_core.nn.sparse import Embedding

__all__ = ["Embedding"]

"""`torch.nn.modules.sparse` as a module path: Embedding, EmbeddingBag (re-exported)."""

from autograd_core.nn.embedding_bag import EmbeddingBag
from autograd_core.nn.sparse import Embedding

__all__ = ["Embedding", "EmbeddingBag"]

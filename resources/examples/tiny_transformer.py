# A tiny transformer block (attention, LayerNorm, MLP) learns to copy the first token everywhere.
"""One pre-norm block: multi-head self-attention and a GELU MLP, each with a residual, over
token embeddings; the target at every position is the sequence's first token, so attention
must learn to look back at position 0."""

import numpy as np

import autograd_core as ag
import autograd_core.nn.functional as F
from autograd_core import nn, optim

ITERATIONS = 60
VOCAB, LENGTH, DIM = 12, 6, 32
rng = np.random.default_rng(2)
ag.manual_seed(2)


class Block(nn.Module):
    def __init__(self, dim: int, heads: int = 4) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))

    def forward(self, x):
        h = self.norm1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.mlp(self.norm2(x))


class TinyTransformer(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(VOCAB, DIM)
        self.pos = nn.Parameter(ag.randn(LENGTH, DIM) * 0.1)
        self.block = Block(DIM)
        self.out = nn.Linear(DIM, VOCAB)

    def forward(self, tokens):
        return self.out(self.block(self.embed(tokens) + self.pos))


model = TinyTransformer()
optimizer = optim.Adam(model.parameters(), lr=3e-3)


def step(i):
    tokens = rng.integers(0, VOCAB, size=(16, LENGTH))
    targets = np.repeat(tokens[:, :1], LENGTH, axis=1)
    logits = model(ag.tensor(tokens))
    loss = F.cross_entropy(logits.reshape(-1, VOCAB), ag.tensor(targets.reshape(-1)))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss

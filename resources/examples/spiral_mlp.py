# An MLP (2-64-64-3, ReLU) learns to tell three interleaved 2-D spirals apart with Adam.
"""The default Gradscope example: a small classifier that visibly learns in a few seconds.

The data is made here in code (no downloads): 3 spiral arms of 100 points each, with noise.
Written against PyTorch's API: with `import torch as ag` etc. it runs unchanged on PyTorch.
"""

import math

import autograd_core as ag
import autograd_core.nn.functional as F
from autograd_core import nn, optim

ITERATIONS = 200
POINTS_PER_CLASS = 100
CLASSES = 3

ag.manual_seed(0)


def make_spirals(n: int = POINTS_PER_CLASS, classes: int = CLASSES, noise: float = 0.2):
    """Points (n*classes, 2) on `classes` spiral arms and their labels (n*classes,)."""
    radius = ag.linspace(0.0, 1.0, n)
    xs, ys = [], []
    for c in range(classes):
        start = c * 2 * math.pi / classes
        theta = ag.linspace(start, start + 4.0, n) + ag.randn(n) * noise
        xs.append(ag.stack([radius * ag.sin(theta), radius * ag.cos(theta)], dim=1))
        ys.append(ag.full((n,), c, dtype=ag.int64))
    return ag.cat(xs), ag.cat(ys)


x, y = make_spirals()
model = nn.Sequential(
    nn.Linear(2, 64), nn.ReLU(),
    nn.Linear(64, 64), nn.ReLU(),
    nn.Linear(64, CLASSES),
)
optimizer = optim.Adam(model.parameters(), lr=0.01)


def step(i: int):
    """One full-batch training iteration; returns the loss."""
    loss = F.cross_entropy(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss

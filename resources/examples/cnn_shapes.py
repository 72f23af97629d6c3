# A small CNN learns to tell squares, crosses and rings apart in 16x16 images drawn in code.
"""Conv2d -> ReLU -> MaxPool2d twice, then a Linear classifier; the loss falls within a few
dozen iterations. The images are drawn with numpy at random positions and sizes, with noise."""

import numpy as np

import autograd_core as ag
import autograd_core.nn.functional as F
from autograd_core import nn, optim

ITERATIONS = 60
SIZE = 16
rng = np.random.default_rng(0)
ag.manual_seed(0)


def draw(kind: int) -> np.ndarray:
    """One 16x16 image of a square (0), a cross (1) or a ring (2), placed at random."""
    img = np.zeros((SIZE, SIZE), np.float32)
    r = int(rng.integers(3, 6))
    cy, cx = rng.integers(r, SIZE - r, size=2)
    yy, xx = np.mgrid[:SIZE, :SIZE]
    if kind == 0:
        img[cy - r:cy + r, cx - r:cx + r] = 1.0
    elif kind == 1:
        img[cy - r:cy + r, cx - 1:cx + 1] = 1.0
        img[cy - 1:cy + 1, cx - r:cx + r] = 1.0
    else:
        d = np.hypot(yy - cy, xx - cx)
        img[(d > r - 1.5) & (d < r)] = 1.0
    return img + rng.normal(0, 0.1, img.shape).astype(np.float32)


def batch(n: int = 32) -> tuple:
    labels = rng.integers(0, 3, size=n)
    images = np.stack([draw(int(k)) for k in labels])[:, None]
    return ag.tensor(images), ag.tensor(labels)


model = nn.Sequential(
    nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(16 * 4 * 4, 3),
)
optimizer = optim.Adam(model.parameters(), lr=3e-3)


def step(i):
    x, y = batch()
    loss = F.cross_entropy(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss

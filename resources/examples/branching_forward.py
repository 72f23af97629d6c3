# A model whose forward branches on its input: batches with a positive mean take another path.
"""`forward` looks at the data (`x.mean() > 0`) and runs either a deep tanh path or a shallow
ReLU path, so consecutive iterations record different graphs with the same stable keys for
the shared layers."""

import numpy as np

import autograd_core as ag
import autograd_core.nn.functional as F
from autograd_core import nn, optim

ITERATIONS = 40
rng = np.random.default_rng(3)
ag.manual_seed(3)


class Branchy(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.inp = nn.Linear(4, 16)
        self.deep = nn.Sequential(nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh())
        self.shallow = nn.Linear(16, 16)
        self.out = nn.Linear(16, 1)

    def forward(self, x):
        h = self.inp(x)
        if x.mean().item() > 0:  # data-dependent control flow: the graph follows the data
            h = self.deep(h)
        else:
            h = F.relu(self.shallow(h))
        return self.out(h)


model = Branchy()
optimizer = optim.SGD(model.parameters(), lr=0.05)


def step(i):
    shift = 0.5 if i % 2 == 0 else -0.5  # alternate the branch so the change is visible
    x = rng.normal(shift, 1.0, size=(32, 4)).astype(np.float32)
    y = np.sin(x.sum(axis=1, keepdims=True))
    loss = F.mse_loss(model(ag.tensor(x)), ag.tensor(y))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss

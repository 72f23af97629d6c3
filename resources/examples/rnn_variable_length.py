# An RNN unrolled over sequences whose length follows the data: the graph changes every step.
"""Each iteration draws a sequence of 3 to 12 steps and the RNNCell is applied once per step,
so the number of ops (and the graph's shape) follows the data. The task: predict the running
mean of the sequence from the final hidden state."""

import numpy as np

import autograd_core as ag
import autograd_core.nn.functional as F
from autograd_core import nn, optim

ITERATIONS = 40
rng = np.random.default_rng(1)
ag.manual_seed(1)


class SequenceMean(nn.Module):
    def __init__(self, hidden: int = 16) -> None:
        super().__init__()
        self.cell = nn.RNNCell(1, hidden)
        self.head = nn.Linear(hidden, 1)

    def forward(self, seq):
        h = None
        for t in range(seq.shape[0]):  # unrolled: as many steps as the data has
            h = self.cell(seq[t], h)
        return self.head(h)


model = SequenceMean()
optimizer = optim.Adam(model.parameters(), lr=1e-2)


def step(i):
    length = int(rng.integers(3, 13))
    values = rng.normal(0, 1, size=(length, 8, 1)).astype(np.float32)
    seq = ag.tensor(values)
    target = ag.tensor(values.mean(axis=0))
    loss = F.mse_loss(model(seq), target)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss

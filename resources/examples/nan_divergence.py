# A NaN is born after a few iterations: a too-large learning rate drives log's input negative.
"""The model predicts a positive rate `scale * x`; the loss is a squared error plus a small
`-log(rate)` term. With lr=0.2 every update overshoots further (the error doubles and flips
sign), `scale` turns negative around iteration 5, and Log produces NaN; the capture's health
names that Log op (and its source line) as where the NaN first appeared."""

import autograd_core as ag
from autograd_core import nn, optim

ITERATIONS = 10


class Rate(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(ag.tensor([1.0]))

    def forward(self, x):
        return self.scale * x


model = Rate()
optimizer = optim.SGD(model.parameters(), lr=0.2)  # too large: each step overshoots more
x = ag.tensor([1.0, 2.0, 3.0, 4.0])
target = 0.9 * x


def step(i):
    rate = model(x)
    loss = ((rate - target) ** 2).mean() - 0.01 * ag.log(rate).mean()  # NaN once rate < 0
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss

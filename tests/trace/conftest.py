"""Shared fixtures for the trace tests: a small model, its training step, a recorded session."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import autograd_core as ag
from autograd_core import nn, optim, trace


class Encoder(nn.Module):
    """Nested containers, so module paths like `encoder.layers.1` appear."""

    def __init__(self) -> None:
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 8))

    def forward(self, x: Any) -> Any:
        return self.layers(x)


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.encoder = Encoder()
        self.head = nn.Linear(8, 3)

    def forward(self, x: Any) -> Any:
        return self.head(self.encoder(x).relu())


def make_step(model: Any, batch: int = 5) -> Callable[[int], Any]:
    opt = optim.SGD(model.parameters(), lr=0.1)
    x = ag.randn(batch, 6)
    y = ag.tensor([i % 3 for i in range(batch)])

    def step(i: int) -> Any:
        loss = nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    return step


@pytest.fixture
def net() -> Net:
    ag.manual_seed(0)
    return Net()


@pytest.fixture
def step_factory() -> Callable[..., Callable[[int], Any]]:
    """`make_step` as a fixture (importlib mode cannot import conftest by name)."""
    return make_step


@pytest.fixture
def recorded(net: Net) -> trace.Recorder:
    """Three iterations of Net at level `full`, closed by rec.wrap."""
    with trace.record(net, stats="full", script="net.py") as rec:
        step = rec.wrap(make_step(net))
        for i in range(3):
            step(i)
    return rec

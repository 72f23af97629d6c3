"""Small models trained side by side with PyTorch from identical weights, by hand-written SGD.

Each step compares the loss and every parameter gradient, then both sides update
p -= lr * grad under no_grad; after several steps the weights must still agree.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import autograd_core as ag
import autograd_core.nn.functional as F
from autograd_core import nn

torch = pytest.importorskip("torch")
tn = torch.nn
TF = torch.nn.functional

STEPS = 4
LR = 0.1


def build_mlp(lib):
    return lib.Sequential(lib.Linear(10, 32), lib.ReLU(), lib.Dropout(0.0), lib.Linear(32, 16),
                          lib.Tanh(), lib.Linear(16, 4))


class Block:
    """A pre-norm residual MLP block (LayerNorm -> Linear -> GELU -> Linear), per library."""

    @staticmethod
    def build(lib):
        class _Block(lib.Module):
            def __init__(self) -> None:
                super().__init__()
                self.norm = lib.LayerNorm(12)
                self.up = lib.Linear(12, 24)
                self.act = lib.GELU(approximate="tanh")
                self.down = lib.Linear(24, 12)
                self.head = lib.Linear(12, 1)

            def forward(self, x):
                h = x + self.down(self.act(self.up(self.norm(x))))
                return self.head(h).squeeze(-1)

        return _Block()


def build_bow(lib):
    class _BagOfWords(lib.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed = lib.Embedding(50, 8, padding_idx=0)
            self.bn = lib.BatchNorm1d(8)
            self.classify = lib.Linear(8, 3)

        def forward(self, tokens):
            mask = (tokens != 0).unsqueeze(-1).to(self.embed.weight.dtype)
            summed = (self.embed(tokens) * mask).sum(1)
            mean = summed / mask.sum(1).clamp_min(1.0)
            return self.classify(self.bn(mean))

    return _BagOfWords()


def _data(name: str, rng: np.random.Generator, dtype) -> tuple[np.ndarray, np.ndarray]:
    if name == "mlp":
        return rng.standard_normal((16, 10)).astype(dtype), rng.integers(0, 4, 16)
    if name == "block":
        return (rng.standard_normal((6, 5, 12)).astype(dtype),
                rng.standard_normal((6, 5)).astype(dtype))
    tokens = rng.integers(0, 50, (12, 7))
    tokens[:, 5:] = 0  # padding
    return tokens, rng.integers(0, 3, 12)


LOSSES: dict[str, tuple[Callable, Callable]] = {
    "mlp": (lambda out, y: F.cross_entropy(out, y, label_smoothing=0.05),
            lambda out, y: TF.cross_entropy(out, y, label_smoothing=0.05)),
    "block": (F.mse_loss, TF.mse_loss),
    "bow": (F.cross_entropy, TF.cross_entropy),
}
BUILDERS = {"mlp": build_mlp, "block": Block.build, "bow": build_bow}


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("name", ["mlp", "block", "bow"])
def test_training_matches_torch(name: str, dtype) -> None:
    tol = {"rtol": 1e-9, "atol": 1e-11} if dtype == np.float64 else {"rtol": 1e-4,
                                                                      "atol": 1e-5}
    torch.manual_seed(0)
    theirs = BUILDERS[name](tn).to(torch.float64 if dtype == np.float64 else torch.float32)
    ours = BUILDERS[name](nn).to(ag.float64 if dtype == np.float64 else ag.float32)
    ours.load_state_dict({k: ag.tensor(v.cpu().numpy().copy())
                          for k, v in theirs.state_dict().items()})
    loss_ours, loss_theirs = LOSSES[name]
    rng = np.random.default_rng(42)
    for step in range(STEPS):
        x, y = _data(name, rng, dtype)
        la = loss_ours(ours(ag.tensor(x)), ag.tensor(y))
        lt = loss_theirs(theirs(torch.tensor(x)), torch.tensor(y))
        np.testing.assert_allclose(la.item(), lt.item(), err_msg=f"loss, step {step}", **tol)
        ours.zero_grad()
        theirs.zero_grad()
        la.backward()
        lt.backward()
        reference = dict(theirs.named_parameters())
        with ag.no_grad(), torch.no_grad():
            for pname, p in ours.named_parameters():
                q = reference[pname]
                np.testing.assert_allclose(p.grad.cpu().numpy(), q.grad.cpu().numpy(),
                                           err_msg=f"grad {pname}, step {step}", **tol)
                p -= LR * p.grad
                q -= LR * q.grad
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key].cpu().numpy(), value.cpu().numpy(),
                                   err_msg=key, **tol)

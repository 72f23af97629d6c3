"""The fused RNN step (ops/recurrent.py), the GPU path of nn.RNNCell and nn.RNN, run here on
numpy: its gradients, with and without deferred weight products (blas.Product), against
finite differences and PyTorch's composed cell."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.backend import blas
from autograd_core.ops.recurrent import rnn_cell
from autograd_core.testing.gradcheck import gradcheck

RNG = np.random.default_rng(7)
B, I, H, STEPS = 3, 4, 5, 6
ARRAYS = {"x": RNG.standard_normal((STEPS, B, I)), "h0": RNG.standard_normal((B, H)),
          "w_ih": RNG.standard_normal((H, I)) * 0.5, "w_hh": RNG.standard_normal((H, H)) * 0.5,
          "b_ih": RNG.standard_normal(H), "b_hh": RNG.standard_normal(H)}


def _unroll(t: dict, step: Any, retain: bool) -> dict:
    """Run step(x_t, h) over the sequence, backpropagate sum(h^2), collect the gradients
    (and the first hidden state's, when kept with retain_grad)."""
    h, kept = t["h0"], []
    for i in range(STEPS):
        h = step(t["x"][i], h)
        if retain:  # a hook on the node: the engine's general path
            h.retain_grad()
            kept.append(h)
    (h * h).sum().backward()
    grads = {k: v.grad.numpy() for k, v in t.items()}
    if retain:
        grads["h1"] = kept[0].grad.numpy()
    return grads


def _ours(relu: bool, projected: bool, retain: bool) -> dict:
    t = {k: ag.tensor(v, requires_grad=True) for k, v in ARRAYS.items()}

    def step(x: Any, h: Any) -> Any:
        if projected:  # nn.RNN's form: the input projected beforehand, W_ih not passed
            return rnn_cell(x @ t["w_ih"].T + t["b_ih"], h, None, t["w_hh"], None, t["b_hh"],
                            relu)
        return rnn_cell(x, h, t["w_ih"], t["w_hh"], t["b_ih"], t["b_hh"], relu)
    return _unroll(t, step, retain)


def _torch(relu: bool, retain: bool) -> dict:
    torch = pytest.importorskip("torch")
    t = {k: torch.tensor(v, requires_grad=True) for k, v in ARRAYS.items()}
    act = torch.relu if relu else torch.tanh
    return _unroll(t, lambda x, h: act(x @ t["w_ih"].T + t["b_ih"] + h @ t["w_hh"].T
                                       + t["b_hh"]), retain)


@pytest.mark.parametrize("retain", [False, True])
@pytest.mark.parametrize("projected", [False, True])
@pytest.mark.parametrize("relu", [False, True])
@pytest.mark.parametrize("deferred", [False, True])
def test_fused_step_gradients_match_torch(deferred: bool, relu: bool, projected: bool,
                                          retain: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    # Deferred products are the GPU's; here they run through numpy's plain expressions.
    monkeypatch.setattr(blas, "deferrable", lambda g: deferred)
    ours, theirs = _ours(relu, projected, retain), _torch(relu, retain)
    assert ours.keys() == theirs.keys()
    for name in ours:
        np.testing.assert_allclose(ours[name], theirs[name], rtol=1e-10, atol=1e-12,
                                   err_msg=name)


def test_fused_step_passes_gradcheck() -> None:
    inputs = [ag.tensor(ARRAYS[k][0] if k == "x" else ARRAYS[k], requires_grad=True)
              for k in ("x", "h0", "w_ih", "w_hh", "b_ih", "b_hh")]
    assert gradcheck(lambda x, h, wi, wh, bi, bh: rnn_cell(x, h, wi, wh, bi, bh, False), inputs)

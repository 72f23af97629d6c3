"""The whole-sequence LSTM and GRU ops (ops/recurrent_seq.py), nn.LSTM's and nn.GRU's CPU
path when no trace observer is attached: gradients against finite differences, and the same
numbers as the composed per-gate graph that an observed (inspected) run builds."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import hooks, nn
from autograd_core.ops.recurrent_seq import gru_layer, lstm_layer
from autograd_core.testing.gradcheck import gradcheck

RNG = np.random.default_rng(11)
T, B, H = 4, 3, 5


def _leaf(*shape: int) -> Any:
    return ag.tensor(RNG.standard_normal(shape) * 0.7, requires_grad=True)


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("bias", [True, False])
def test_lstm_layer_gradcheck_float64(reverse: bool, bias: bool) -> None:
    xg, h0, c0, w = _leaf(T, B, 4 * H), _leaf(B, H), _leaf(B, H), _leaf(4 * H, H)
    b = _leaf(4 * H) if bias else None

    def fn(xg: Any, h0: Any, c0: Any, w: Any, *b: Any) -> Any:
        out, h, c = lstm_layer(xg, h0, c0, w, b[0] if b else None, reverse)
        return (out * out).sum() + (h * h * h).sum() + (c * c * c).sum()

    assert gradcheck(fn, (xg, h0, c0, w, *([b] if bias else [])))


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("bias", [True, False])
def test_gru_layer_gradcheck_float64(reverse: bool, bias: bool) -> None:
    xg, h0, w = _leaf(T, B, 3 * H), _leaf(B, H), _leaf(3 * H, H)
    b = _leaf(3 * H) if bias else None

    def fn(xg: Any, h0: Any, w: Any, *b: Any) -> Any:
        out, h = gru_layer(xg, h0, w, b[0] if b else None, reverse)
        return (out * out).sum() + (h * h * h).sum()

    assert gradcheck(fn, (xg, h0, w, *([b] if bias else [])))


class _Watcher:
    """The smallest observer: collects the names of the ops that ran."""

    op_begin = None
    backward_begin = None

    def __init__(self) -> None:
        self.ops: list[str] = []

    def op_end(self, token, fn, t0, t1, node, inputs, outputs) -> None:
        self.ops.append(fn.__name__)

    def backward_end(self, token, node, t0, t1, grad_outputs, grad_inputs) -> None:
        pass

    def module_enter(self, module: Any) -> None:
        return None

    def module_exit(self, token, module, output) -> None:
        pass

    def phase(self, name: str) -> None:
        pass


def _run(layer: Any, x: np.ndarray, observer: Any) -> tuple[list[np.ndarray], list[str]]:
    layer.zero_grad()
    xt = ag.tensor(x, requires_grad=True)
    previous = hooks.set_observer(observer)
    try:
        out, state = layer(xt)
        states = state if isinstance(state, tuple) else (state,)
        loss = (out * out).sum() + sum((s * s).sum() for s in states)
        loss.backward()
    finally:
        hooks.set_observer(previous)
    values = [out.detach().numpy(), *(s.detach().numpy() for s in states), xt.grad.numpy()]
    return values + [p.grad.numpy() for p in layer.parameters()], getattr(observer, "ops", [])


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_fused_and_composed_layers_agree(kind: str) -> None:
    layer = getattr(nn, kind)(3, H, num_layers=2, batch_first=True, bidirectional=True,
                              dtype=ag.float64)
    x = RNG.standard_normal((B, T, 3))
    fused, _ = _run(layer, x, None)
    watcher = _Watcher()
    composed, ops = _run(layer, x, watcher)
    assert "Sigmoid" in ops and f"{kind}Layer" not in ops  # inspected: every gate an op
    for a, b in zip(fused, composed, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_unobserved_layer_is_one_node_per_direction() -> None:
    out, _ = nn.LSTM(3, H, num_layers=2)(ag.randn(T, B, 3))
    names, node = [], out.grad_fn
    while node is not None and hasattr(node, "fn"):
        names.append(node.fn.__name__)
        node = next((n for n, _ in node.next_functions if n is not None and
                     hasattr(n, "fn") and n.fn.__name__ in ("LSTMLayer", "Linear")), None)
    assert names == ["LSTMLayer", "Linear", "LSTMLayer", "Linear"]


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_fused_layers_differentiate_twice_as_pytorch(kind: str, bidirectional: bool) -> None:
    # A gradient penalty through a fused layer: its graph formula rebuilds the recurrence.
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = getattr(torch.nn, kind)(4, 5, num_layers=2, batch_first=True,
                                     bidirectional=bidirectional).double()
    ours = getattr(nn, kind)(4, 5, num_layers=2, batch_first=True,
                             bidirectional=bidirectional).double()
    ours.load_state_dict({k: ag.tensor(v.detach().numpy())
                          for k, v in theirs.state_dict().items()})
    xt = torch.randn(2, 3, 4, dtype=torch.float64, requires_grad=True)
    xo = ag.tensor(xt.detach().numpy(), requires_grad=True)
    for lib, model, x in ((torch, theirs, xt), (ag, ours, xo)):
        y, _ = model(x)
        g, = lib.autograd.grad((y ** 2).sum(), x, create_graph=True)
        (g ** 2).sum().backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-9, atol=1e-12)
    for po, pt in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(po.grad.numpy(), pt.grad.numpy(), rtol=1e-9, atol=1e-12)

"""Recurrent layers against PyTorch with copied weights: outputs, final states, every gradient."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
from autograd_core.backend import fastpath
from autograd_core.testing.gradcheck import gradcheck

RNG = np.random.default_rng(7)


def _torch() -> Any:
    return pytest.importorskip("torch")


def _copy_weights(ours: Any, theirs: Any) -> None:
    names = [n for n, _ in ours.named_parameters()]
    assert names == [n for n, _ in theirs.named_parameters()]
    for p, tp in zip(ours.parameters(), theirs.parameters()):
        assert tuple(p.shape) == tuple(tp.shape)
        p.data = ag.tensor(tp.detach().cpu().numpy().copy())


def _close(a: Any, b: Any, tol: float = 1e-10) -> None:
    a = a.detach().cpu().numpy() if hasattr(a, "detach") else a
    np.testing.assert_allclose(a, b.detach().cpu().numpy(), atol=tol, rtol=tol)


def _pair(arr: np.ndarray) -> tuple:
    torch = _torch()
    return ag.tensor(arr, requires_grad=True), torch.tensor(arr, requires_grad=True)


def _states(kind: str, shape: tuple) -> tuple[Any, Any, list]:
    """Random initial states for our layer and torch's, plus (ours, theirs) leaf pairs."""
    h = _pair(RNG.standard_normal(shape))
    if kind != "LSTM":
        return h[0], h[1], [h]
    c = _pair(RNG.standard_normal(shape))
    return (h[0], c[0]), (h[1], c[1]), [h, c]


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_sequence_layers_match_torch(kind: str) -> None:
    torch = _torch()
    seq_len, batch, n_in, hidden = 4, 3, 5, 6
    # (num_layers, batch_first, bidirectional, initial state, bias): each option both ways
    grid = [(1, False, False, False, True), (2, True, False, True, True),
            (1, True, True, True, False), (2, False, True, False, True),
            (2, False, True, True, False), (1, False, False, True, False)]
    for layers, batch_first, bidir, with_state, bias in grid:
        kw = {"num_layers": layers, "batch_first": batch_first, "bidirectional": bidir,
              "bias": bias}
        theirs = getattr(torch.nn, kind)(n_in, hidden, **kw).double()
        ours = getattr(nn, kind)(n_in, hidden, **kw)
        _copy_weights(ours, theirs)
        x, tx = _pair(RNG.standard_normal((batch, seq_len, n_in) if batch_first else
                                          (seq_len, batch, n_in)))
        leaves = [(x, tx)]
        args: tuple = ()
        targs: tuple = ()
        if with_state:
            s, ts, pairs = _states(kind, (layers * (2 if bidir else 1), batch, hidden))
            args, targs = (s,), (ts,)
            leaves += pairs
        out, state = ours(x, *args)
        tout, tstate = theirs(tx, *targs)
        _close(out, tout)
        states = state if kind == "LSTM" else (state,)
        tstates = tstate if kind == "LSTM" else (tstate,)
        for s, ts in zip(states, tstates):
            _close(s, ts)
        # A loss that reaches every output and every final state.
        loss = (out * out).sum() + sum((s * s * s).sum() for s in states)
        tloss = (tout * tout).sum() + sum((s * s * s).sum() for s in tstates)
        loss.backward()
        tloss.backward()
        for a, b in leaves:
            _close(a.grad, b.grad)
        for p, tp in zip(ours.parameters(), theirs.parameters()):
            _close(p.grad, tp.grad)


@pytest.mark.parametrize("kind", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cells_match_torch_batched_and_unbatched(kind: str) -> None:
    torch = _torch()
    for bias in (True, False):
        theirs = getattr(torch.nn, kind)(5, 4, bias=bias).double()
        ours = getattr(nn, kind)(5, 4, bias=bias)
        _copy_weights(ours, theirs)
        for shape in ((3, 5), (5,)):
            x, tx = _pair(RNG.standard_normal(shape))
            hshape = (*shape[:-1], 4)
            s, ts, pairs = _states("LSTM" if kind == "LSTMCell" else kind, hshape)
            for args, targs in (((), ()), ((s,), (ts,))):
                y, ty = ours(x, *args), theirs(tx, *targs)
                ys = y if isinstance(y, tuple) else (y,)
                tys = ty if isinstance(ty, tuple) else (ty,)
                for a, b in zip(ys, tys):
                    _close(a, b)
                sum((a * a * a).sum() for a in ys).backward()
                sum((b * b * b).sum() for b in tys).backward()
            for a, b in [(x, tx), *pairs]:
                _close(a.grad, b.grad)
            for p, tp in zip(ours.parameters(), theirs.parameters()):
                _close(p.grad, tp.grad)
                p.grad = None
                tp.grad = None


def test_relu_rnn_and_unbatched_sequence_match_torch() -> None:
    torch = _torch()
    theirs = torch.nn.RNN(3, 4, num_layers=2, nonlinearity="relu").double()
    ours = nn.RNN(3, 4, num_layers=2, nonlinearity="relu")
    _copy_weights(ours, theirs)
    x, tx = _pair(RNG.standard_normal((5, 3)))  # (T, I): no batch dim
    (out, h), (tout, th) = ours(x), theirs(tx)
    _close(out, tout)
    _close(h, th)
    assert tuple(h.shape) == (2, 4)


def test_float32_lstm_matches_torch() -> None:
    torch = _torch()
    theirs = torch.nn.LSTM(8, 16, num_layers=2, batch_first=True)
    ours = nn.LSTM(8, 16, num_layers=2, batch_first=True)
    _copy_weights(ours, theirs)
    x = RNG.standard_normal((4, 10, 8)).astype(np.float32)
    out, (h, c) = ours(ag.tensor(x))
    tout, (th, tc) = theirs(torch.tensor(x))
    for a, b in ((out, tout), (h, th), (c, tc)):
        _close(a, b, 1e-5)
    out.sum().backward()
    tout.sum().backward()
    for p, tp in zip(ours.parameters(), theirs.parameters()):
        _close(p.grad, tp.grad, 1e-5)


def test_parameter_names_shapes_and_init() -> None:
    lstm = nn.LSTM(3, 5, num_layers=2, bidirectional=True)
    names = [n for n, _ in lstm.named_parameters()]
    assert names[:8] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                         "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse",
                         "bias_hh_l0_reverse"]
    assert tuple(lstm.weight_ih_l0.shape) == (20, 3)
    assert tuple(lstm.weight_ih_l1.shape) == (20, 10)  # layer 1 sees both directions
    bound = 1 / math.sqrt(5)
    assert all(np.abs(p.detach().cpu().numpy()).max() <= bound for p in lstm.parameters())
    assert tuple(nn.GRUCell(3, 7).weight_hh.shape) == (21, 7)
    assert [n for n, _ in nn.RNNCell(2, 3, bias=False).named_parameters()] == [
        "weight_ih", "weight_hh"]


def test_dropout_between_layers_only_in_training() -> None:
    rnn = nn.RNN(3, 4, num_layers=2, dropout=0.5)
    x = ag.randn(6, 2, 3)
    rnn.eval()
    a, _ = rnn(x)
    b, _ = rnn(x)
    np.testing.assert_array_equal(a.detach().cpu().numpy(), b.detach().cpu().numpy())
    rnn.train()
    ag.manual_seed(0)
    c, _ = rnn(x)
    assert not np.allclose(c.detach().cpu().numpy(), a.detach().cpu().numpy())


def test_bad_input_errors() -> None:
    with pytest.raises(RuntimeError, match=r"input.size\(-1\) must be equal to input_size\. "
                                           r"Expected 3, got 4"):
        nn.LSTM(3, 5)(ag.randn(2, 2, 4))
    with pytest.raises(RuntimeError, match=r"Expected hidden size \(2, 2, 5\), got \[1, 2, 5\]"):
        nn.GRU(3, 5, num_layers=2)(ag.randn(4, 2, 3), ag.randn(1, 2, 5))
    with pytest.raises(ValueError, match="Unknown nonlinearity"):
        nn.RNN(3, 5, nonlinearity="gelu")


def test_rnn_cell_gradcheck_float64() -> None:
    cell = nn.GRUCell(3, 4, dtype=ag.float64)
    x = ag.tensor(RNG.standard_normal((2, 3)), requires_grad=True)
    h = ag.tensor(RNG.standard_normal((2, 4)), requires_grad=True)
    assert gradcheck(lambda x, h: cell(x, h), (x, h))


def test_rnn_cell_step_is_a_few_ops() -> None:
    """The W5 cell: input and hidden projections, their sum and tanh, nothing else (on the
    GPU, where host time per launch dominates, all of it is one fused node)."""
    cell = nn.RNNCell(4, 8)
    h = cell(ag.randn(2, 4), ag.randn(2, 8))
    names = []
    node = h.grad_fn
    stack = [node]
    seen = set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen or not hasattr(node, "fn"):
            continue
        seen.add(id(node))
        names.append(node.fn.__name__)
        stack.extend(n for n, _ in node.next_functions)
    fused = h.device.type == "cuda" and fastpath.enabled
    assert sorted(names) == (["RNNCell"] if fused else ["Add", "Linear", "Linear", "Tanh"])


def test_lstm_language_model_steps_match_torch_float64() -> None:
    # The engine benchmark's W9 program, smaller: embedding, a 2-layer batch-first LSTM (the
    # fused per-layer recurrence), a decoder and cross_entropy with class targets, two SGD steps.
    torch = _torch()
    vocab, width, batch, steps = 30, 12, 4, 7
    tokens = RNG.integers(0, vocab, (batch, steps + 1))

    def build(lib: Any) -> tuple[Any, Any]:
        emb, rnn = lib.nn.Embedding(vocab, width), lib.nn.LSTM(width, width, 2, batch_first=True)
        model = lib.nn.ModuleList([emb, rnn, lib.nn.Linear(width, vocab)]).double()
        return model, lib.optim.SGD(model.parameters(), lr=0.5)

    def train(lib: Any, model: Any, optim: Any) -> tuple[list, list]:
        x, y = lib.tensor(tokens[:, :-1]), lib.tensor(tokens[:, 1:]).reshape(-1)
        losses, grads = [], []
        for _ in range(2):
            out, _ = model[1](model[0](x))
            loss = lib.nn.functional.cross_entropy(model[2](out).reshape(-1, vocab), y)
            optim.zero_grad()
            loss.backward()
            grads.append([p.grad.detach().numpy().copy() for p in model.parameters()])
            optim.step()
            losses.append(loss.item())
        return losses, grads

    (ours, opt), (theirs, topt) = build(ag), build(torch)
    _copy_weights(ours, theirs)
    (our_losses, our_grads), (losses, grads) = train(ag, ours, opt), train(torch, theirs, topt)
    np.testing.assert_allclose(our_losses, losses, rtol=1e-12)
    for mine, their_step in zip(our_grads, grads, strict=True):
        for a, b in zip(mine, their_step, strict=True):
            np.testing.assert_allclose(a, b, atol=1e-10, rtol=1e-10)

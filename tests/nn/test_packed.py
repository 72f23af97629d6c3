"""nn.utils.rnn (pad/pack sequences) and packed input to RNN/LSTM/GRU, against PyTorch; the
`nn.modules.*` module paths; LSTM state as a list; flatten_parameters."""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn

torch = pytest.importorskip("torch")
TR = torch.nn.utils.rnn
R = nn.utils.rnn
RNG = np.random.default_rng(7)
TOL = dict(rtol=1e-9, atol=1e-11)


def _np(t: Any) -> np.ndarray:
    return t.detach().cpu().numpy()


def _raises_like(ours, theirs) -> None:
    with pytest.raises(Exception) as want:
        theirs()
    with pytest.raises(type(want.value)) as got:
        ours()
    assert str(got.value) == str(want.value)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize(("lengths", "enforce"), [([5, 4, 4, 2, 1], True),
                                                  ([2, 5, 1, 4, 4], False),
                                                  ([3, 3, 3, 3, 3], True)])
def test_pack_then_pad_matches_torch(lengths, enforce, batch_first) -> None:
    x = RNG.standard_normal((5, 6, 3) if batch_first else (6, 5, 3))
    xa, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    pa = R.pack_padded_sequence(xa, lengths, batch_first, enforce)
    pt = TR.pack_padded_sequence(xt, torch.tensor(lengths), batch_first, enforce)
    np.testing.assert_array_equal(_np(pa.data), _np(pt.data))
    np.testing.assert_array_equal(_np(pa.batch_sizes), _np(pt.batch_sizes))
    for ours, theirs in ((pa.sorted_indices, pt.sorted_indices),
                         (pa.unsorted_indices, pt.unsorted_indices)):
        assert (ours is None) == (theirs is None)
        if theirs is not None:
            np.testing.assert_array_equal(_np(ours), _np(theirs))
    ya, la = R.pad_packed_sequence(pa, batch_first, padding_value=-2.0, total_length=7)
    yt, lt = TR.pad_packed_sequence(pt, batch_first, padding_value=-2.0, total_length=7)
    np.testing.assert_array_equal(_np(ya), _np(yt))
    np.testing.assert_array_equal(_np(la), _np(lt))
    assert la.dtype == ag.int64
    seed = RNG.standard_normal(tuple(yt.shape))
    (ya * ag.tensor(seed)).sum().backward()
    (yt * torch.tensor(seed)).sum().backward()
    np.testing.assert_array_equal(_np(xa.grad), _np(xt.grad))  # padding gets no gradient


def _state(kind: str, shape: tuple, lib: Any, arrays: list) -> Any:
    if kind == "LSTM":
        return [lib.tensor(a, requires_grad=True) for a in arrays]
    return lib.tensor(arrays[0], requires_grad=True)


RNNS = [("LSTM", dict(num_layers=2, bidirectional=True)), ("GRU", dict(batch_first=True)),
        ("RNN", dict(num_layers=2, nonlinearity="relu")),
        ("LSTM", dict(batch_first=True, bidirectional=True)),
        ("GRU", dict(num_layers=2, bidirectional=True))]


@pytest.mark.parametrize("enforce", [True, False], ids=["sorted", "unsorted"])
@pytest.mark.parametrize(("kind", "kw"), RNNS, ids=[f"{k}-{i}" for i, (k, _) in enumerate(RNNS)])
def test_recurrent_layers_take_packed_input_like_torch(kind, kw, enforce) -> None:
    lengths = [5, 4, 4, 2, 1] if enforce else [2, 5, 1, 4, 4]
    bf = kw.get("batch_first", False)
    torch.manual_seed(0)
    theirs = getattr(torch.nn, kind)(3, 4, **kw).double()
    ours = getattr(nn, kind)(3, 4, **kw).double()
    ours.load_state_dict({k: ag.tensor(_np(v).copy()) for k, v in theirs.state_dict().items()})
    x = RNG.standard_normal((5, 5, 3))
    n_states = kw.get("num_layers", 1) * (2 if kw.get("bidirectional") else 1)
    h0 = [RNG.standard_normal((n_states, 5, 4)) for _ in range(2)]
    xa, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ha, ht = _state(kind, h0[0].shape, ag, h0), _state(kind, h0[0].shape, torch, h0)
    if kind == "LSTM":
        ht = tuple(ht)  # ours gets the list: PyTorch indexes the state, so lists work there
    outs = []
    for model, mod, xin, h in ((ours, R, xa, ha), (theirs, TR, xt, ht)):
        packed = mod.pack_padded_sequence(xin, lengths, batch_first=bf, enforce_sorted=enforce)
        out, h_n = model(packed, h)
        assert type(out).__name__ == "PackedSequence"
        padded, _ = mod.pad_packed_sequence(out, batch_first=bf)
        outs.append((padded, h_n if isinstance(h_n, tuple) else (h_n,)))
    (pa, hna), (pt, hnt) = outs
    np.testing.assert_allclose(_np(pa), _np(pt), **TOL)
    for a, t in zip(hna, hnt):
        np.testing.assert_allclose(_np(a), _np(t), **TOL)
    seeds = [RNG.standard_normal(tuple(t.shape)) for t in (pt, *hnt)]
    sum((a * ag.tensor(s)).sum() for a, s in zip((pa, *hna), seeds)).backward()
    sum((t * torch.tensor(s)).sum() for t, s in zip((pt, *hnt), seeds)).backward()
    np.testing.assert_allclose(_np(xa.grad), _np(xt.grad), **TOL)
    for a, t in zip(ha if isinstance(ha, list) else [ha], ht if isinstance(ht, tuple) else [ht]):
        np.testing.assert_allclose(_np(a.grad), _np(t.grad), **TOL)
    grads = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(_np(p.grad), _np(grads[name].grad), err_msg=name, **TOL)


def test_lstm_state_as_list_and_flatten_parameters() -> None:
    lstm = nn.LSTM(3, 4, num_layers=2)
    assert lstm.flatten_parameters() is None
    x = ag.randn(5, 2, 3)
    h, c = ag.randn(2, 2, 4), ag.randn(2, 2, 4)
    out_list, (h_l, _) = lstm(x, [h, c])
    out_tuple, (h_t, _) = lstm(x, (h, c))
    np.testing.assert_array_equal(_np(out_list), _np(out_tuple))
    np.testing.assert_array_equal(_np(h_l), _np(h_t))


@pytest.mark.parametrize("kw", [{}, dict(batch_first=True, padding_value=-1.0),
                                dict(padding_side="left")], ids=str)
def test_pad_sequence_matches_torch(check, kw) -> None:
    arrays = [RNG.standard_normal((n, 2)) for n in (2, 4, 1)]
    check(lambda *s: R.pad_sequence(list(s), **kw), lambda *s: TR.pad_sequence(list(s), **kw),
          arrays)


def test_pack_sequence_and_unpack_like_torch() -> None:
    seqs = [RNG.standard_normal((n, 2)) for n in (2, 4, 1)]
    pa = R.pack_sequence([ag.tensor(s) for s in seqs], enforce_sorted=False)
    pt = TR.pack_sequence([torch.tensor(s) for s in seqs], enforce_sorted=False)
    np.testing.assert_array_equal(_np(pa.data), _np(pt.data))
    for a, s in zip(R.unpack_sequence(pa), seqs):
        np.testing.assert_array_equal(_np(a), s)
    broadcast = R.pad_sequence([ag.tensor(seqs[0]), ag.ones(3, 1)], padding_value=5.0)
    np.testing.assert_array_equal(_np(broadcast), _np(TR.pad_sequence(
        [torch.tensor(seqs[0]), torch.ones(3, 1)], padding_value=5.0)))
    padded = R.pad_sequence([ag.tensor(s) for s in seqs])
    for a, s in zip(R.unpad_sequence(padded, ag.tensor([2, 4, 1])), seqs):
        np.testing.assert_array_equal(_np(a), s)
    assert pa.double().data.dtype == ag.float64 and not pa.is_cuda
    assert pa._fields == pt._fields


@pytest.mark.parametrize("call", [
    lambda m, x: m.pack_padded_sequence(x, [2, 3, 1]),
    lambda m, x: m.pack_padded_sequence(x, [3, 0, 1]),
    lambda m, x: m.pack_padded_sequence(x, [3, 1, 0]),
    lambda m, x: m.pack_padded_sequence(x, [3, 1, 0], enforce_sorted=False),
    lambda m, x: m.pack_padded_sequence(x, [3, 1]),
    lambda m, x: m.pack_padded_sequence(x, [[3, 1, 1]]),
    lambda m, x: m.pad_packed_sequence(m.pack_padded_sequence(x, [3, 2, 1]), total_length=2),
    lambda m, x: m.pad_sequence([x[0], x[0].T]),
    lambda m, x: m.pad_sequence([]),
    lambda m, x: m.pad_sequence([x[0]], padding_side="top"),
    lambda m, x: m.pack_sequence([x[0, :2], x[0]]),
])
def test_errors_match_torch(call) -> None:
    x = RNG.standard_normal((4, 3, 2))
    _raises_like(lambda: call(R, ag.tensor(x)), lambda: call(TR, torch.tensor(x)))


def test_a_length_past_the_input_is_refused() -> None:
    # PyTorch reads past the end of the input here; we refuse.
    with pytest.raises(RuntimeError, match="longer than the input's sequence dimension"):
        R.pack_padded_sequence(ag.randn(4, 3, 2), [5, 3, 1])


SUBMODULES = ["activation", "batchnorm", "container", "conv", "distance", "dropout", "flatten",
              "linear", "loss", "module", "normalization", "pixelshuffle", "pooling", "rnn",
              "sparse", "transformer", "upsampling"]


@pytest.mark.parametrize("name", SUBMODULES)
def test_nn_modules_paths_are_torchs(name) -> None:
    ours = importlib.import_module(f"autograd_core.nn.modules.{name}")
    theirs = importlib.import_module(f"torch.nn.modules.{name}")
    assert ours.__all__ and set(ours.__all__) <= set(theirs.__all__)
    for attr in ours.__all__:
        assert getattr(ours, attr) is getattr(nn, attr)
        assert getattr(nn.modules, attr) is getattr(nn, attr)


def test_nn_modules_path_as_a_script_writes_it() -> None:
    from autograd_core.nn.modules.dropout import Dropout
    from autograd_core.nn.modules.linear import Linear
    from autograd_core.nn.modules.transformer import TransformerEncoderLayer

    assert Dropout is nn.Dropout and Linear is nn.Linear
    assert TransformerEncoderLayer is nn.TransformerEncoderLayer
    assert isinstance(nn.modules.rnn.LSTM(2, 2), nn.modules.module.Module)


def test_nn_modules_utils_like_torch() -> None:
    from autograd_core.nn.modules.utils import (
        _pair,
        _quadruple,
        _reverse_repeat_tuple,
        _single,
        _triple,
        consume_prefix_in_state_dict_if_present,
    )

    tu = importlib.import_module("torch.nn.modules.utils")
    for ours, theirs in ((_single, tu._single), (_pair, tu._pair), (_triple, tu._triple),
                         (_quadruple, tu._quadruple)):
        for value in (3, (1, 2), [4, 5, 6]):
            assert ours(value) == theirs(value)
    assert _reverse_repeat_tuple((1, 2), 2) == tu._reverse_repeat_tuple((1, 2), 2)
    sd = {"module.fc.weight": 1, "module.fc.bias": 2, "other": 3}
    consume_prefix_in_state_dict_if_present(sd, "module.")
    assert sd == {"fc.weight": 1, "fc.bias": 2, "other": 3}

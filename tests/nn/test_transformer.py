"""nn.Transformer and its layers against PyTorch: a torch state_dict copied into ours gives the
same outputs and gradients in float64 (eval mode), with every kind of mask."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn

torch = pytest.importorskip("torch")
tn = torch.nn
R = np.random.default_rng(3)
X = R.standard_normal((6, 3, 8))  # (S, N, E)
Y = R.standard_normal((5, 3, 8))  # (T, N, E)
KPM = np.zeros((3, 6), bool)
KPM[1, 4:] = True
KPM[2, 5] = True
CAUSAL5 = np.triu(np.full((5, 5), -np.inf), 1)
CAUSAL6 = np.triu(np.full((6, 6), -np.inf), 1)


def _bf(a: np.ndarray) -> np.ndarray:
    return a.transpose(1, 0, 2).copy()


def _pair(make: Any) -> tuple[Any, Any]:
    """PyTorch's module and ours with its state_dict, both float64 and in eval mode."""
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch's note on nested tensors
        theirs = make(tn).double()
    ours = make(nn).double()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for (name, p), (name_t, pt) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert name == name_t and tuple(p.shape) == tuple(pt.shape)
    ours.load_state_dict({k: ag.tensor(v.detach().numpy().copy())
                          for k, v in theirs.state_dict().items()})
    return ours.eval(), theirs.eval()


def _convert(kw: dict, to: Any) -> dict:
    return {k: to(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}


CASES = [
    ("encoder_layer", lambda m: m.TransformerEncoderLayer(8, 2, 16), [X], {}),
    ("encoder_layer_gelu_norm_first",
     lambda m: m.TransformerEncoderLayer(8, 2, 16, activation="gelu", norm_first=True), [X], {}),
    ("encoder_layer_batch_first_mask", lambda m: m.TransformerEncoderLayer(8, 2, 16,
                                                                           batch_first=True),
     [X], {"src_mask": np.triu(np.full((3, 3), -np.inf), 1)}),
    ("encoder_layer_unbatched", lambda m: m.TransformerEncoderLayer(8, 2, 16), [X[:, 0]], {}),
    ("encoder_layer_no_bias", lambda m: m.TransformerEncoderLayer(8, 4, 16, bias=False), [X],
     {"src_key_padding_mask": KPM}),
    ("encoder_masks", lambda m: m.TransformerEncoder(m.TransformerEncoderLayer(8, 2, 16), 2,
                                                     m.LayerNorm(8)),
     [X], {"src_key_padding_mask": KPM, "mask": CAUSAL6}),
    ("encoder_batch_first_padding", lambda m: m.TransformerEncoder(
        m.TransformerEncoderLayer(8, 2, 16, batch_first=True), 2), [_bf(X)],
     {"src_key_padding_mask": KPM}),
    ("encoder_bool_causal", lambda m: m.TransformerEncoder(m.TransformerEncoderLayer(8, 2, 16),
                                                           2),
     [X], {"mask": np.triu(np.ones((6, 6), bool), 1), "is_causal": True}),
    ("decoder_layer", lambda m: m.TransformerDecoderLayer(8, 2, 16), [Y, X],
     {"tgt_mask": CAUSAL5, "memory_key_padding_mask": KPM}),
    ("decoder_norm_first_gelu", lambda m: m.TransformerDecoder(
        m.TransformerDecoderLayer(8, 2, 16, norm_first=True, activation="gelu"), 2,
        m.LayerNorm(8)), [Y, X], {"tgt_mask": np.triu(np.ones((5, 5), bool), 1)}),
    ("transformer", lambda m: m.Transformer(8, 2, 2, 2, 16), [X, Y],
     {"tgt_mask": CAUSAL5, "src_key_padding_mask": KPM, "memory_key_padding_mask": KPM}),
    ("transformer_batch_first_norm_first", lambda m: m.Transformer(
        8, 2, 1, 1, 16, batch_first=True, norm_first=True, activation="gelu"),
     [_bf(X), _bf(Y)], {"tgt_mask": CAUSAL5, "tgt_is_causal": True}),
]


@pytest.mark.parametrize(("name", "make", "inputs", "kw"), CASES, ids=[c[0] for c in CASES])
def test_matches_torch_with_its_state_dict(name, make, inputs, kw) -> None:
    ours, theirs = _pair(make)
    xa = [ag.tensor(x.copy(), requires_grad=True) for x in inputs]
    xt = [torch.tensor(x.copy(), requires_grad=True) for x in inputs]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch's note on mixed mask types
        yt = theirs(*xt, **_convert(kw, torch.tensor))
    ya = ours(*xa, **_convert(kw, ag.tensor))
    np.testing.assert_allclose(ya.detach().numpy(), yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    seed = R.standard_normal(tuple(yt.shape))
    ya.backward(ag.tensor(seed))
    yt.backward(torch.tensor(seed))
    for a, t in zip(xa, xt):
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-9, atol=1e-11)
    grads = {n: p.grad for n, p in theirs.named_parameters()}
    for n, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), grads[n].numpy(), rtol=1e-9, atol=1e-11,
                                   err_msg=n)


def test_encoder_eval_without_grad_zeroes_padding_like_torch() -> None:
    # PyTorch's nested-tensor path: padded positions of the stack's output come back as zeros.
    make = lambda m: m.TransformerEncoder(  # noqa: E731
        m.TransformerEncoderLayer(8, 2, 16, batch_first=True), 2)
    ours, theirs = _pair(make)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yt = theirs(torch.tensor(_bf(X)), src_key_padding_mask=torch.tensor(KPM)).numpy()
    with ag.no_grad():
        ya = ours(ag.tensor(_bf(X)), src_key_padding_mask=ag.tensor(KPM)).numpy()
    assert not yt[1, 4:].any()
    np.testing.assert_allclose(ya, yt, rtol=1e-10, atol=1e-12)


def test_training_step_with_dropout_zero_matches_torch() -> None:
    ours, theirs = _pair(lambda m: m.Transformer(8, 2, 1, 1, 16, dropout=0.0))
    ours.train()
    theirs.train()
    opt_a = ag.optim.SGD(ours.parameters(), lr=0.1)
    opt_t = torch.optim.SGD(theirs.parameters(), lr=0.1)
    for _ in range(2):
        for model, opt, lib in ((ours, opt_a, ag), (theirs, opt_t, torch)):
            opt.zero_grad()
            out = model(lib.tensor(X), lib.tensor(Y), tgt_mask=lib.tensor(CAUSAL5))
            (out ** 2).mean().backward()
            opt.step()
    for (n, p), pt in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.detach().numpy(), pt.detach().numpy(), rtol=1e-9,
                                   atol=1e-11, err_msg=n)


def test_generate_square_subsequent_mask_like_torch() -> None:
    ours = nn.Transformer.generate_square_subsequent_mask(4)
    theirs = tn.Transformer.generate_square_subsequent_mask(4)
    assert ours.dtype == ag.float32
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert nn.Transformer.generate_square_subsequent_mask(3, dtype=ag.float64).dtype == ag.float64


def test_default_init_is_xavier_for_matrices() -> None:
    ag.manual_seed(0)
    model = nn.Transformer(32, 4, 1, 1, 64)
    w = model.encoder.layers[0].linear1.weight.detach().numpy()
    bound = np.sqrt(6 / (32 + 64))
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    layers = [model.encoder.layers[0], model.decoder.layers[0]]
    assert all(layer.norm1.weight.tolist() == [1.0] * 32 for layer in layers)
    assert model.encoder.norm is not None and model.decoder.num_layers == 1


@pytest.mark.parametrize("call", [
    lambda m: m.TransformerEncoderLayer(8, 2, activation="tanh"),
    lambda m: m.Transformer(8, 2, 1, 1, 16)(m_tensor(m, (6, 3, 8)), m_tensor(m, (5, 2, 8))),
    lambda m: m.Transformer(8, 2, 1, 1, 16)(m_tensor(m, (6, 3, 8)), m_tensor(m, (5, 3, 4))),
    lambda m: m.TransformerEncoderLayer(8, 2, 16)(m_tensor(m, (6, 3, 8)), is_causal=True),
])
def test_errors_match_torch(call) -> None:
    with pytest.raises(Exception) as want, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        call(tn)
    with pytest.raises(type(want.value)) as got:
        call(nn)
    assert str(got.value) == str(want.value)


def m_tensor(m: Any, shape: tuple) -> Any:
    lib = torch if m is tn else ag
    return lib.zeros(*shape)


def test_float32_transformer_matches_torch() -> None:
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = tn.Transformer(8, 2, 2, 2, 16, dropout=0.0).eval()
    ours = nn.Transformer(8, 2, 2, 2, 16, dropout=0.0).eval()
    ours.load_state_dict({k: ag.tensor(v.detach().numpy().copy())
                          for k, v in theirs.state_dict().items()})
    src, tgt = X.astype(np.float32), Y.astype(np.float32)
    mask = tn.Transformer.generate_square_subsequent_mask(5)
    yt = theirs(torch.tensor(src), torch.tensor(tgt), tgt_mask=mask)
    ya = ours(ag.tensor(src), ag.tensor(tgt),
              tgt_mask=nn.Transformer.generate_square_subsequent_mask(5))
    assert ya.dtype == ag.float32
    np.testing.assert_allclose(ya.detach().numpy(), yt.detach().numpy(), rtol=2e-4, atol=2e-5)


def test_repr_matches_torch() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = tn.Transformer(8, 2, 1, 1, 16, activation="gelu")
    assert repr(nn.Transformer(8, 2, 1, 1, 16, activation="gelu")) == repr(theirs)

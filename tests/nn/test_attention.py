"""scaled_dot_product_attention and MultiheadAttention against PyTorch, masks included."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import autograd_core as ag
import autograd_core.nn.functional as F
from autograd_core import nn
from autograd_core.testing.gradcheck import gradcheck

RNG = np.random.default_rng(11)
E, HEADS, L, S, N = 8, 2, 3, 5, 4


def _torch() -> Any:
    return pytest.importorskip("torch")


def _close(a: Any, b: Any, tol: float = 1e-10) -> None:
    np.testing.assert_allclose(a.detach().cpu().numpy(), b.detach().cpu().numpy(), atol=tol,
                               rtol=tol)


def _pairs(*arrays: np.ndarray) -> tuple[list, list]:
    torch = _torch()
    return ([ag.tensor(a, requires_grad=True) for a in arrays],
            [torch.tensor(a, requires_grad=True) for a in arrays])


# ------------------------------------------------------------------ sdpa
SDPA_CASES = {
    "plain": {},
    "causal": {"is_causal": True},
    "scale": {"scale": 0.3},
    "bool mask with a fully masked row": {"mask": "bool"},
    "float mask": {"mask": "float"},
    "broadcast float mask": {"mask": "float3"},
}


@pytest.mark.parametrize("case", list(SDPA_CASES))
def test_sdpa_matches_torch(case: str) -> None:
    torch = _torch()
    kw = dict(SDPA_CASES[case])
    n_k = 4 if kw.get("is_causal") else 6
    arrays = [RNG.standard_normal((2, 3, 4, 5)), RNG.standard_normal((2, 3, n_k, 5)),
              RNG.standard_normal((2, 3, n_k, 7))]
    mask_kind = kw.pop("mask", None)
    mask = None
    if mask_kind == "bool":
        mask = RNG.random((4, n_k)) > 0.4
        mask[1] = False  # PyTorch gives zeros for a row that may attend to nothing
    elif mask_kind == "float":
        mask = RNG.standard_normal((4, n_k))
    elif mask_kind == "float3":
        mask = RNG.standard_normal((3, 1, n_k))
    if mask is not None and mask.dtype != bool:
        arrays.append(mask)
    ours, theirs = _pairs(*arrays)
    if mask is not None and mask.dtype == bool:
        ours.append(ag.tensor(mask))
        theirs.append(torch.tensor(mask))
    y = F.scaled_dot_product_attention(*ours[:3], ours[3] if len(ours) > 3 else None, **kw)
    ty = torch.nn.functional.scaled_dot_product_attention(
        *theirs[:3], theirs[3] if len(theirs) > 3 else None, **kw)
    _close(y, ty)
    g = RNG.standard_normal(tuple(ty.shape))
    (y * ag.tensor(g)).sum().backward()
    ty.backward(torch.tensor(g))
    for a, b in zip(ours, theirs):
        if a.requires_grad:  # q, k, v and a float mask
            _close(a.grad, b.grad)


def test_sdpa_gradcheck_float64() -> None:
    q, k, v = (ag.tensor(RNG.standard_normal(s), requires_grad=True)
               for s in ((2, 3, 4), (2, 5, 4), (2, 5, 3)))
    mask = ag.tensor(RNG.standard_normal((3, 5)), requires_grad=True)
    sdpa = F.scaled_dot_product_attention
    assert gradcheck(lambda q, k, v, m: sdpa(q, k, v, m), (q, k, v, mask))
    assert gradcheck(lambda q, k, v: sdpa(q, k, v, is_causal=True, dropout_p=0.0), (q, k, v))


def test_sdpa_dropout_changes_output_only_when_asked() -> None:
    q = ag.randn(1, 4, 8)
    a = F.scaled_dot_product_attention(q, q, q)
    b = F.scaled_dot_product_attention(q, q, q, dropout_p=0.5)
    assert not np.allclose(a.cpu().numpy(), b.cpu().numpy())


def test_sdpa_errors() -> None:
    q = ag.randn(1, 4, 8)
    with pytest.raises(RuntimeError, match="Explicit attn_mask should not be set"):
        F.scaled_dot_product_attention(q, q, q, ag.ones(4, 4, dtype=ag.bool), is_causal=True)
    with pytest.raises(RuntimeError, match="incompatible shapes"):
        F.scaled_dot_product_attention(q, ag.randn(1, 4, 7), q)


# ------------------------------------------------------------------ MultiheadAttention
def _copy_weights(ours: Any, theirs: Any) -> None:
    mine = dict(ours.named_parameters())
    assert list(mine) == [n for n, _ in theirs.named_parameters()]
    for name, tp in theirs.named_parameters():
        mine[name].data = ag.tensor(tp.detach().cpu().numpy().copy())


def _mask(kind: str | None, shape: tuple) -> np.ndarray | None:
    if kind == "bool":
        m = RNG.random(shape) < 0.3
        m[..., 0] = False  # keep one key per query so no row is fully masked
        return m
    if kind == "float":
        return RNG.standard_normal(shape)
    return None


MHA_CASES = [
    # batch_first, key_padding_mask, attn_mask, need_weights, average, self-attention, kdim
    (False, None, None, True, True, True, None),
    (True, "bool", None, True, False, False, None),
    (False, None, "bool", True, True, False, None),
    (True, "float", "float", False, True, True, None),
    (False, "bool", "bool", False, True, False, 6),
    (True, None, "3d", True, False, False, 6),
    (False, "float", None, True, True, True, None),
]


@pytest.mark.parametrize("case", MHA_CASES)
def test_multihead_attention_matches_torch(case: tuple) -> None:
    torch = _torch()
    batch_first, kpm_kind, am_kind, need_weights, average, self_attn, kdim = case
    theirs = torch.nn.MultiheadAttention(E, HEADS, batch_first=batch_first, kdim=kdim,
                                         vdim=kdim).double()
    ours = nn.MultiheadAttention(E, HEADS, batch_first=batch_first, kdim=kdim, vdim=kdim)
    _copy_weights(ours, theirs)
    src = L if self_attn else S

    def layout(t: int, e: int) -> tuple:
        return (N, t, e) if batch_first else (t, N, e)

    if self_attn:
        (q,), (tq,) = _pairs(RNG.standard_normal(layout(L, E)))
        k = v = q
        tk = tv = tq
    else:
        (q, k, v), (tq, tk, tv) = _pairs(RNG.standard_normal(layout(L, E)),
                                         RNG.standard_normal(layout(src, kdim or E)),
                                         RNG.standard_normal(layout(src, kdim or E)))
    kw: dict = {}
    tkw: dict = {}
    kpm = _mask(kpm_kind, (N, src))
    am = _mask("float" if am_kind == "3d" else am_kind,
               (N * HEADS, L, src) if am_kind == "3d" else (L, src))
    for name, m in (("key_padding_mask", kpm), ("attn_mask", am)):
        if m is not None:
            kw[name], tkw[name] = ag.tensor(m), torch.tensor(m)
    out, w = ours(q, k, v, need_weights=need_weights, average_attn_weights=average, **kw)
    tout, tw = theirs(tq, tk, tv, need_weights=need_weights, average_attn_weights=average,
                      **tkw)
    _close(out, tout)
    if need_weights:
        _close(w, tw)
    else:
        assert w is None
    loss = (out * out).sum() + ((w * w).sum() if need_weights else 0)
    tloss = (tout * tout).sum() + ((tw * tw).sum() if need_weights else 0)
    loss.backward()
    tloss.backward()
    for a, b in ((q, tq), (k, tk), (v, tv)):
        _close(a.grad, b.grad)
    tparams = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        _close(p.grad, tparams[name].grad)


def test_multihead_attention_unbatched_and_float32() -> None:
    torch = _torch()
    theirs = torch.nn.MultiheadAttention(E, HEADS)
    ours = nn.MultiheadAttention(E, HEADS)
    _copy_weights(ours, theirs)
    x = RNG.standard_normal((L, E)).astype(np.float32)
    out, w = ours(ag.tensor(x), ag.tensor(x), ag.tensor(x))
    tout, tw = theirs(*(torch.tensor(x),) * 3)
    _close(out, tout, 1e-5)
    _close(w, tw, 1e-5)
    assert tuple(out.shape) == (L, E) and tuple(w.shape) == (L, L)


def test_multihead_attention_parameters_and_errors() -> None:
    mha = nn.MultiheadAttention(E, HEADS)
    assert [n for n, _ in mha.named_parameters()] == [
        "in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]
    assert not mha.in_proj_bias.detach().cpu().numpy().any()  # PyTorch starts the biases at zero
    separate = nn.MultiheadAttention(E, HEADS, kdim=3, vdim=5)
    assert tuple(separate.k_proj_weight.shape) == (E, 3) and separate.in_proj_weight is None
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        nn.MultiheadAttention(6, 4)
    x = ag.randn(L, N, E)
    with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal hint"):
        mha(x, x, x, is_causal=True)
    with pytest.raises(RuntimeError, match="The shape of the 2D attn_mask is"):
        mha(x, x, x, attn_mask=ag.zeros(2, 2))


def test_causal_hint_with_causal_mask_matches_torch() -> None:
    torch = _torch()
    theirs = torch.nn.MultiheadAttention(E, HEADS, batch_first=True).double()
    ours = nn.MultiheadAttention(E, HEADS, batch_first=True)
    _copy_weights(ours, theirs)
    x = RNG.standard_normal((N, L, E))
    mask = np.triu(np.ones((L, L), bool), 1)
    out, _ = ours(*(ag.tensor(x),) * 3, attn_mask=ag.tensor(mask), is_causal=True,
                  need_weights=False)
    tout, _ = theirs(*(torch.tensor(x),) * 3, attn_mask=torch.tensor(mask), is_causal=True,
                     need_weights=False)
    _close(out, tout)


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize(("bias_kv", "zero_attn"), [(True, False), (False, True), (True, True)])
def test_mha_extra_keys_match_torch(bias_kv: bool, zero_attn: bool, need_weights: bool) -> None:
    torch = _torch()
    torch.manual_seed(0)
    theirs = torch.nn.MultiheadAttention(E, HEADS, add_bias_kv=bias_kv, add_zero_attn=zero_attn,
                                         batch_first=True).double()
    ours = nn.MultiheadAttention(E, HEADS, add_bias_kv=bias_kv, add_zero_attn=zero_attn,
                                 batch_first=True).double()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: ag.tensor(v.detach().numpy().copy())
                          for k, v in theirs.state_dict().items()})
    (qa, ka), (qt, kt) = _pairs(RNG.standard_normal((N, L, E)), RNG.standard_normal((N, S, E)))
    kpm = np.zeros((N, S), bool)
    kpm[1, 3:] = True
    causal = np.triu(np.ones((L, S), bool), 1)
    ya, wa = ours(qa, ka, ka, key_padding_mask=ag.tensor(kpm), attn_mask=ag.tensor(causal),
                  need_weights=need_weights)
    yt, wt = theirs(qt, kt, kt, key_padding_mask=torch.tensor(kpm),
                    attn_mask=torch.tensor(causal), need_weights=need_weights)
    _close(ya, yt)
    if need_weights:
        _close(wa, wt)
    seed = RNG.standard_normal(tuple(yt.shape))
    ya.backward(ag.tensor(seed))
    yt.backward(torch.tensor(seed))
    _close(qa.grad, qt.grad)
    _close(ka.grad, kt.grad)
    grads = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        _close(p.grad, grads[name].grad)

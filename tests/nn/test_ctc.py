"""CTC loss against PyTorch: losses for every reduction, padded and concatenated targets,
empty targets, repeated labels, infeasible alignments (inf / zero_infinity), and gradients
to the logits through log_softmax (float64), float32 too; gradcheck."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
from autograd_core.nn import functional as F
from autograd_core.testing import gradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional
R = np.random.default_rng(7)

T, N, C = 8, 3, 5
TARGETS = np.array([[1, 2, 2], [3, 4, 1], [2, 1, 1]])  # repeats need a blank between them
INPUT_LENGTHS = [8, 6, 5]
TARGET_LENGTHS = [3, 2, 0]  # the last sample's target is empty


def _both(x, dtype, targets=TARGETS, il=INPUT_LENGTHS, tl=TARGET_LENGTHS, **kw):
    xa = ag.tensor(x.astype(dtype), requires_grad=True)
    xt = torch.tensor(x.astype(dtype), requires_grad=True)
    la = F.ctc_loss(xa.log_softmax(-1), ag.tensor(targets), il, tl, **kw)
    lt = TF.ctc_loss(xt.log_softmax(-1), torch.tensor(targets), il, tl, **kw)
    return xa, xt, la, lt


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("blank", [0, 4])
def test_ctc_matches_torch(reduction, blank, dtype) -> None:
    targets = np.where(np.equal(TARGETS, blank), (blank + 1) % C, TARGETS)
    xa, xt, la, lt = _both(R.standard_normal((T, N, C)), dtype, targets, reduction=reduction,
                           blank=blank)
    rtol = 1e-10 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(la.detach().numpy(), lt.detach().numpy(), rtol=rtol)
    la.sum().backward()
    lt.sum().backward()
    np.testing.assert_allclose(xa.grad.numpy(), xt.grad.numpy(), rtol=rtol * 10,
                               atol=rtol / 10)


def test_concatenated_targets_and_module_match_torch() -> None:
    x = R.standard_normal((T, N, C))
    flat = np.concatenate([TARGETS[i, :n] for i, n in enumerate(TARGET_LENGTHS)])
    ours = nn.CTCLoss()(ag.tensor(x).log_softmax(-1), ag.tensor(flat),
                        ag.tensor(INPUT_LENGTHS), ag.tensor(TARGET_LENGTHS))
    theirs = torch.nn.CTCLoss()(torch.tensor(x).log_softmax(-1), torch.tensor(flat),
                                torch.tensor(INPUT_LENGTHS), torch.tensor(TARGET_LENGTHS))
    np.testing.assert_allclose(ours.item(), theirs.item(), rtol=1e-10)
    assert repr(nn.CTCLoss(blank=2)) == repr(torch.nn.CTCLoss(blank=2))


@pytest.mark.parametrize("zero_infinity", [False, True])
def test_infeasible_alignment_is_inf_or_zero(zero_infinity) -> None:
    x = R.standard_normal((3, 1, C))
    xa, xt, la, lt = _both(x, np.float64, np.array([[1, 1, 1]]), [3], [3],
                           reduction="none", zero_infinity=zero_infinity)
    assert la.item() == lt.item()
    if zero_infinity:
        la.sum().backward()
        lt.sum().backward()
        np.testing.assert_array_equal(xa.grad.numpy(), xt.grad.numpy())


def test_ctc_gradcheck_and_unbatched() -> None:
    x = ag.tensor(R.standard_normal((5, 2, 4)), requires_grad=True)
    assert gradcheck(lambda t: F.ctc_loss(t.log_softmax(-1), ag.tensor([[1, 2], [3, 3]]),
                                          [5, 4], [2, 2]), (x,))
    u = R.standard_normal((6, C))
    ours = F.ctc_loss(ag.tensor(u).log_softmax(-1), ag.tensor([1, 2]), [6], [2],
                      reduction="none")
    theirs = TF.ctc_loss(torch.tensor(u).log_softmax(-1), torch.tensor([1, 2]), [6], [2],
                         reduction="none")
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10)

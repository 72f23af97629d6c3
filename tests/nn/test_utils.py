"""nn.utils against PyTorch: gradient clipping by norm and value, parameter vectors."""

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn

torch = pytest.importorskip("torch")


def _pair(seed: int = 0):
    rng = np.random.default_rng(seed)
    ws = [rng.standard_normal(s) for s in [(3, 4), (4,), (2, 3)]]
    ours = [ag.tensor(w, requires_grad=True) for w in ws]
    theirs = [torch.tensor(w, requires_grad=True) for w in ws]
    for o, t, k in zip(ours, theirs, [3.0, -2.0, 5.0]):
        (o * o * k).sum().backward()
        (t * t * k).sum().backward()
    return ours, theirs


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    ours, theirs = _pair()
    total = nn.utils.clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert total.item() == pytest.approx(expected.item(), rel=1e-10)
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.grad.cpu().numpy(), t.grad.numpy(), rtol=1e-10)


def test_clip_grad_norm_nonfinite_raises_when_asked():
    p = ag.tensor([1.0, 2.0], requires_grad=True)
    p.grad = ag.tensor([float("nan"), 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)


def test_clip_grad_value_matches_torch():
    ours, theirs = _pair(1)
    nn.utils.clip_grad_value_(ours, 2.5)
    torch.nn.utils.clip_grad_value_(theirs, 2.5)
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.grad.cpu().numpy(), t.grad.numpy())


def test_parameters_to_vector_and_back():
    model = nn.Linear(3, 2)
    vec = nn.utils.parameters_to_vector(model.parameters())
    assert vec.shape == (8,)
    nn.utils.vector_to_parameters(ag.arange(8.0), model.parameters())
    assert model.weight.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert model.bias.tolist() == [6.0, 7.0]

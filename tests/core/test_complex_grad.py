"""Complex tensors and autograd: what works is right, the rest refuses by name.

The engine's formulas are real-valued: for a holomorphic op they gave f'(z)·g where PyTorch
gives conj(f'(z))·g, so `mul`, `exp`, `matmul`, ... on a complex tensor that requires grad
produced silently wrong gradients. Such an op now raises, naming itself."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag

torch = pytest.importorskip("torch")

VALUES = [1 + 2j, 3 - 1j, -0.5 + 0.2j]


@pytest.mark.parametrize("name, f", [
    ("Mul", lambda x: x * x),
    ("Exp", lambda x: x.exp()),
    ("Sum", lambda x: x.sum()),
    ("Reshape", lambda x: x.reshape(3, 1) @ x.reshape(1, 3)),  # the first op refuses
])
def test_an_op_with_a_complex_output_that_requires_grad_is_refused(name, f) -> None:
    x = ag.tensor(VALUES, dtype=ag.complex128, requires_grad=True)
    with pytest.raises(RuntimeError, match="complex autograd is not supported") as info:
        f(x)
    assert str(info.value).startswith(name), str(info.value)


def test_abs_of_a_complex_leaf_has_pytorchs_gradient() -> None:
    x = ag.tensor(VALUES, dtype=ag.complex128, requires_grad=True)
    x.abs().sum().backward()
    t = torch.tensor(VALUES, dtype=torch.complex128, requires_grad=True)
    t.abs().sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-12)


def test_complex_values_without_grad_compute_as_before() -> None:
    x = ag.tensor(VALUES, dtype=ag.complex128)
    expected = torch.tensor(VALUES, dtype=torch.complex128)
    np.testing.assert_allclose((x * x).exp().sum().item(), (expected * expected).exp().sum().item(),
                               rtol=1e-12)
    np.testing.assert_allclose(x.sigmoid().numpy(), expected.sigmoid().numpy(), rtol=1e-12)

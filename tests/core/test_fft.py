"""torch.fft: transforms match PyTorch's values and dtypes; a transform of a tensor that
requires grad refuses (no complex autograd) rather than detaching silently; shifts and
frequencies match and the shifts are differentiable."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.oracle

X = np.random.default_rng(5).standard_normal((4, 6))

CALLS = {
    "fft": lambda f, x: f.fft(x),
    "fft:n-dim-ortho": lambda f, x: f.fft(x, 8, 0, "ortho"),
    "ifft:forward": lambda f, x: f.ifft(x, norm="forward"),
    "rfft": lambda f, x: f.rfft(x, n=5),
    "fftn": lambda f, x: f.fftn(x, s=(3, 4)),
    "ifftn": lambda f, x: f.ifftn(x, dim=(0,)),
    "rfftn": lambda f, x: f.rfftn(x),
    "fft2": lambda f, x: f.fft2(x),
    "ifft2": lambda f, x: f.ifft2(x, norm="ortho"),
    "rfft2": lambda f, x: f.rfft2(x),
    "fftshift": lambda f, x: f.fftshift(x),
    "ifftshift:dim": lambda f, x: f.ifftshift(x, dim=1),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(CALLS))
def test_transform_matches_torch(name: str, dtype: str) -> None:
    a = CALLS[name](ag.fft, ag.tensor(X.astype(dtype)))
    t = CALLS[name](torch.fft, torch.tensor(X.astype(dtype))).resolve_conj()
    assert str(a.dtype) == str(t.dtype) and tuple(a.shape) == tuple(t.shape)
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(a.numpy(), t.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("name", ["irfft", "irfftn", "irfft2"])
def test_inverse_real_transforms_round_trip(name: str) -> None:
    spec = torch.fft.rfft2(torch.tensor(X))
    a = getattr(ag.fft, name)(ag.tensor(spec.numpy()), s=(4, 6)) if name != "irfft" else \
        ag.fft.irfft(ag.tensor(spec.numpy()), n=6)
    t = getattr(torch.fft, name)(spec, s=(4, 6)) if name != "irfft" else \
        torch.fft.irfft(spec, n=6)
    assert a.dtype == ag.float64
    np.testing.assert_allclose(a.numpy(), t.numpy(), rtol=1e-12, atol=1e-12)


def test_frequencies_match_torch() -> None:
    for n, d in ((5, 0.1), (6, 1.0)):
        np.testing.assert_allclose(ag.fft.fftfreq(n, d).numpy(), torch.fft.fftfreq(n, d).numpy())
        np.testing.assert_allclose(ag.fft.rfftfreq(n, d).numpy(),
                                   torch.fft.rfftfreq(n, d).numpy())


def test_a_transform_of_a_grad_tensor_refuses() -> None:
    x = ag.tensor(X, requires_grad=True)
    with pytest.raises(RuntimeError, match="gradients through FFTs are not supported"):
        ag.fft.rfft(x)
    with ag.no_grad():
        assert ag.fft.rfft(x).shape == (4, 4)
    assert ag.fft.rfft(x.detach()).shape == (4, 4)


def test_shift_is_differentiable() -> None:
    x = ag.tensor(X, requires_grad=True)
    (ag.fft.fftshift(x) * ag.arange(24.0, dtype=ag.float64).reshape(4, 6)).sum().backward()
    t = torch.tensor(X, requires_grad=True)
    (torch.fft.fftshift(t) * torch.arange(24.0, dtype=torch.float64).reshape(4, 6)).sum() \
        .backward()
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())

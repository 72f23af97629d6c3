"""The GPU fast paths (backend/blas.py, backend/kernels.py) give the plain expressions'
results, and are live.

Each test compares a fast path with the plain CuPy expression it replaces on random data,
then checks that no path switched itself off (a silent fallback costs users the speed-up).
On a machine without a GPU they skip; the CPU side of the contract (numpy arrays take the
plain expression) is checked here always.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import autograd_core as ag
import autograd_core.nn.functional as F
from autograd_core import backend
from autograd_core.backend import blas, fastpath, kernels

_SKIP = ("the CuPy stand-in is installed" if getattr(backend.loaded_cupy(), "IS_FAKE", False)
         else backend.cuda_unavailable_reason())


def on_gpu(fn: Any) -> Any:
    """Mark a test `gpu` and skip it, with the reason, where no real GPU is usable."""
    return pytest.mark.gpu(pytest.mark.skipif(bool(_SKIP), reason=f"no CUDA GPU: {_SKIP}")(fn))

DTYPES = [np.float32, np.float64]
TOL = {np.float32: 1e-5, np.float64: 1e-12}


def _close(got: Any, want: Any, dtype: Any) -> None:
    import cupy

    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_allclose(cupy.asnumpy(got), cupy.asnumpy(want), rtol=TOL[dtype],
                               atol=TOL[dtype])


def _rand(*shape: int, dtype: Any = np.float32) -> Any:
    import cupy

    return cupy.asarray(np.random.default_rng(sum(shape)).standard_normal(shape).astype(dtype))


def test_numpy_arrays_take_the_plain_expressions() -> None:
    a, b = np.arange(6.0).reshape(2, 3), np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(blas.mm(a, b), a @ b)
    np.testing.assert_array_equal(blas.colsum(b), b.sum(axis=0))
    y = a @ b
    blas.bias_add_(y, np.arange(4.0))
    np.testing.assert_array_equal(y, a @ b + np.arange(4.0))
    assert kernels.ewise("tanh_backward", a, a) is None and not blas.axpy_(a, a, 1.0)
    assert kernels.cross_entropy(a, np.array([0, 1]), None, -100, "mean") is None


@on_gpu
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ta,tb", [(False, False), (True, False), (False, True), (True, True)])
@pytest.mark.parametrize("shape", [(64, 256, 10), (1, 7, 5), (33, 1, 17)])
def test_mm_matches_matmul_for_every_layout(shape: tuple, ta: bool, tb: bool,
                                            dtype: Any) -> None:
    m, k, n = shape
    a = _rand(k, m, dtype=dtype).T if ta else _rand(m, k, dtype=dtype)
    b = _rand(n, k, dtype=dtype).T if tb else _rand(k, n, dtype=dtype)
    _close(blas.mm(a, b), a @ b, dtype)
    assert "mm" not in fastpath.off


@on_gpu
@pytest.mark.parametrize("dtype", DTYPES)
def test_bias_add_colsum_axpy_match(dtype: Any) -> None:
    y, bias = _rand(50, 30, dtype=dtype), _rand(30, dtype=dtype)
    want = y + bias
    blas.bias_add_(y, bias)
    _close(y, want, dtype)
    _close(blas.colsum(want), want.sum(axis=0), dtype)
    x, g = _rand(20, 7, dtype=dtype), _rand(7, 20, dtype=dtype).T.copy()
    want = x - 0.1 * g
    assert blas.axpy_(x, g, -0.1)
    _close(x, want, dtype)
    assert not fastpath.off & {"bias_add", "colsum", "axpy"}


@on_gpu
@pytest.mark.parametrize("relu", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_addmm_and_bias_act_match(relu: bool, dtype: Any) -> None:
    import cupy

    z, a, b = _rand(16, 12, dtype=dtype), _rand(16, 5, dtype=dtype), _rand(12, 5, dtype=dtype)
    want = z + a @ b.T
    blas.addmm_(z, a, b.T)
    _close(z, want, dtype)
    extra, b1, b2 = _rand(16, 12, dtype=dtype) * 3, _rand(12, dtype=dtype), _rand(12, dtype=dtype)
    v = z + extra + b1 + b2
    want = cupy.maximum(v, 0) if relu else cupy.tanh(v)
    _close(kernels.bias_act_(z, extra, b1, b2, relu), want, dtype)
    assert not fastpath.off & {"mm", "bias_act"}


@on_gpu
@pytest.mark.parametrize("name,ref", [
    ("tanh_backward", lambda g, y: g * (1 - y * y)),
    ("sigmoid_backward", lambda g, y: g * y * (1 - y)),
    ("relu_backward", lambda g, y: g * (y > 0)),
])
@pytest.mark.parametrize("dtype", DTYPES)
def test_fused_elementwise_kernels_match(name: str, ref: Any, dtype: Any) -> None:
    g, y = _rand(300, 7, dtype=dtype), _rand(7, 300, dtype=dtype).T.copy()
    _close(kernels.ewise(name, g, y), ref(g, y), dtype)
    assert name not in fastpath.off


@on_gpu
def test_fused_relu_keeps_nan_as_torch() -> None:
    import cupy

    x = cupy.asarray(np.array([-1.0, 0.0, 2.0, np.nan], np.float32))
    np.testing.assert_array_equal(cupy.asnumpy(kernels.ewise("relu", x)), [0, 0, 2, np.nan])


@on_gpu
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shape", [(16, 10), (4, 5, 3), (7,)])
def test_fused_cross_entropy_matches_the_plain_formula(
        shape: tuple, weighted: bool, reduction: str, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(0)
    c = shape[1] if len(shape) > 1 else shape[0]
    t_shape = (shape[0], *shape[2:]) if len(shape) > 1 else ()
    xs = rng.standard_normal(shape)
    ts = rng.integers(0, c, t_shape)
    if t_shape:
        ts.reshape(-1)[::3] = -100  # some ignored targets
    ws = rng.uniform(0.5, 2.0, c) if weighted else None

    def run(use_fast: bool) -> tuple[np.ndarray, np.ndarray]:
        monkeypatch.setattr(fastpath, "enabled", use_fast)
        x = ag.tensor(xs, device="cuda", requires_grad=True)
        w = None if ws is None else ag.tensor(ws, device="cuda")
        loss = F.cross_entropy(x, ag.tensor(ts, device="cuda"), weight=w, reduction=reduction)
        loss.backward(ag.ones_like(loss))
        return loss.detach().cpu().numpy(), x.grad.cpu().numpy()

    (l_fast, g_fast), (l_plain, g_plain) = run(True), run(False)
    np.testing.assert_allclose(l_fast, l_plain, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(g_fast, g_plain, rtol=1e-12, atol=1e-12)
    assert "cross_entropy" not in fastpath.off


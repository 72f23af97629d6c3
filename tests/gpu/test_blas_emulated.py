"""backend/blas.py's cuBLAS calls, run on the CPU against a reference BLAS in numpy.

The direct cuBLAS paths pass raw pointers, leading dimensions and transpose flags in
column-major terms; a slip there is wrong numbers on the GPU only. Here `cupy` and
`cupy_backends.cuda.libs.cublas` are stand-ins: arrays are numpy arrays with a `.data.ptr`,
and each BLAS routine reads and writes memory through those pointers with the reference
BLAS semantics (column-major, lda/ldb/ldc, op(A)). So every argument blas.py computes is
checked here, on every CI run; on a GPU tests/gpu/test_fast.py checks the real library.
"""

from __future__ import annotations

import ctypes
import sys
import types
from typing import Any

import numpy as np
import pytest

from autograd_core import backend
from autograd_core.backend import blas, fastpath

_CT = {np.dtype(np.float32): ctypes.c_float, np.dtype(np.float64): ctypes.c_double}


class DevArray(np.ndarray):
    """A 'device' array: numpy memory with CuPy's `.data.ptr`."""

    @property
    def data(self) -> Any:  # type: ignore[override]
        return types.SimpleNamespace(ptr=self.ctypes.data)


def _dev(a: Any) -> DevArray:
    return np.asarray(a).view(DevArray)


def _mem(ptr: int, n: int, dtype: Any) -> np.ndarray:
    """n elements of dtype at a raw address, as a writable numpy view."""
    return np.ctypeslib.as_array(ctypes.cast(ptr, ctypes.POINTER(_CT[np.dtype(dtype)])), (n,))


def _cm(ptr: int, rows: int, cols: int, ld: int, dtype: Any) -> np.ndarray:
    """The column-major rows x cols matrix at ptr with leading dimension ld (a view)."""
    item = np.dtype(dtype).itemsize
    flat = _mem(ptr, ld * (cols - 1) + rows, dtype)
    return np.lib.stride_tricks.as_strided(flat, (rows, cols), (item, ld * item))


def _reference_blas(dtype: Any) -> dict:
    """gemm, ger, gemv and axpy with cuBLAS's signatures (host pointer mode)."""
    scalar = lambda p: _mem(p, 1, dtype)[0]  # noqa: E731

    def gemm(h, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc):
        op_a = _cm(a, k, m, lda, dtype).T if ta else _cm(a, m, k, lda, dtype)
        op_b = _cm(b, n, k, ldb, dtype).T if tb else _cm(b, k, n, ldb, dtype)
        out = _cm(c, m, n, ldc, dtype)
        out[...] = scalar(alpha) * (op_a @ op_b) + (scalar(beta) * out if scalar(beta) else 0)

    def ger(h, m, n, alpha, x, incx, y, incy, a, lda):
        out = _cm(a, m, n, lda, dtype)
        out += scalar(alpha) * np.outer(_mem(x, m, dtype), _mem(y, n, dtype))

    def gemv(h, trans, m, n, alpha, a, lda, x, incx, beta, y, incy):
        assert trans == 0
        out = _mem(y, m, dtype)
        prod = _cm(a, m, n, lda, dtype) @ _mem(x, n, dtype)
        out[...] = scalar(alpha) * prod + (scalar(beta) * out if scalar(beta) else 0)

    def axpy(h, n, alpha, x, incx, y, incy):
        _mem(y, n, dtype)[...] += scalar(alpha) * _mem(x, n, dtype)

    return {"gemm": gemm, "ger": ger, "gemv": gemv, "axpy": axpy}


@pytest.fixture
def emulated(monkeypatch: pytest.MonkeyPatch) -> Any:
    """blas.py sees a CuPy whose cuBLAS is the reference above."""
    f32, f64 = _reference_blas(np.float32), _reference_blas(np.float64)
    cublas = types.SimpleNamespace(
        sgemm=f32["gemm"], dgemm=f64["gemm"], sger=f32["ger"], dger=f64["ger"],
        sgemv=f32["gemv"], dgemv=f64["gemv"], saxpy=f32["axpy"], daxpy=f64["axpy"],
        setPointerMode=lambda h, mode: None)
    cupy = types.SimpleNamespace(
        ndarray=lambda shape, dtype: _dev(np.empty(shape, dtype)),
        ones=lambda n, dtype: _dev(np.ones(n, dtype)),
        arange=lambda n, dtype: _dev(np.arange(n, dtype=dtype)),
        asfortranarray=lambda a: _dev(np.asfortranarray(a)),
        ascontiguousarray=lambda a: _dev(np.ascontiguousarray(a)),
        array_equal=np.array_equal, float32=np.float32, float64=np.float64,
        cuda=types.SimpleNamespace(get_device_id=lambda: 0, device=types.SimpleNamespace(
            get_cublas_handle=lambda: 1)))
    libs = types.SimpleNamespace(cublas=cublas)
    for name, module in (("cupy", cupy), ("cupy_backends", types.SimpleNamespace()),
                         ("cupy_backends.cuda", types.SimpleNamespace(libs=libs)),
                         ("cupy_backends.cuda.libs", libs),
                         ("cupy_backends.cuda.libs.cublas", cublas)):
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.setattr(backend, "_cupy", types.SimpleNamespace(ndarray=DevArray))
    monkeypatch.setattr(blas, "_blas_state", None)
    monkeypatch.setattr(blas, "_ones_cache", {})
    monkeypatch.setattr(fastpath, "enabled", True)
    saved = set(fastpath.checked), set(fastpath.off)
    fastpath.checked.clear()
    fastpath.off.clear()
    yield
    for live, before in zip((fastpath.checked, fastpath.off), saved):
        live.clear()
        live.update(before)


def _rand(*shape: int, dtype: Any = np.float64) -> DevArray:
    return _dev(np.random.default_rng(sum(shape)).standard_normal(shape).astype(dtype))


def _plain(a: Any) -> np.ndarray:
    return np.asarray(a).view(np.ndarray)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("ta,tb", [(False, False), (True, False), (False, True), (True, True)])
@pytest.mark.parametrize("m,k,n", [(4, 6, 3), (1, 5, 7), (6, 1, 2)])
def test_gemm_arguments_give_the_product(emulated: Any, m: int, k: int, n: int, ta: bool,
                                         tb: bool, dtype: Any) -> None:
    a = _rand(k, m, dtype=dtype).T if ta else _rand(m, k, dtype=dtype)
    b = _rand(n, k, dtype=dtype).T if tb else _rand(k, n, dtype=dtype)
    got = blas.mm(a, b)
    assert "mm" in fastpath.checked and not fastpath.off  # the cuBLAS path ran, not a @ b
    np.testing.assert_allclose(_plain(got), _plain(a) @ _plain(b), rtol=1e-5)
    z = _rand(m, n, dtype=dtype)
    want = _plain(z) + _plain(a) @ _plain(b)
    blas.addmm_(z, a, b)
    np.testing.assert_allclose(_plain(z), want, rtol=1e-5)


def test_bias_sums_and_axpy_arguments(emulated: Any) -> None:
    y, bias = _rand(5, 3), _rand(3)
    want = _plain(y) + _plain(bias)
    blas.bias_add_(y, bias)
    np.testing.assert_allclose(_plain(y), want)
    np.testing.assert_allclose(_plain(blas.colsum(y)), want.sum(axis=0))
    x, g = _rand(4, 3), _rand(4, 3)
    want = _plain(x) - 0.25 * _plain(g)
    assert blas.axpy_(x, g, -0.25)
    np.testing.assert_allclose(_plain(x), want)
    assert {"bias_add", "colsum", "axpy"} <= fastpath.checked and not fastpath.off


def test_products_sum_into_a_buffer(emulated: Any) -> None:
    """The RNN's deferred weight gradients: gz^T @ x and gz's column sums, into buffers."""
    blas.mm(_rand(2, 2), _rand(2, 2))
    blas.colsum(_rand(2, 2))
    gz, x = _rand(6, 4), _rand(6, 3)
    w_grad, b_grad = blas.Product(gz, x), blas.Product(gz)
    np.testing.assert_allclose(_plain(w_grad.materialize()), _plain(gz).T @ _plain(x))
    buf_w, buf_b = _rand(4, 3), _rand(4)
    want_w, want_b = _plain(buf_w) + _plain(gz).T @ _plain(x), _plain(buf_b) + _plain(gz).sum(0)
    w_grad.add_into(buf_w)
    b_grad.add_into(buf_b)
    np.testing.assert_allclose(_plain(buf_w), want_w)
    np.testing.assert_allclose(_plain(buf_b), want_b)


def test_first_call_and_other_shapes_fall_back_without_recursing(emulated: Any) -> None:
    a3, b3 = _rand(2, 3, 4), _rand(4, 5)
    np.testing.assert_allclose(_plain(blas.mm(a3, b3)), _plain(a3) @ _plain(b3))  # not 2-D
    blas.mm(_rand(2, 2), _rand(2, 2))  # now verified
    np.testing.assert_allclose(_plain(blas.mm(a3, b3)), _plain(a3) @ _plain(b3))
    strided = _rand(6, 8)[::2, ::2]  # neither C- nor F-contiguous
    np.testing.assert_allclose(_plain(blas.mm(strided, _rand(4, 2))),
                               _plain(strided) @ _plain(_rand(4, 2)))


def test_several_gpus_keep_arrays_of_another_device_off_our_launches(
        emulated: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    blas.mm(_rand(2, 2), _rand(2, 2))  # verified on one GPU first
    monkeypatch.setattr(backend, "_device_count", 2)
    current = [0]
    monkeypatch.setattr(backend._cupy, "cuda", types.SimpleNamespace(
        runtime=types.SimpleNamespace(getDevice=lambda: current[0])), raising=False)
    monkeypatch.setattr(DevArray, "device", property(lambda self: types.SimpleNamespace(id=1)),
                        raising=False)
    calls = []
    cublas = sys.modules["cupy_backends.cuda.libs.cublas"]
    real = cublas.dgemm
    monkeypatch.setattr(cublas, "dgemm", lambda *args: (calls.append(1), real(*args))[1])
    monkeypatch.setattr(blas, "_blas_state", None)  # rebuilt with the counting dgemm
    a, b = _rand(3, 4), _rand(4, 2)
    np.testing.assert_allclose(_plain(blas.mm(a, b)), _plain(a) @ _plain(b))
    assert not calls  # arrays on GPU 1, current GPU 0: CuPy's own matmul
    current[0] = 1
    np.testing.assert_allclose(_plain(blas.mm(a, b)), _plain(a) @ _plain(b))
    assert calls  # on the current GPU: cuBLAS again

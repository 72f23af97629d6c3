"""Direct cuBLAS calls for the GPU's matrix products, bias adds and sums, and SGD updates.

Each function returns what its docstring's numpy expression returns; numpy arrays take that
expression (see `backend.fastpath`). On the GPU one cuBLAS call replaces CuPy's `matmul`
(~35 us of host time), a broadcast add or a reduction, and writes into an existing buffer
where the expression would make a temporary.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core import backend
from autograd_core._deferred import DeferredGrad
from autograd_core.backend import fastpath
from autograd_core.backend.fastpath import checked, ready, usable

__all__ = ["Product", "addmm_", "axpy_", "bias_add_", "colsum", "deferrable", "mm"]

_OP_N, _OP_T, _POINTER_HOST = 0, 1, 0  # cublasOperation_t / cublasPointerMode_t values


def _samples(dtype: Any) -> tuple[Any, Any]:
    """Small integer-valued matrices (3, 5) and (5, 4): every result below is exact."""
    import cupy

    a = cupy.arange(15, dtype=dtype).reshape(3, 5) - 7
    b = cupy.arange(20, dtype=dtype).reshape(5, 4) % 3 - 1
    return a, b


class _Blas:
    """cuBLAS through CuPy's handle: the calls by dtype, host scalars, pointer mode.

    Built once, on the first GPU call, so a per-call cost is a few attribute reads: every
    microsecond here is paid per matrix product of a small model.
    """

    def __init__(self) -> None:
        import cupy
        from cupy_backends.cuda.libs import cublas

        self.cupy, self.lib = cupy, cublas
        self.gemm = {"f": cublas.sgemm, "d": cublas.dgemm}
        self.ger = {"f": cublas.sger, "d": cublas.dger}
        self.gemv = {"f": cublas.sgemv, "d": cublas.dgemv}
        self.axpy = {"f": cublas.saxpy, "d": cublas.daxpy}
        # Host scalars read through pointers. cuBLAS reads them during the call (host
        # pointer mode), so one scratch slot per dtype serves every alpha.
        self._keep = {(c, v): np.array(v, dtype=c) for c in "fd" for v in (0.0, 1.0)}
        self.const = {k: a.ctypes.data for k, a in self._keep.items()}
        self.scratch = {c: np.zeros(1, dtype=c) for c in "fd"}
        self.scratch_ptr = {c: a.ctypes.data for c, a in self.scratch.items()}
        self.get_handle = cupy.cuda.device.get_cublas_handle
        self._host: set[int] = set()  # handles already in host pointer mode

    def handle(self) -> int:
        """CuPy's handle for this device, in host pointer mode.

        CuPy's cuBLAS wrappers put the handle on the current stream themselves, and CuPy
        switches to device pointers only around its own calls, restoring them after.
        """
        h = self.get_handle()
        if h not in self._host:
            self.lib.setPointerMode(h, _POINTER_HOST)
            self._host.add(h)
        return h

    def alpha(self, value: float, char: str) -> int:
        """A pointer to `value` as a host scalar of dtype char (valid until the next call)."""
        self.scratch[char][0] = value
        return self.scratch_ptr[char]


_blas_state: _Blas | None = None


def _blas() -> _Blas:
    global _blas_state
    if _blas_state is None:
        _blas_state = _Blas()
    return _blas_state


def _as_rowmajor(a: Any) -> tuple[Any, bool] | None:
    """(C-contiguous base, transposed?) for a C- or F-contiguous 2-D array, else None."""
    if a.flags.c_contiguous:
        return a, False
    if a.flags.f_contiguous:
        return a.T, True
    return None


def _gemm_any(a: Any, b: Any) -> Any:
    """a @ b through cuBLAS for C- or F-contiguous 2-D operands (else numpy's/CuPy's @)."""
    ra, rb = _as_rowmajor(a), _as_rowmajor(b)
    if ra is None or rb is None:
        return a @ b
    return _gemm(*ra, *rb)


def _gemm(a: Any, ta: bool, b: Any, tb: bool, out: Any = None, beta: float = 0.0) -> Any:
    """out = op(a) @ op(b) (+ beta * out) for C-contiguous a, b; op transposes when flagged.

    cuBLAS is column-major: a row-major (r, c) array is its (c, r) transpose there, so the
    row-major product C = A @ B is computed as C^T = B^T @ A^T with the operands swapped.
    """
    cb = _blas()
    m, k = (a.shape[1], a.shape[0]) if ta else a.shape
    n = b.shape[0] if tb else b.shape[1]
    c = a.dtype.char
    if out is None:
        out = cb.cupy.ndarray((m, n), a.dtype)
    cb.gemm[c](cb.handle(), _OP_T if tb else _OP_N, _OP_T if ta else _OP_N, n, m, k,
               cb.const[(c, 1.0)], b.data.ptr, b.shape[1], a.data.ptr, a.shape[1],
               cb.const[(c, beta)] if beta in (0.0, 1.0) else cb.alpha(beta, c),
               out.data.ptr, n)
    return out


def mm(a: Any, b: Any) -> Any:
    """a @ b for 2-D arrays (one direct cuBLAS gemm on the GPU, transposed views included)."""
    # Checks inlined: this runs once per matrix product of every step.
    if (type(a) is np.ndarray or not fastpath.enabled or "mm" not in checked or a.ndim != 2
            or b.ndim != 2 or a.dtype != b.dtype or a.dtype.char not in "fd" or not a.size
            or not b.size or a.shape[1] != b.shape[0] or not isinstance(b, backend._cupy.ndarray)
            or backend._device_count > 1):
        # The first call, several GPUs (usable() checks the device), or not a case for gemm.
        if not (usable("mm", a, b) and ready("mm", _check_mm) and _layouts_ok(a, b)):
            return a @ b
        return _gemm_any(a, b)
    fa, fb = a.flags, b.flags
    if fa.c_contiguous:
        ta = False
    elif fa.f_contiguous:
        a, ta = a.T, True
    else:
        return a @ b
    if fb.c_contiguous:
        tb = False
    elif fb.f_contiguous:
        b, tb = b.T, True
    else:
        return a @ b
    return _gemm(a, ta, b, tb)


def _layouts_ok(a: Any, b: Any) -> bool:
    """Whether both operands of a 2-D product are C- or F-contiguous (cuBLAS can read them)."""
    return (a.ndim == b.ndim == 2 and a.size > 0 and b.size > 0 and a.shape[1] == b.shape[0]
            and a.dtype == b.dtype and _as_rowmajor(a) is not None
            and _as_rowmajor(b) is not None)


def _check_mm() -> bool:
    import cupy

    for dt in (cupy.float32, cupy.float64):
        a, b = _samples(dt)
        for x in (a, cupy.asfortranarray(a)):
            for y in (b, cupy.asfortranarray(b)):
                if not cupy.array_equal(_gemm_any(x, y), x @ y):
                    return False
    return True


def addmm_(z: Any, a: Any, b: Any) -> None:
    """z += a @ b in place for 2-D arrays (one cuBLAS gemm with beta = 1 on the GPU)."""
    if (type(z) is not np.ndarray and z.ndim == a.ndim == b.ndim == 2 and a.size and b.size
            and z.flags.c_contiguous and z.dtype == a.dtype == b.dtype and z.dtype.char in "fd"
            and z.shape == (a.shape[0], b.shape[1]) and a.shape[1] == b.shape[0]
            and (("mm" in checked and backend._device_count <= 1)
                 or (usable("mm", z, a, b) and ready("mm", _check_mm)))):
        pa, pb = _as_rowmajor(a), _as_rowmajor(b)
        if pa is not None and pb is not None and type(a) is type(b) is type(z):
            _gemm(*pa, *pb, out=z, beta=1.0)
            return
    z += a @ b


_ones_cache: dict[tuple[int, str], Any] = {}


def _ones(n: int, dtype: Any) -> Any:
    """A device vector of at least n ones, shared per device and dtype (grown on demand)."""
    import cupy

    key = (cupy.cuda.get_device_id(), np.dtype(dtype).char)
    v = _ones_cache.get(key)
    if v is None or v.size < n:
        v = _ones_cache[key] = cupy.ones(max(n, 1024), dtype=dtype)
    return v


def bias_add_(y: Any, bias: Any) -> None:
    """y += bias over the rows of a 2-D y (one cuBLAS rank-1 update: y += 1 bias^T)."""
    if (usable("bias_add", y, bias) and y.ndim == 2 and bias.ndim == 1 and y.size
            and y.dtype == bias.dtype and y.flags.c_contiguous and bias.flags.c_contiguous
            and bias.shape[0] == y.shape[1] and ready("bias_add", _check_bias_add)):
        _bias_add(y, bias)
    else:
        y += bias


def _check_bias_add() -> bool:
    import cupy

    a, b = _samples(cupy.float32)
    y, bias = cupy.ascontiguousarray(a[:, :4]), b[0]
    expected = y + bias
    _bias_add(y, bias)
    return bool(cupy.array_equal(y, expected))


def _bias_add(y: Any, bias: Any) -> None:
    cb = _blas()
    rows, cols = y.shape
    c = y.dtype.char
    # Column-major view: y^T (cols x rows) += bias (cols) * ones(rows)^T.
    cb.ger[c](cb.handle(), cols, rows, cb.const[(c, 1.0)], bias.data.ptr, 1,
              _ones(rows, y.dtype).data.ptr, 1, y.data.ptr, cols)


def colsum(g: Any) -> Any:
    """g.sum(axis=0) for a 2-D g (one cuBLAS gemv against a vector of ones on the GPU)."""
    if (usable("colsum", g) and g.ndim == 2 and g.size and g.flags.c_contiguous
            and ready("colsum", lambda: all(
                bool((_colsum(a) == a.sum(axis=0)).all()) for a in _samples(g.dtype)))):
        return _colsum(g)
    return g.sum(axis=0)


def _colsum(g: Any) -> Any:
    cb = _blas()
    rows, cols = g.shape
    c = g.dtype.char
    out = cb.cupy.ndarray((cols,), g.dtype)
    # Column-major view: g^T (cols x rows) @ ones(rows).
    cb.gemv[c](cb.handle(), _OP_N, cols, rows, cb.const[(c, 1.0)], g.data.ptr, cols,
               _ones(rows, g.dtype).data.ptr, 1, cb.const[(c, 0.0)], out.data.ptr, 1)
    return out


def _colsum_into(out: Any, g: Any) -> None:
    """out += g.sum(axis=0) in place (one cuBLAS gemv with beta = 1 on the GPU)."""
    if (usable("colsum", out, g) and g.ndim == 2 and g.size and g.flags.c_contiguous
            and out.flags.c_contiguous and out.shape == g.shape[1:] and out.dtype == g.dtype
            and "colsum" in checked):
        cb = _blas()
        rows, cols = g.shape
        c = g.dtype.char
        cb.gemv[c](cb.handle(), _OP_N, cols, rows, cb.const[(c, 1.0)], g.data.ptr, cols,
                   _ones(rows, g.dtype).data.ptr, 1, cb.const[(c, 1.0)], out.data.ptr, 1)
    else:
        out += colsum(g)


class Product(DeferredGrad):
    """A gradient kept as a^T @ b (or, with b None, the column sums of a) until it is used.

    A weight shared by many steps (an RNN's) gets one such gradient per step. Summed into
    the engine's buffer for that weight, a Product is one cuBLAS call with beta = 1 writing
    into the buffer; computed first and added after, it is two calls and a temporary. The
    engine materializes a Product wherever anything else would see it.
    """

    __slots__ = ("a", "b", "dtype", "shape")

    def __init__(self, a: Any, b: Any = None) -> None:
        self.a, self.b, self.dtype = a, b, a.dtype
        self.shape = (a.shape[1],) if b is None else (a.shape[1], b.shape[1])

    def materialize(self) -> Any:
        """The gradient as a fresh array."""
        return colsum(self.a) if self.b is None else mm(self.a.T, self.b)

    def add_into(self, out: Any) -> None:
        """out += the gradient, in place."""
        if self.b is None:
            _colsum_into(out, self.a)
        else:
            addmm_(out, self.a.T, self.b)


def deferrable(g: Any) -> bool:
    """Whether Products can stand for gradients computed from g (the GPU, paths verified).

    The caller also checks that no trace observer is attached (observers see plain arrays
    only); the backend does not know about observers.
    """
    return (fastpath.enabled and type(g) is not np.ndarray and "mm" in checked
            and "colsum" in checked)


def axpy_(x: Any, g: Any, alpha: float) -> bool:
    """x += alpha * g in place with one cuBLAS axpy; False (nothing done) where not covered."""
    if not (usable("axpy", x, g) and x.dtype == g.dtype and x.shape == g.shape and x.size
            and x.flags.c_contiguous and g.flags.c_contiguous and ready("axpy", _check_axpy)):
        return False
    _axpy(x, g, alpha)
    return True


def _check_axpy() -> bool:
    import cupy

    x, g = _samples(cupy.float64)
    g = g[:3]
    expected = x[:, :4] + g * 0.5
    x = cupy.ascontiguousarray(x[:, :4])
    _axpy(x, g, 0.5)
    return bool(cupy.array_equal(x, expected))


def _axpy(x: Any, g: Any, alpha: float) -> None:
    cb = _blas()
    c = x.dtype.char
    cb.axpy[c](cb.handle(), x.size, cb.alpha(alpha, c), g.data.ptr, 1, x.data.ptr, 1)

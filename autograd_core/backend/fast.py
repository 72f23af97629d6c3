"""Fast paths for the GPU: cuBLAS called directly and fused CUDA kernels, behind plain calls.

Each function takes the arrays an op already holds and returns what the plain numpy
expression in its docstring returns. numpy arrays (and any GPU case a path does not cover)
take that plain expression, so ops call these unconditionally and keep one copy of their math.

Why they exist: on the GPU a step of a small model is bound by host time per kernel launch.
CuPy spends ~14 us of Python/Cython per ufunc call and ~35 us per `matmul`, against ~8 us
for a RawKernel launch and ~4 us for a direct cuBLAS call (measured on an H200 host), and
a formula such as tanh's backward, g - g*y*y, is three launches where one kernel does it.

The cuBLAS paths check themselves once per process on a small problem with exact answers (a
one-off sync); the kernels fall back when they do not compile (their results are checked by
the GPU tests). A path that fails is switched off with a warning and the plain expression
is used from then on. AUTOGRAD_CORE_CUDA_FAST=0 switches all of them off.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np

from autograd_core import backend, hooks

__all__ = ["Product", "addmm_", "axpy_", "bias_act_", "bias_add_", "colsum", "cross_entropy",
           "cross_entropy_backward", "deferrable", "ewise", "mm"]

enabled = os.environ.get("AUTOGRAD_CORE_CUDA_FAST", "1") != "0"
_off: set[str] = set()  # paths switched off after a failed check
_checked: set[str] = set()  # paths verified on this process's device

_OP_N, _OP_T, _POINTER_HOST = 0, 1, 0  # cublasOperation_t / cublasPointerMode_t values
_THREADS = 256
_MAX_BLOCKS = 4096  # grid-stride loops: enough blocks to fill an H100/H200 several times


def _gpu(path: str, *arrays: Any) -> bool:
    """Whether `path` should run on the GPU for these arrays (all CuPy, float32/64)."""
    cp = backend._cupy
    if not enabled or cp is None or path in _off or getattr(cp, "IS_FAKE", False):
        return False  # (IS_FAKE: the tests' numpy stand-in for CuPy has no cuBLAS or NVRTC)
    for a in arrays:
        if type(a) is np.ndarray or not isinstance(a, cp.ndarray) or a.dtype.char not in "fd":
            return False
    return True


def _fail(path: str, why: str) -> None:
    _off.add(path)
    warnings.warn(f"autograd_core: GPU fast path '{path}' switched off ({why}); using the "
                  "plain CuPy expression", RuntimeWarning, stacklevel=3)


def _ready(path: str, check: Any) -> bool:
    """Run `path`'s self-check once per process: True when the path may be used."""
    if path in _checked:
        return True
    if path in _off:
        return False
    try:
        ok = bool(check())
    except Exception as exc:  # a cuBLAS status or an API this CuPy lacks: fall back for good
        _fail(path, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
        return False
    if not ok:
        _fail(path, "its self-check differed from the plain expression")
        return False
    _checked.add(path)
    return True


def _samples(dtype: Any) -> tuple[Any, Any]:
    """Small integer-valued matrices (3, 5) and (5, 4): every result below is exact."""
    import cupy

    a = cupy.arange(15, dtype=dtype).reshape(3, 5) - 7
    b = cupy.arange(20, dtype=dtype).reshape(5, 4) % 3 - 1
    return a, b


# ------------------------------------------------------------------ cuBLAS
class _Blas:
    """cuBLAS from CuPy's handle: the calls, host scalars, and the stream last set.

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


def _gemm(a: Any, ta: bool, b: Any, tb: bool, out: Any = None, beta: float = 0.0) -> Any:
    """out = op(a) @ op(b) (+ beta * out) for C-contiguous a, b; op transposes when flagged.

    cuBLAS is column-major: a row-major (r, c) array is its (c, r) transpose there, so the
    row-major product C = A @ B is computed as C^T = B^T @ A^T with the operands swapped.
    """
    blas = _blas()
    m, k = (a.shape[1], a.shape[0]) if ta else a.shape
    n = b.shape[0] if tb else b.shape[1]
    c = a.dtype.char
    if out is None:
        out = blas.cupy.ndarray((m, n), a.dtype)
    blas.gemm[c](blas.handle(), _OP_T if tb else _OP_N, _OP_T if ta else _OP_N, n, m, k,
                 blas.const[(c, 1.0)], b.data.ptr, b.shape[1], a.data.ptr, a.shape[1],
                 blas.const[(c, beta)] if beta in (0.0, 1.0) else blas.alpha(beta, c),
                 out.data.ptr, n)
    return out


def mm(a: Any, b: Any) -> Any:
    """a @ b for 2-D arrays (one direct cuBLAS gemm on the GPU, transposed views included)."""
    # Checks inlined: this runs once per matrix product of every step.
    if (type(a) is np.ndarray or not enabled or "mm" not in _checked or a.ndim != 2
            or b.ndim != 2 or a.dtype != b.dtype or a.dtype.char not in "fd" or not a.size
            or not b.size or a.shape[1] != b.shape[0] or not isinstance(b, backend._cupy.ndarray)):
        if "mm" in _checked or not _gpu("mm", a, b) or not _ready("mm", _check_mm):
            return a @ b
        return mm(a, b)  # verified now: take the fast branch
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


def _check_mm() -> bool:
    import cupy

    for dt in (cupy.float32, cupy.float64):
        a, b = _samples(dt)
        for x in (a, cupy.asfortranarray(a)):
            for y in (b, cupy.asfortranarray(b)):
                if not cupy.array_equal(_gemm(*_as_rowmajor(x), *_as_rowmajor(y)), x @ y):
                    return False
    return True


def addmm_(z: Any, a: Any, b: Any) -> None:
    """z += a @ b in place for 2-D arrays (one cuBLAS gemm with beta = 1 on the GPU)."""
    if (type(z) is not np.ndarray and z.ndim == a.ndim == b.ndim == 2 and a.size and b.size
            and z.flags.c_contiguous and z.dtype == a.dtype == b.dtype and z.dtype.char in "fd"
            and z.shape == (a.shape[0], b.shape[1]) and a.shape[1] == b.shape[0]
            and ("mm" in _checked or (_gpu("mm", z, a, b) and _ready("mm", _check_mm)))):
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
    if (_gpu("bias_add", y, bias) and y.ndim == 2 and bias.ndim == 1 and y.size
            and y.dtype == bias.dtype and y.flags.c_contiguous and bias.flags.c_contiguous
            and bias.shape[0] == y.shape[1] and _ready("bias_add", _check_bias_add)):
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
    blas = _blas()
    rows, cols = y.shape
    c = y.dtype.char
    # Column-major view: y^T (cols x rows) += bias (cols) * ones(rows)^T.
    blas.ger[c](blas.handle(), cols, rows, blas.const[(c, 1.0)], bias.data.ptr, 1,
                _ones(rows, y.dtype).data.ptr, 1, y.data.ptr, cols)


def colsum(g: Any) -> Any:
    """g.sum(axis=0) for a 2-D g (one cuBLAS gemv against a vector of ones on the GPU)."""
    if (_gpu("colsum", g) and g.ndim == 2 and g.size and g.flags.c_contiguous
            and _ready("colsum", lambda: all(
                bool((_colsum(a) == a.sum(axis=0)).all()) for a in _samples(g.dtype)))):
        return _colsum(g)
    return g.sum(axis=0)


def _colsum(g: Any) -> Any:
    blas = _blas()
    rows, cols = g.shape
    c = g.dtype.char
    out = blas.cupy.ndarray((cols,), g.dtype)
    # Column-major view: g^T (cols x rows) @ ones(rows).
    blas.gemv[c](blas.handle(), _OP_N, cols, rows, blas.const[(c, 1.0)], g.data.ptr, cols,
                 _ones(rows, g.dtype).data.ptr, 1, blas.const[(c, 0.0)], out.data.ptr, 1)
    return out


def _colsum_into(out: Any, g: Any) -> None:
    """out += g.sum(axis=0) in place (one cuBLAS gemv with beta = 1 on the GPU)."""
    if (_gpu("colsum", out, g) and g.ndim == 2 and g.size and g.flags.c_contiguous
            and out.flags.c_contiguous and out.shape == g.shape[1:] and out.dtype == g.dtype
            and "colsum" in _checked):
        blas = _blas()
        rows, cols = g.shape
        c = g.dtype.char
        blas.gemv[c](blas.handle(), _OP_N, cols, rows, blas.const[(c, 1.0)], g.data.ptr, cols,
                     _ones(rows, g.dtype).data.ptr, 1, blas.const[(c, 1.0)], out.data.ptr, 1)
    else:
        out += colsum(g)


class Product:
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
    """Whether a backward may return Products for gradients computed from g (the GPU, with
    no trace observer: observers and hooks see plain arrays only)."""
    return (enabled and hooks.state.observer is None and type(g) is not np.ndarray
            and "mm" in _checked and "colsum" in _checked)


def axpy_(x: Any, g: Any, alpha: float) -> bool:
    """x += alpha * g in place with one cuBLAS axpy; False (nothing done) where not covered."""
    if not (_gpu("axpy", x, g) and x.dtype == g.dtype and x.shape == g.shape and x.size
            and x.flags.c_contiguous and g.flags.c_contiguous and _ready("axpy", _check_axpy)):
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
    blas = _blas()
    c = x.dtype.char
    blas.axpy[c](blas.handle(), x.size, blas.alpha(alpha, c), g.data.ptr, 1, x.data.ptr, 1)


# ------------------------------------------------------------------ fused kernels
_CTYPES = {"f": "float", "d": "double"}
_kernels: dict[tuple[str, str], Any] = {}

_EWISE = {  # name: expression over x (the first input) and y (the second)
    "tanh_backward": "x * ((T)1 - y * y)",      # g, y = tanh(input)
    "sigmoid_backward": "x * y * ((T)1 - y)",   # g, y = sigmoid(input)
    "relu_backward": "y > (T)0 ? x : (T)0",     # g, y = relu(input): torch's threshold
    "relu": "(x > (T)0 || x != x) ? x : (T)0",  # NaN passes, as torch.relu
}
_EWISE_SRC = """
typedef {ctype} T;
extern "C" __global__ void {name}(const T* a, const T* b, T* out, const long long n) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x) {
        const T x = a[i];
        const T y = b[i];
        out[i] = {expr};
    }
}
"""


def _kernel(name: str, dtype: Any, source: str) -> Any:
    """Kernel `name` of `source` for a dtype (NVRTC on first use, then CuPy's disk cache)."""
    key = (name, np.dtype(dtype).char)
    k = _kernels.get(key)
    if k is None:
        import cupy

        code = source.replace("{ctype}", _CTYPES[key[1]]).replace("{name}", name)
        k = _kernels[key] = cupy.RawModule(code=code).get_function(name)
    return k


def _blocks(n: int) -> int:
    return max(1, min((n + _THREADS - 1) // _THREADS, _MAX_BLOCKS))


def ewise(name: str, x: Any, y: Any = None) -> Any:
    """One fused elementwise kernel (see _EWISE) over same-shape contiguous GPU arrays.

    Returns None where it does not apply (numpy arrays, other layouts, a kernel that failed to
    compile): the op then runs its own formula. Results are checked by the GPU op tests.
    """
    if type(x) is np.ndarray or not (
            _gpu(name, x) and x.size and x.flags.c_contiguous
            and (y is None or (y.shape == x.shape and y.dtype == x.dtype
                               and y.flags.c_contiguous))):
        return None
    try:
        return _ewise(name, x, y)
    except Exception as exc:  # NVRTC missing or a compile error: the op's own formula
        _fail(name, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
        return None


def _ewise(name: str, x: Any, y: Any) -> Any:
    import cupy

    out = cupy.ndarray(x.shape, x.dtype)
    k = _kernel(name, x.dtype, _EWISE_SRC.replace("{expr}", _EWISE[name]))
    k((_blocks(x.size),), (_THREADS,), (x, x if y is None else y, out, np.int64(x.size)))
    return out


_BIAS_ACT_SRC = """
typedef {ctype} T;
extern "C" __global__ void bias_act(T* z, const T* extra, const T* b1, const T* b2,
        const int flags, const long long n, const long long cols) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x) {
        T v = z[i];
        if (flags & 1) v += extra[i];
        if (flags & 2) v += b1[i % cols];
        if (flags & 4) v += b2[i % cols];
        z[i] = (flags & 8) ? ((v > (T)0 || v != v) ? v : (T)0) : tanh(v);
    }
}
"""


def _fits(t: Any, z: Any, shape: tuple) -> bool:
    """Whether the optional operand t can join z's kernel: absent, or same device, dtype,
    the given shape, and contiguous."""
    return t is None or (type(t) is type(z) and t.dtype == z.dtype and t.shape == shape
                         and t.flags.c_contiguous)


def bias_act_(z: Any, extra: Any, b1: Any, b2: Any, relu: bool) -> Any:
    """z = act(z + extra + b1 + b2) in place and returned; act relu or tanh, None terms absent.

    b1 and b2 are (cols,) vectors added to every row of the 2-D z; extra has z's shape.
    """
    if (_gpu("bias_act", z) and z.ndim == 2 and z.size and z.flags.c_contiguous
            and _fits(extra, z, z.shape) and _fits(b1, z, z.shape[1:])
            and _fits(b2, z, z.shape[1:])):
        try:
            flags = ((extra is not None) | (b1 is not None) << 1 | (b2 is not None) << 2
                     | relu << 3)
            k = _kernel("bias_act", z.dtype, _BIAS_ACT_SRC)
            k((_blocks(z.size),), (_THREADS,), (z, z if extra is None else extra,
                                                z if b1 is None else b1, z if b2 is None else b2,
                                                np.int32(flags), np.int64(z.size),
                                                np.int64(z.shape[1])))
            return z
        except Exception as exc:  # a kernel that does not compile here: the plain formula
            _fail("bias_act", f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
    for t in (extra, b1, b2):
        if t is not None:
            z += t
    xp = backend.get_array_module(z)
    return xp.maximum(z, 0, out=z) if relu else xp.tanh(z, out=z)


# ------------------------------------------------------------------ cross entropy
_CE_SRC = """
typedef {ctype} T;
#define NT 256
extern "C" __global__ void ce_forward(const T* x, const long long* target, const T* weight,
        const int has_weight, const long long ignore_index, const int C,
        T* logp, T* loss_row, T* w_row) {
    __shared__ T red[NT];
    const int tid = threadIdx.x;
    const T* xr = x + (long long)blockIdx.x * C;
    T* lr = logp + (long long)blockIdx.x * C;
    const T ninf = log((T)0);
    T m = ninf;
    for (int c = tid; c < C; c += NT) {
        const T v = xr[c];
        m = (v > m || v != v) ? v : m;  // NaN wins, as torch's max
    }
    red[tid] = m;
    __syncthreads();
    for (int s = NT / 2; s > 0; s >>= 1) {
        if (tid < s) {
            const T a = red[tid], b = red[tid + s];
            red[tid] = (b > a || b != b) ? b : a;
        }
        __syncthreads();
    }
    m = red[0];
    __syncthreads();
    T sum = 0;
    for (int c = tid; c < C; c += NT) sum += exp(xr[c] - m);
    red[tid] = sum;
    __syncthreads();
    for (int s = NT / 2; s > 0; s >>= 1) {
        if (tid < s) red[tid] += red[tid + s];
        __syncthreads();
    }
    const T ls = log(red[0]);
    for (int c = tid; c < C; c += NT) lr[c] = (xr[c] - m) - ls;
    if (tid == 0) {
        const long long t = target[blockIdx.x];
        if (t == ignore_index) {
            loss_row[blockIdx.x] = 0;
            w_row[blockIdx.x] = 0;
        } else if (t < 0 || t >= C) {  // no host check on the GPU: poison, never read out of range
            loss_row[blockIdx.x] = ninf * (T)0;
            w_row[blockIdx.x] = ninf * (T)0;
        } else {
            const T w = has_weight ? weight[t] : (T)1;
            w_row[blockIdx.x] = w;
            loss_row[blockIdx.x] = -w * ((xr[t] - m) - ls);
        }
    }
}

extern "C" __global__ void ce_reduce(const T* loss_row, const T* w_row, const long long R,
        const int mean, T* out, T* denom) {
    __shared__ T a[NT];
    __shared__ T b[NT];
    const int tid = threadIdx.x;
    T sl = 0, sw = 0;
    for (long long i = tid; i < R; i += NT) {
        sl += loss_row[i];
        sw += w_row[i];
    }
    a[tid] = sl;
    b[tid] = sw;
    __syncthreads();
    for (int s = NT / 2; s > 0; s >>= 1) {
        if (tid < s) {
            a[tid] += a[tid + s];
            b[tid] += b[tid + s];
        }
        __syncthreads();
    }
    if (tid == 0) {
        denom[0] = b[0];
        out[0] = mean ? a[0] / b[0] : a[0];
    }
}

extern "C" __global__ void ce_backward(const T* logp, const long long* target, const T* w_row,
        const T* g, const T* denom, const int mode, const long long n, const int C, T* grad) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x) {
        const long long r = i / C;
        const T s = mode == 2 ? g[r] : (mode == 1 ? g[0] / denom[0] : g[0]);
        const T onehot = target[r] == i - r * C ? (T)1 : (T)0;
        grad[i] = (exp(logp[i]) - onehot) * (w_row[r] * s);
    }
}
"""
_MODES = {"sum": 0, "mean": 1, "none": 2}


def cross_entropy(x2: Any, target: Any, weight: Any, ignore_index: int,
                  reduction: str) -> tuple[Any, tuple] | None:
    """Fused class-index cross entropy over rows x2 (R, C): (loss, saved), or None.

    None where the fused kernels do not apply (CPU, soft targets, odd dtypes); the caller then
    runs its plain formula. `saved` is what cross_entropy_backward needs.
    """
    if not (_gpu("cross_entropy", x2) and x2.ndim == 2 and x2.size and target.dtype == np.int64
            and target.size == x2.shape[0] and x2.shape[1] < 2**31
            and (weight is None or (weight.dtype == x2.dtype and weight.shape == x2.shape[1:]))):
        return None
    try:
        return _cross_entropy(x2, target, weight, ignore_index, reduction)
    except Exception as exc:  # a kernel that does not compile here: the plain formula
        _fail("cross_entropy", f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
        return None


def _cross_entropy(x2: Any, target: Any, weight: Any, ignore_index: int,
                   reduction: str) -> tuple[Any, tuple]:
    import cupy

    rows, n_classes = x2.shape
    x2 = cupy.ascontiguousarray(x2)
    t = cupy.ascontiguousarray(target.reshape(-1))
    w = cupy.ascontiguousarray(weight) if weight is not None else x2  # unread when absent
    logp = cupy.empty_like(x2)
    loss_row = cupy.empty(rows, dtype=x2.dtype)
    w_row = cupy.empty(rows, dtype=x2.dtype)
    fwd = _kernel("ce_forward", x2.dtype, _CE_SRC)
    fwd((rows,), (256,), (x2, t, w, np.int32(weight is not None), np.int64(ignore_index),
                          np.int32(n_classes), logp, loss_row, w_row))
    denom = cupy.empty((), dtype=x2.dtype)
    if reduction == "none":
        out = loss_row.reshape(target.shape)
    else:
        out = cupy.empty((), dtype=x2.dtype)
        red = _kernel("ce_reduce", x2.dtype, _CE_SRC)
        red((1,), (256,), (loss_row, w_row, np.int64(rows), np.int32(reduction == "mean"),
                          out, denom))
    return out, (logp, t, w_row, denom, _MODES[reduction])


def cross_entropy_backward(saved: tuple, g: Any) -> Any:
    """The (R, C) gradient of cross_entropy's loss for upstream gradient g."""
    import cupy

    logp, t, w_row, denom, mode = saved
    g = cupy.ascontiguousarray(g.astype(logp.dtype, copy=False).reshape(-1))
    grad = cupy.empty_like(logp)
    k = _kernel("ce_backward", logp.dtype, _CE_SRC)
    n = logp.size
    k((_blocks(n),), (_THREADS,), (logp, t, w_row, g, denom, np.int32(mode), np.int64(n),
                                   np.int32(logp.shape[1]), grad))
    return grad

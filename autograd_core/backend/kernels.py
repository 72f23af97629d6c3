"""Fused CUDA kernels for the GPU: elementwise gradients, bias + activation, cross entropy.

Each function returns what its docstring says, or None where it does not apply (numpy
arrays, other layouts, a kernel that fails to compile): the op then runs its own formula
(see `backend.fastpath`). One kernel replaces a formula's chain of CuPy ufunc calls.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core import backend
from autograd_core.backend.fastpath import fall_back, usable

__all__ = ["bias_act_", "cross_entropy", "cross_entropy_backward", "ewise"]

_THREADS = 256
_MAX_BLOCKS = 4096  # grid-stride loops: enough blocks to fill an H100/H200 several times
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
            usable(name, x) and x.size and x.flags.c_contiguous
            and (y is None or (y.shape == x.shape and y.dtype == x.dtype
                               and y.flags.c_contiguous))):
        return None
    try:
        return _ewise(name, x, y)
    except Exception as exc:  # NVRTC missing or a compile error: the op's own formula
        fall_back(name, exc)
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
    if (usable("bias_act", z) and z.ndim == 2 and z.size and z.flags.c_contiguous
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
            fall_back("bias_act", exc)
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
    if not (usable("cross_entropy", x2) and x2.ndim == 2 and x2.size and target.dtype == np.int64
            and target.size == x2.shape[0] and x2.shape[1] < 2**31
            and (weight is None or (weight.dtype == x2.dtype and weight.shape == x2.shape[1:]))):
        return None
    try:
        return _cross_entropy(x2, target, weight, ignore_index, reduction)
    except Exception as exc:  # a kernel that does not compile here: the plain formula
        fall_back("cross_entropy", exc)
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

"""FractionalMaxPool2d/3d (Graham's fractional max pooling): windows at pseudo-random,
increasing starts, one draw per (sample, channel), as PyTorch's kernel places them; pass
`_random_samples` to fix the draws (then outputs and indices equal PyTorch's)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core.backend import get_array_module
from autograd_core.nn.module import Module
from autograd_core.tensor import Tensor

__all__ = ["FractionalMaxPool2d", "FractionalMaxPool3d", "fractional_max_pool2d",
           "fractional_max_pool3d"]


def _intervals(sample: np.ndarray, size: int, out: int, k: int, dtype: Any) -> np.ndarray:
    """Window starts (..., out) from samples (...): PyTorch's generate_intervals."""
    starts = np.empty((*sample.shape, out), dtype=np.int64)
    if out > 1:
        alpha = dtype.type(size - k) / dtype.type(out - 1)
        i = np.arange(out - 1, dtype=dtype)
        s = sample.astype(dtype)[..., None]
        starts[..., :-1] = ((i + s) * alpha).astype(np.int64) - (s * alpha).astype(np.int64)
    starts[..., -1] = size - k
    return starts


def _fractional(input: Tensor, nd: int, kernel_size: Any, output_size: Any,
                output_ratio: Any, return_indices: bool, samples: Tensor | None) -> Any:
    op = f"fractional_max_pool{nd}d"
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{op}(): Expected {nd + 1}D or {nd + 2}D tensor, but got: "
                           f"{list(input.shape)}")
    unbatched = input.ndim == nd + 1
    x = input.unsqueeze(0) if unbatched else input
    k = (int(kernel_size),) * nd if isinstance(kernel_size, int) else tuple(kernel_size)
    spatial = tuple(x.shape[2:])
    if output_size is None and output_ratio is None:
        raise ValueError(f"{op} requires specifying either an output_size or an output_ratio")
    if output_size is None:
        ratio = (output_ratio,) * nd if isinstance(output_ratio, (int, float)) else output_ratio
        output_size = [int(spatial[i] * ratio[i]) for i in range(nd)]
    out = (int(output_size),) * nd if isinstance(output_size, int) else tuple(output_size)
    for i in range(nd):
        if out[i] + k[i] - 1 > spatial[i]:
            raise RuntimeError(f"{op}(): pool size {k[i]} too large relative to input size "
                               f"{spatial[i]} and output size {out[i]}")
    n, c = x.shape[:2]
    dt = np.dtype(x._data.dtype)
    if samples is None:
        from autograd_core.random_creation import rand

        samples = rand(n, c, nd, dtype=x.dtype)
    u = np.asarray(samples.detach().cpu().numpy())
    # PyTorch's sample order: 2-D (w, h); 3-D (t, h, w).
    order = (1, 0) if nd == 2 else (0, 1, 2)
    starts = [_intervals(u[..., order[d]], spatial[d], out[d], k[d], dt) for d in range(nd)]
    strides = [int(np.prod(spatial[d + 1:])) for d in range(nd)]
    flat = np.zeros((n, c, *out, *k), dtype=np.int64)
    for d in range(nd):
        shape = [n, c] + [1] * (2 * nd)
        shape[2 + d] = out[d]
        pos = starts[d].reshape(shape)
        kshape = [1] * (2 + 2 * nd)
        kshape[2 + nd + d] = k[d]
        flat = flat + (pos + np.arange(k[d]).reshape(kshape)) * strides[d]
    flat = flat.reshape(n, c, -1, int(np.prod(k)))
    xp = get_array_module(x._data)
    index = Tensor._make(xp.asarray(flat.reshape(n, c, -1)))
    windows = x.reshape(n, c, -1).gather(2, index).reshape(*flat.shape)
    first = windows.detach().argmax(-1, keepdim=True)  # the first maximum, as PyTorch's
    y = windows.gather(-1, first).squeeze(-1).reshape(n, c, *out)
    if unbatched:
        y = y.squeeze(0)
    if not return_indices:
        return y
    pick = np.take_along_axis(flat, np.asarray(first.cpu().numpy()), -1)
    idx = Tensor._make(xp.asarray(pick.reshape(n, c, *out)))
    return y, (idx.squeeze(0) if unbatched else idx)


def fractional_max_pool2d(input: Tensor, kernel_size: Any, output_size: Any = None,
                          output_ratio: Any = None, return_indices: bool = False,
                          _random_samples: Tensor | None = None) -> Any:
    """Fractional max pooling over (N, C, H, W) or (C, H, W)."""
    return _fractional(input, 2, kernel_size, output_size, output_ratio, return_indices,
                       _random_samples)


def fractional_max_pool3d(input: Tensor, kernel_size: Any, output_size: Any = None,
                          output_ratio: Any = None, return_indices: bool = False,
                          _random_samples: Tensor | None = None) -> Any:
    """Fractional max pooling over (N, C, D, H, W) or (C, D, H, W)."""
    return _fractional(input, 3, kernel_size, output_size, output_ratio, return_indices,
                       _random_samples)


class _FractionalMaxPoolNd(Module):
    _nd = 2

    def __init__(self, kernel_size: Any, output_size: Any = None, output_ratio: Any = None,
                 return_indices: bool = False, _random_samples: Tensor | None = None) -> None:
        super().__init__()
        nd = self._nd
        self.kernel_size = kernel_size if not isinstance(kernel_size, int) else \
            (kernel_size,) * nd
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = output_size if output_size is None or not isinstance(
            output_size, int) else (output_size,) * nd
        self.output_ratio = output_ratio if output_ratio is None or not isinstance(
            output_ratio, (int, float)) else (output_ratio,) * nd
        name = f"FractionalMaxPool{nd}d"
        if output_size is None and output_ratio is None:
            raise ValueError(f"{name} requires specifying either an output size, or a "
                             "pooling ratio")
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not all(0 < r < 1 for r in self.output_ratio):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def forward(self, input: Tensor) -> Any:
        return _fractional(input, self._nd, self.kernel_size, self.output_size,
                           self.output_ratio, self.return_indices, self._random_samples)


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """Fractional max pooling over (N, C, H, W)."""

    _nd = 2


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """Fractional max pooling over (N, C, D, H, W)."""

    _nd = 3

"""affine_grid and grid_sample (spatial transformer networks), written with existing ops as
PyTorch's CPU kernels compute them (unnormalize, pad the coordinates, gather the corners,
weight them), so gradients flow to both the image and the grid, to any order.

Supported: 4-D input (modes 'bilinear', 'nearest', 'bicubic') and 5-D input ('bilinear', that
is trilinear, and 'nearest'); padding 'zeros', 'border' and 'reflection'.
"""

from __future__ import annotations

import warnings
from typing import Any

from autograd_core import creation
from autograd_core.ops.join import stack
from autograd_core.ops.logic import where
from autograd_core.tensor import Tensor

__all__ = ["affine_grid", "grid_sample"]

_ALIGN_WARNING = ("Default grid_sample and affine_grid behavior has changed to "
                  "align_corners=False since 1.3.0. Please specify align_corners=True if the "
                  "old behavior is desired. See the documentation of grid_sample for details.")


def _align(align_corners: bool | None) -> bool:
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, UserWarning, stacklevel=3)
        return False
    return bool(align_corners)


def _base_coords(n: int, like: Tensor, align_corners: bool) -> Tensor:
    """The n sample positions in [-1, 1] (pixel centers unless align_corners)."""
    steps = creation.linspace(-1.0, 1.0, n, dtype=like.dtype, device=like.device)
    return steps if align_corners or n <= 1 else steps * ((n - 1) / n)


def affine_grid(theta: Tensor, size: Any, align_corners: bool | None = None) -> Tensor:
    """Sampling grid (N, H, W, 2) (or (N, D, H, W, 3)) of the affine maps `theta`.

    Example:
        >>> F.affine_grid(ag.eye(2, 3).unsqueeze(0), (1, 1, 2, 2), align_corners=True)[0, 0]
        tensor([[-1., -1.],
                [ 1., -1.]])
    """
    ac = _align(align_corners)
    given, size = size, [int(s) for s in size]
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    spatial = len(size) - 2
    if spatial not in (2, 3):
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {given}.")
    rows = spatial
    if theta.dim() != 3 or tuple(theta.shape[1:]) != (rows, rows + 1):
        shape = f"Nx{rows}x{rows + 1}"
        raise ValueError(f"Expected a batch of {spatial}D affine matrices of shape {shape} for "
                         f"size {given}. Got {theta.shape}.")
    if min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {given}")
    n, dims = size[0], size[2:]
    # base[..., k] = the coordinate along the k-th axis from the last (x, y, z), then 1.
    columns = []
    for k, s in enumerate(reversed(dims)):
        pos = len(dims) - 1 - k  # where this axis sits in dims
        view = [1] * len(dims)
        view[pos] = s
        columns.append(_base_coords(s, theta, ac).reshape(*view).expand(*dims))
    columns.append(creation.ones(*dims, dtype=theta.dtype, device=theta.device))
    base = stack(columns, -1)
    flat = base.reshape(1, -1, rows + 1)
    out = flat.matmul(theta.transpose(1, 2))  # (N, prod(dims), rows)
    return out.reshape(n, *dims, rows)


def _unnormalize(coord: Tensor, size: int, align_corners: bool) -> Tensor:
    if align_corners:
        return (coord + 1) * ((size - 1) / 2)
    return ((coord + 1) * size - 1) / 2


def _reflect(coord: Tensor, twice_low: int, twice_high: int) -> Tensor:
    """Reflect coordinates into [twice_low / 2, twice_high / 2], as PyTorch's kernel."""
    if twice_low == twice_high:
        return coord * 0
    low = twice_low / 2
    span = (twice_high - twice_low) / 2
    dist = (coord - low).abs()
    extra = dist.fmod(span)
    flips = (dist.detach() / span).floor()
    even = flips.fmod(2) == 0
    return where(even, extra + low, span - extra + low)


def _source_coord(coord: Tensor, size: int, padding_mode: str, align_corners: bool) -> Tensor:
    c = _unnormalize(coord, size, align_corners)
    if padding_mode == "border":
        c = c.clamp(0, size - 1)
    elif padding_mode == "reflection":
        c = (_reflect(c, 0, 2 * (size - 1)) if align_corners
             else _reflect(c, -1, 2 * size - 1))
        c = c.clamp(0, size - 1)
    return c


def _gather(flat: Tensor, iy: Tensor, ix: Tensor, h: int, w: int) -> Tensor:
    """flat (N, C, H*W) at integer positions (N, P); zero outside the image."""
    inside = (ix >= 0) & (ix <= w - 1) & (iy >= 0) & (iy <= h - 1)
    index = (iy.clamp(0, h - 1) * w + ix.clamp(0, w - 1)).long()
    vals = flat.gather(2, index.unsqueeze(1).expand(-1, flat.shape[1], -1))
    return vals * inside.unsqueeze(1).to(flat.dtype)


def _grid_sample_3d(input: Tensor, grid: Tensor, mode: str, padding_mode: str,
                    ac: bool) -> Tensor:
    """Volumetric sampling: input (N, C, D, H, W), grid (N, Do, Ho, Wo, 3) of (x, y, z);
    'bilinear' is trilinear here, as in PyTorch."""
    if mode == "bicubic":
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if grid.dim() != 5 or grid.shape[-1] != 3 or input.shape[0] != grid.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected 5D input and grid with same number of "
                           f"dimensions and batch size, but got input with sizes "
                           f"{list(input.shape)} and grid with sizes {list(grid.shape)}")
    n, c, d, h, w = input.shape
    out_shape = tuple(grid.shape[1:4])
    g = grid.reshape(n, -1, 3)
    coords = [_source_coord(g[..., k], size, padding_mode, ac)
              for k, size in enumerate((w, h, d))]
    flat = input.reshape(n, c, d * h * w)

    def gather(ix: Tensor, iy: Tensor, iz: Tensor) -> Tensor:
        inside = ((ix >= 0) & (ix <= w - 1) & (iy >= 0) & (iy <= h - 1) & (iz >= 0)
                  & (iz <= d - 1))
        index = ((iz.clamp(0, d - 1) * h + iy.clamp(0, h - 1)) * w
                 + ix.clamp(0, w - 1)).long()
        vals = flat.gather(2, index.unsqueeze(1).expand(-1, c, -1))
        return vals * inside.unsqueeze(1).to(flat.dtype)

    if mode == "nearest":
        picked = [k.detach().round() for k in coords]
        out = gather(*picked) * (1 + 0 * sum(coords, input.new_zeros(()))).unsqueeze(1)
    else:
        base = [k.detach().floor() for k in coords]
        frac = [k - b for k, b in zip(coords, base)]
        out = 0
        for corner in range(8):
            offs = [(corner >> k) & 1 for k in range(3)]
            weight: Any = 1
            for k in range(3):
                weight = weight * (frac[k] if offs[k] else 1 - frac[k])
            value = gather(*(base[k] + offs[k] for k in range(3)))
            out = out + value * weight.unsqueeze(1)
    return out.reshape(n, c, *out_shape)


_A = -0.75  # the cubic convolution's parameter, PyTorch's


def _cubic_weights(t: Tensor) -> list[Tensor]:
    """The four taps' weights at fractional offset t (Keys' cubic convolution)."""
    def near(x: Tensor) -> Tensor:  # |x| <= 1
        return ((_A + 2) * x - (_A + 3)) * x * x + 1

    def far(x: Tensor) -> Tensor:  # 1 < |x| < 2
        return ((_A * x - 5 * _A) * x + 8 * _A) * x - 4 * _A

    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _tap_coord(coord: Tensor, size: int, padding_mode: str, align_corners: bool) -> Tensor:
    """An integer tap position moved inside the image by the padding mode (zeros: as is)."""
    if padding_mode == "border":
        return coord.clamp(0, size - 1)
    if padding_mode == "reflection":
        c = (_reflect(coord, 0, 2 * (size - 1)) if align_corners
             else _reflect(coord, -1, 2 * size - 1))
        return c.clamp(0, size - 1)
    return coord


def _bicubic(flat: Tensor, g: Tensor, h: int, w: int, padding_mode: str,
             align_corners: bool) -> Tensor:
    """4 x 4 taps around each point, weighted by cubic convolution, as PyTorch's kernel (the
    padding mode applies to each tap's position, not to the point)."""
    x = _unnormalize(g[..., 0], w, align_corners)
    y = _unnormalize(g[..., 1], h, align_corners)
    x0, y0 = x.detach().floor(), y.detach().floor()
    wx, wy = _cubic_weights(x - x0), _cubic_weights(y - y0)
    out: Any = 0
    for i in range(4):
        iy = _tap_coord(y0 + (i - 1), h, padding_mode, align_corners).round()
        row: Any = 0
        for j in range(4):
            ix = _tap_coord(x0 + (j - 1), w, padding_mode, align_corners).round()
            row = row + _gather(flat, iy, ix, h, w) * wx[j].unsqueeze(1)
        out = out + row * wy[i].unsqueeze(1)
    return out


def grid_sample(input: Tensor, grid: Tensor, mode: str = "bilinear",
                padding_mode: str = "zeros", align_corners: bool | None = None) -> Tensor:
    """Sample input (N, C, H, W) at the grid's (x, y) positions in [-1, 1]: (N, C, Ho, Wo)."""
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    ac = _align(align_corners)
    if input.dim() == 5:
        return _grid_sample_3d(input, grid, mode, padding_mode, ac)
    if input.dim() != 4 or grid.dim() != 4 or grid.shape[-1] != 2:
        raise RuntimeError(f"grid_sampler(): expected 4D input and grid with same number of "
                           f"dimensions, but got input with sizes {list(input.shape)} and "
                           f"grid with sizes {list(grid.shape)}")
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, "
                           f"but got input with sizes {list(input.shape)} and grid with sizes "
                           f"{list(grid.shape)}")
    n, c, h, w = input.shape
    ho, wo = grid.shape[1], grid.shape[2]
    g = grid.reshape(n, ho * wo, 2)
    flat = input.reshape(n, c, h * w)
    if mode == "bicubic":
        return _bicubic(flat, g, h, w, padding_mode, ac).reshape(n, c, ho, wo)
    x = _source_coord(g[..., 0], w, padding_mode, ac)
    y = _source_coord(g[..., 1], h, padding_mode, ac)
    out: Any
    if mode == "nearest":
        out = _gather(flat, y.detach().round(), x.detach().round(), h, w)
        # The grid gets a zero gradient (PyTorch's), not none: a factor of exactly 1 on it.
        out = out * (1 + 0 * (x + y)).unsqueeze(1)
    else:
        x0, y0 = x.detach().floor(), y.detach().floor()
        tx, ty = x - x0, y - y0
        out = 0
        for dy, wy in ((0, 1 - ty), (1, ty)):
            for dx, wx in ((0, 1 - tx), (1, tx)):
                corner = _gather(flat, y0 + dy, x0 + dx, h, w)
                out = out + corner * (wy * wx).unsqueeze(1)
    return out.reshape(n, c, ho, wo)

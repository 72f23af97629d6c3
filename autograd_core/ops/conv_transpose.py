"""Transposed convolutions: conv_transpose1d and conv_transpose2d as one Function each.

A transposed convolution is the input gradient of a convolution with the same weight.
Forward is one batched matmul whose rows are (tap, output channel) and columns (row, column,
sample), then one add per kernel tap into a (C_out, H, W, N) buffer: each add runs along the
batch, so it is a few thousand long strided rows, not one short row per image. Backward is
conv2d's forward (the input gradient is a plain convolution of the output gradient), with
the im2col helper of ops/conv.py.
"""

from __future__ import annotations

from typing import Any

from autograd_core.backend import get_array_module
from autograd_core.dtypes import float32
from autograd_core.function import Function
from autograd_core.ops._util import scalar_type_name, shape_str
from autograd_core.ops.conv import _im2col, _padded, _tuple
from autograd_core.tensor import Tensor

__all__ = ["conv_transpose1d", "conv_transpose2d"]


def _scatter_taps(xp: Any, x: Any, w: Any, geom: tuple) -> Any:
    """The (N, C_out, H_out, W_out) output before bias: products of x and w added per tap."""
    out_shape, _, buf_shape, pads, stride, dil, groups, (h, wd), _ = geom
    n, c_out = out_shape[:2]
    c_in, cg, kh, kw = w.shape
    # rows (group, tap p, tap q, channel in group); columns (row i, column j, sample)
    wr = w.reshape(groups, c_in // groups, cg, kh, kw).transpose(0, 3, 4, 2, 1)
    wr = wr.reshape(groups, kh * kw * cg, c_in // groups)
    xr = x.transpose(1, 2, 3, 0).reshape(groups, c_in // groups, h * wd * n)
    taps = xp.matmul(wr, xr).reshape(groups, kh, kw, cg, h, wd, n)
    buf = xp.zeros((groups, cg, buf_shape[2], buf_shape[3], n), x.dtype)
    (sh, sw), (dh, dw) = stride, dil
    for p in range(kh):
        for q in range(kw):
            r, c = p * dh, q * dw
            buf[:, :, r:r + sh * (h - 1) + 1:sh, c:c + sw * (wd - 1) + 1:sw] += taps[:, p, q]
    (pt, _), (pl, _) = pads
    buf = buf.reshape(c_out, buf_shape[2], buf_shape[3], n)
    crop = buf[:, pt:pt + out_shape[2], pl:pl + out_shape[3]]
    return xp.ascontiguousarray(crop.transpose(3, 0, 1, 2))


class ConvTranspose2d(Function):
    """y[n,o,s*i+d*p-pad, s*j+d*q-pad] += sum_c x[n,c,i,j] * w[c,o,p,q]  (+ b[o])"""

    @staticmethod
    def forward(ctx, x, w, b, stride=(1, 1), padding=(0, 0), output_padding=(0, 0),
                dilation=(1, 1), groups=1):
        xp = get_array_module(x)
        n, c_in, h, wd = x.shape
        kh, kw = w.shape[2:]
        c_out = w.shape[1] * groups
        out_hw = tuple((size - 1) * s - 2 * p + d * (k - 1) + op + 1 for size, s, p, d, k, op
                       in zip((h, wd), stride, padding, dilation, (kh, kw), output_padding))
        if min(out_hw) <= 0:
            raise RuntimeError(f"conv_transpose2d: Calculated output size: ({c_out}x"
                               f"{out_hw[0]}x{out_hw[1]}). Output size is too small")
        pads = tuple((p, p) for p in padding)
        buf_shape = (n, c_out, out_hw[0] + 2 * padding[0], out_hw[1] + 2 * padding[1])
        # The geometry of the convolution this op transposes: its input is our output.
        geom = ((n, c_out, *out_hw), (c_in, c_out // groups, kh, kw), buf_shape, pads, stride,
                dilation, groups, (h, wd), False)
        ctx.geom = geom
        ctx.save_for_backward(x, w)
        if n == 0:
            out = xp.zeros((0, c_out, *out_hw), x.dtype)
        else:
            out = _scatter_taps(xp, x, w, geom)
        if b is not None:
            out += b.reshape(c_out, 1, 1)
        return out

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        nx, nw, nb = ctx.needs_input_grad
        xp = get_array_module(g)
        geom = ctx.geom
        groups = geom[6]
        c_in, (h, wd) = geom[1][0], geom[7]
        n = g.shape[0]
        gb = g.sum(axis=(0, 2, 3)) if nb else None
        if n == 0:
            return (xp.zeros((0, c_in, h, wd), g.dtype) if nx else None,
                    xp.zeros(geom[1], g.dtype) if nw else None, gb)
        _, buf = _padded(xp, g, geom[3], 0)
        col = _im2col(xp, buf, geom)  # (G, C_out/G*kh*kw, N*H*W), columns (sample, row, col)
        gx = gw = None
        if nx:
            wm = w.reshape(groups, c_in // groups, -1)
            gx = xp.matmul(wm, col).reshape(c_in, n, h, wd).transpose(1, 0, 2, 3)
            gx = xp.ascontiguousarray(gx)
        if nw:
            x3 = x.transpose(1, 0, 2, 3).reshape(groups, c_in // groups, -1)
            gw = xp.matmul(x3, col.swapaxes(-1, -2)).reshape(geom[1])
        return gx, gw, gb


class ConvTranspose1d(Function):
    """conv_transpose2d over (N, C, 1, L): the 1-D case as a height-1 image."""

    @staticmethod
    def forward(ctx, x, w, b, stride=(1, 1), padding=(0, 0), output_padding=(0, 0),
                dilation=(1, 1), groups=1):
        out = ConvTranspose2d.forward(ctx, x[:, :, None], w[:, :, None], b, stride, padding,
                                      output_padding, dilation, groups)
        return out[:, :, 0]

    @staticmethod
    def backward(ctx, g):
        gx, gw, gb = ConvTranspose2d.backward(ctx, g[:, :, None])
        return (None if gx is None else gx[:, :, 0], None if gw is None else gw[:, :, 0], gb)


def _check(op: str, nd: int, x: Tensor, w: Tensor, b: Any, groups: int) -> None:
    """PyTorch's messages for wrong ranks, channel counts and dtypes."""
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to "
                           f"{op}, but got input of size: {shape_str(x.shape)}")
    if w.ndim != nd + 2:
        raise RuntimeError(f"{op}: expected weight to be {nd + 2}-dimensional, got "
                           f"{shape_str(w.shape)}")
    if w.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{shape_str(w.shape)}] "
                           "instead")
    c = x.shape[-nd - 1]
    if c != w.shape[0]:
        raise RuntimeError(f"Given transposed=1, weight of size {shape_str(w.shape)}, expected "
                           f"input{shape_str(x.shape)} to have {w.shape[0]} channels, but got "
                           f"{c} channels instead")
    c_out = w.shape[1] * groups
    if b is not None and (b.ndim != 1 or b.shape[0] != c_out):
        raise RuntimeError(f"Given transposed=1, weight of size {shape_str(w.shape)}, expected "
                           f"bias to be 1-dimensional with {c_out} elements, but got bias of "
                           f"size {shape_str(b.shape)} instead")
    # PyTorch's float32 input goes to oneDNN, which words the dtype mismatch its own way.
    if x.dtype != w.dtype and x.dtype != float32:
        raise RuntimeError(f"expected scalar type {scalar_type_name(x.dtype)} but found "
                           f"{scalar_type_name(w.dtype)}")
    for name, t in (("weight", w), ("bias", b)):
        if t is not None and t.dtype != x.dtype:
            raise RuntimeError(
                f"Input type (torch.{scalar_type_name(x.dtype)}Tensor) and {name} type "
                f"(torch.{scalar_type_name(t.dtype)}Tensor) should be the same or input should "
                f"be a MKLDNN tensor and {name} is a dense tensor")


def _check_geometry(stride: tuple, padding: tuple, output_padding: tuple,
                    dilation: tuple) -> None:
    """PyTorch's messages for impossible strides, paddings and dilations."""
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(p < 0 for p in output_padding):
        raise RuntimeError("negative output_padding is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")


def _check_output_padding(op_: tuple, stride: tuple, dil: tuple) -> None:
    if any(o >= s and o >= d for o, s, d in zip(op_, stride, dil)):
        raise RuntimeError(
            "output padding must be smaller than either stride or dilation, but got "
            f"output_padding_height: {op_[0]} output_padding_width: {op_[1]} stride_height: "
            f"{stride[0]} stride_width: {stride[1]} dilation_height: {dil[0]} "
            f"dilation_width: {dil[1]}")


def _conv_t(op: str, nd: int, input: Tensor, weight: Tensor, bias: Any, stride: Any,
            padding: Any, output_padding: Any, groups: int, dilation: Any) -> Tensor:
    if isinstance(padding, str):
        raise TypeError(f"{op}(): argument 'padding' must be tuple of ints, not str")
    _check(op, nd, input, weight, bias, groups)
    args = [_tuple(v, nd, name) for v, name in ((stride, "stride"), (padding, "padding"),
                                                 (output_padding, "output_padding"),
                                                 (dilation, "dilation"))]
    if nd == 1:  # a height-1 image: neutral values for the height
        args = [(neutral, *a) for neutral, a in zip((1, 0, 0, 1), args)]
    stride_t, pad_t, outpad_t, dil_t = args
    _check_geometry(stride_t, pad_t, outpad_t, dil_t)
    _check_output_padding(outpad_t, stride_t, dil_t)
    unbatched = input.ndim == nd + 1
    if unbatched:
        input = input.unsqueeze(0)
    fn = ConvTranspose1d if nd == 1 else ConvTranspose2d
    out = fn.apply(input, weight, bias, stride=stride_t, padding=pad_t,
                   output_padding=outpad_t, dilation=dil_t, groups=groups)
    return out.squeeze(0) if unbatched else out


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """2-D transposed convolution of (N, C_in, H, W) with weight (C_in, C_out/groups, kh, kw).

    Returns:
        (N, C_out, H_out, W_out), H_out = (H-1)*stride - 2*padding + dilation*(kh-1)
        + output_padding + 1.

    Example:
        >>> F.conv_transpose2d(ag.randn(1, 8, 4, 4), ag.randn(8, 3, 4, 4), stride=2,
        ...                    padding=1).shape
        torch.Size([1, 3, 8, 8])
    """
    return _conv_t("conv_transpose2d", 2, input, weight, bias, stride, padding, output_padding,
                   groups, dilation)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """1-D transposed convolution of (N, C_in, L) with (C_in, C_out/groups, k); as 2-D."""
    return _conv_t("conv_transpose1d", 1, input, weight, bias, stride, padding, output_padding,
                   groups, dilation)

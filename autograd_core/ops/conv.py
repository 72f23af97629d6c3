"""Convolutions: conv1d and conv2d (stride, padding, dilation, groups) as one Function each.

Forward is im2col by a strided window view of the padded input, copied once into a
(N, groups, C_in/groups*kh*kw, H_out*W_out) matrix, then one batched BLAS matmul whose
result already has the (N, C_out, H_out, W_out) layout. Backward reuses that matrix for the
weight gradient and scatters the input gradient back with one strided add per kernel tap.
"""

from __future__ import annotations

from typing import Any

from autograd_core.backend import get_array_module
from autograd_core.function import Function
from autograd_core.ops._util import c_type_name, scalar_type_name, shape_str
from autograd_core.tensor import Tensor


def _tuple(v: Any, n: int, name: str) -> tuple[int, ...]:
    if isinstance(v, int):
        return (v,) * n
    v = tuple(int(i) for i in v)
    if len(v) == 1:
        return v * n
    if len(v) != n:
        raise ValueError(f"expected {name} to be a single integer value or a list of {n} values")
    return v


def _out_size(size: int, k: int, s: int, d: int) -> int:
    return (size - d * (k - 1) - 1) // s + 1


def _windows(xp: Any, buf: Any, kernel: tuple, out: tuple, stride: tuple, dil: tuple,
             groups: int) -> Any:
    """A (G, C/G, kh, kw, N, Ho, Wo) view of the padded input: no copy."""
    n, c, _, _ = buf.shape
    sn, sc, sh, sw = buf.strides
    shape = (groups, c // groups, *kernel, n, *out)
    strides = (sc * (c // groups), sc, sh * dil[0], sw * dil[1], sn, sh * stride[0],
               sw * stride[1])
    return xp.lib.stride_tricks.as_strided(buf, shape, strides)


def _flat_taps(xp: Any, flat: Any, shape: tuple, kernel: tuple, dil: tuple, groups: int,
               ho: int) -> Any:
    """A (G, C/G, kh, kw, N, Ho*Wp) view: tap (p, q) is the padded image shifted by p*Wp+q.

    With stride 1 a window at (i, j) starts at flat i*Wp + j, so each tap is one contiguous run
    of Ho*Wp elements; the Wp-Wo columns per row past the edge are junk the caller drops.
    """
    n, c, hp, wp = shape
    it = flat.itemsize
    img = hp * wp * it
    view_shape = (groups, c // groups, *kernel, n, ho * wp)
    strides = ((c // groups) * img, img, dil[0] * wp * it, dil[1] * it, c * img, it)
    return xp.lib.stride_tricks.as_strided(flat, view_shape, strides)


def _padded(xp: Any, x: Any, pads: tuple, slack: int) -> tuple[Any, Any]:
    """(flat, buf): x zero-padded as (N, C, Hp, Wp) in a flat buffer with `slack` extra zeros.

    The slack lets the stride-1 path read whole padded rows past the last image's end.
    """
    (pt, pb), (pl, pr) = pads
    n, c, h, w = x.shape
    if not (pt or pb or pl or pr or slack):
        x = xp.ascontiguousarray(x)
        return x, x
    shape = (n, c, h + pt + pb, w + pl + pr)
    size = n * c * shape[2] * shape[3]
    flat = xp.zeros(size + slack, x.dtype)
    buf = flat[:size].reshape(shape)
    buf[:, :, pt:pt + h, pl:pl + w] = x
    return flat, buf


_KEEP_COL_BYTES = 32 << 20


def _im2col(xp: Any, src: Any, geom: tuple) -> Any:
    """The (G, C/G*kh*kw, N*L) matrix of input windows: the one im2col copy.

    Laid out so each group is a single large GEMM, not one small GEMM per sample.
    """
    _, w_shape, buf_shape, _, stride, dilation, groups, (ho, wo), wide = geom
    kernel = w_shape[2:]
    if wide:
        view = _flat_taps(xp, src, buf_shape, kernel, dilation, groups, ho)
    else:
        view = _windows(xp, src, kernel, (ho, wo), stride, dilation, groups)
    return view.reshape(groups, w_shape[1] * kernel[0] * kernel[1], -1)


class Conv2d(Function):
    """y[n,o,i,j] = b[o] + sum_{c,p,q} w[o,c,p,q] * x_pad[n,c, s*i + d*p, s*j + d*q]"""

    @staticmethod
    def forward(ctx, x, w, b, stride=(1, 1), pads=((0, 0), (0, 0)), dilation=(1, 1),
                groups=1):
        xp = get_array_module(x)
        o, cg, kh, kw = w.shape
        # Stride 1 (the common case) takes whole padded rows: long contiguous copies, no
        # per-row loop; other strides take the window view, rows of Wo elements.
        wide = stride == (1, 1)
        flat, buf = _padded(xp, x, pads, dilation[1] * (kw - 1) if wide else 0)
        n, _, hp, wp = buf.shape
        ho = (hp - dilation[0] * (kh - 1) - 1) // stride[0] + 1
        wo = (wp - dilation[1] * (kw - 1) - 1) // stride[1] + 1
        if ho <= 0 or wo <= 0:
            raise RuntimeError(
                f"conv2d: Calculated output size: ({o}x{max(ho, 0)}x{max(wo, 0)}). "
                "Output size is too small"
            )
        geom = (x.shape, w.shape, buf.shape, pads, stride, dilation, groups, (ho, wo), wide)
        ctx.geom = geom
        ctx.x_in = x  # for create_graph only (_graph_grads_nn.py): x itself, no copy
        if n == 0:  # an empty batch: the im2col reshapes cannot infer sizes from 0 elements
            return xp.zeros((0, o, ho, wo), x.dtype)
        src = flat if wide else buf
        col = _im2col(xp, src, geom)
        wm = w.reshape(groups, o // groups, cg * kh * kw)
        tmp = xp.matmul(wm, col).reshape(o, n, ho, -1).transpose(1, 0, 2, 3)
        if wide:
            tmp = tmp[..., :wo]
        # One pass does the transpose to (N, O, Ho, Wo), the crop of junk columns, and the bias.
        if b is not None:
            out = xp.add(tmp, b.reshape(o, 1, 1))
        else:
            out = xp.ascontiguousarray(tmp)
        # Backward reuses the col matrix unless it is large: then it keeps the padded input
        # (kh*kw times smaller) and rebuilds the col, one extra copy.
        ctx.rebuild = col.nbytes > _KEEP_COL_BYTES
        ctx.save_for_backward(src if ctx.rebuild else col, wm)
        return out

    @staticmethod
    def backward(ctx, g):
        geom = ctx.geom
        nx, nw, nb = ctx.needs_input_grad
        xp = get_array_module(g)
        if g.shape[0] == 0:  # an empty batch contributes nothing to any gradient
            return (xp.zeros(geom[0], g.dtype) if nx else None,
                    xp.zeros(geom[1], g.dtype) if nw else None,
                    xp.zeros(geom[1][0], g.dtype) if nb else None)
        col, wm = ctx.saved_tensors
        if ctx.rebuild and nw:
            col = _im2col(xp, col, geom)
        n, o, ho, wo = g.shape
        groups, wide = geom[6], geom[8]
        # g as (O, N, Ho, W'): for the wide path with zero junk columns lining up with col.
        gt = xp.zeros((o, n, ho, geom[2][3] if wide else wo), g.dtype)
        gt[..., :wo] = g.transpose(1, 0, 2, 3)
        gb = gt.reshape(o, -1).sum(axis=1) if nb else None  # contiguous rows: a fast reduction
        g3 = gt.reshape(groups, o // groups, -1)
        gw = gx = None
        if nw:
            gw = xp.matmul(g3, col.swapaxes(-1, -2)).reshape(geom[1])
        if nx:
            gcol = xp.matmul(wm.swapaxes(-1, -2), g3)
            gx = _col2im_wide(gcol, geom) if wide else _col2im(gcol, geom)
        return gx, gw, gb


def _crop(gbuf: Any, x_shape: tuple, pads: tuple) -> Any:
    (pt, _), (pl, _) = pads
    if gbuf.shape == x_shape:
        return gbuf
    return gbuf[:, :, pt:pt + x_shape[2], pl:pl + x_shape[3]]


def _col2im(gcol: Any, geom: tuple) -> Any:
    """Input gradient, any stride: each tap's column block added onto the padded input."""
    x_shape, w_shape, buf_shape, pads, stride, dil, _, (ho, wo), _ = geom
    xp = get_array_module(gcol)
    n, c = x_shape[:2]
    kh, kw = w_shape[2:]
    gcol = gcol.reshape(c, kh, kw, n, ho, wo)
    gbuf = xp.zeros(buf_shape, gcol.dtype)
    sh, sw = stride
    for p in range(kh):
        r = p * dil[0]
        for q in range(kw):
            s = q * dil[1]
            tap = gcol[:, p, q].transpose(1, 0, 2, 3)
            gbuf[:, :, r:r + sh * (ho - 1) + 1:sh, s:s + sw * (wo - 1) + 1:sw] += tap
    return _crop(gbuf, x_shape, pads)


def _col2im_wide(gcol: Any, geom: tuple) -> Any:
    """Input gradient, stride 1: each tap is one shifted contiguous add into the flat buffer.

    Junk columns of gcol are zero (g was widened with zeros), so the runs that spill into
    the next image's first elements add nothing.
    """
    x_shape, w_shape, buf_shape, pads, _, dil, _, (ho, _), _ = geom
    xp = get_array_module(gcol)
    n, c, hp, wp = buf_shape
    kh, kw = w_shape[2:]
    size = n * c * hp * wp
    flat = xp.zeros(size + dil[1] * (kw - 1), gcol.dtype)
    gcol = gcol.reshape(c, kh, kw, n, ho * wp)
    it = flat.itemsize
    for p in range(kh):
        for q in range(kw):
            off = p * dil[0] * wp + q * dil[1]
            run = xp.lib.stride_tricks.as_strided(
                flat[off:], (c, n, ho * wp), (hp * wp * it, c * hp * wp * it, it))
            run += gcol[:, p, q]
    return _crop(flat[:size].reshape(buf_shape), x_shape, pads)


class Conv1d(Function):
    """y[n,o,i] = b[o] + sum_{c,p} w[o,c,p] * x_pad[n,c, s*i + d*p]"""

    @staticmethod
    def forward(ctx, x, w, b, stride=(1, 1), pads=((0, 0), (0, 0)), dilation=(1, 1),
                groups=1):
        out = Conv2d.forward(ctx, x[:, :, None], w[:, :, None], b, stride=stride, pads=pads,
                             dilation=dilation, groups=groups)
        return out[:, :, 0]

    @staticmethod
    def backward(ctx, g):
        gx, gw, gb = Conv2d.backward(ctx, g[:, :, None])
        return (None if gx is None else gx[:, :, 0], None if gw is None else gw[:, :, 0], gb)


def _same_pads(kernel: tuple, dilation: tuple) -> tuple:
    """PyTorch's 'same': total padding d*(k-1), the extra odd element on the right."""
    pads = []
    for k, d in zip(kernel, dilation):
        total = d * (k - 1)
        pads.append((total // 2, total - total // 2))
    return tuple(pads)


def _check(op: str, x: Tensor, w: Tensor, b: Any, groups: int, nd: int) -> None:
    """PyTorch's messages for wrong ranks and channel counts (cheap shape checks only)."""
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {op}, but got "
            f"input of size: {shape_str(x.shape)}"
        )
    if w.ndim != nd + 2:
        raise RuntimeError(
            f"weight should have at least three dimensions, but got weight of size: "
            f"{shape_str(w.shape)}" if w.ndim < 3 else
            f"{op}: expected weight to be {nd + 2}-dimensional, got {shape_str(w.shape)}"
        )
    c = x.shape[-nd - 1]
    if c != w.shape[1] * groups:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {shape_str(w.shape)}, expected input"
            f"{shape_str(x.shape)} to have {w.shape[1] * groups} channels, but got {c} "
            "channels instead"
        )
    if w.shape[0] % groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension "
            f"0, but got weight of size {shape_str(w.shape)} instead"
        )
    if x.dtype != w.dtype:
        raise RuntimeError(f"expected scalar type {scalar_type_name(x.dtype)} but found "
                           f"{scalar_type_name(w.dtype)}")
    if b is not None and b.dtype != x.dtype:  # numpy would promote the output silently
        raise RuntimeError(f"Input type ({c_type_name(x.dtype)}) and bias type "
                           f"({c_type_name(b.dtype)}) should be the same")
    if b is not None and (b.ndim != 1 or b.shape[0] != w.shape[0]):
        raise RuntimeError(
            f"Given weight of size {shape_str(w.shape)}, expected bias to be 1-dimensional "
            f"with {w.shape[0]} elements, but got bias of size {shape_str(b.shape)} instead"
        )


def _conv(op: str, nd: int, input: Tensor, weight: Tensor, bias: Any, stride: Any,
          padding: Any, dilation: Any, groups: int) -> Tensor:
    _check(op, input, weight, bias, groups, nd)
    stride_t = _tuple(stride, nd, "stride")
    dil = _tuple(dilation, nd, "dilation")
    kernel = tuple(weight.shape[2:])
    if isinstance(padding, str):
        if padding == "valid":
            pads = ((0, 0),) * nd
        elif padding == "same":
            if any(s != 1 for s in stride_t):  # the functional form raises RuntimeError
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            pads = _same_pads(kernel, dil)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        pads = tuple((p, p) for p in _tuple(padding, nd, "padding"))
    unbatched = input.ndim == nd + 1
    if unbatched:
        input = input.unsqueeze(0)
    if nd == 1:
        out = Conv1d.apply(input, weight, bias, stride=(1, stride_t[0]),
                           pads=((0, 0), pads[0]), dilation=(1, dil[0]), groups=groups)
    else:
        out = Conv2d.apply(input, weight, bias, stride=stride_t, pads=pads, dilation=dil,
                           groups=groups)
    return out.squeeze(0) if unbatched else out


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-D convolution (cross-correlation) of (N, C_in, H, W) with (C_out, C_in/groups, kh, kw).

    Args:
        padding: an int, a pair, or 'valid' / 'same' (stride 1 only), like PyTorch.
    Returns:
        (N, C_out, H_out, W_out), H_out = (H + 2p - d(kh-1) - 1) // s + 1.

    Example:
        >>> y = conv2d(x, w, b, padding=1)   # 3x3 'same' conv
    """
    return _conv("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-D convolution of (N, C_in, L) with (C_out, C_in/groups, k); arguments as conv2d."""
    return _conv("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


__all__ = ["conv1d", "conv2d"]

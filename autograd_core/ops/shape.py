"""Shape ops: view/reshape, transpose/permute, squeeze/unsqueeze, expand, flatten, narrow,
movedim: views of the same data where numpy can make one. Rearranging copies are in `rearrange`."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core import dtypes
from autograd_core.backend import get_array_module
from autograd_core.function import Function
from autograd_core.ops._sizes import _is_size, _sizes, _type_name, keyword_sizes
from autograd_core.ops._util import norm_dim, scalar_type_name, shape_str
from autograd_core.ops.rearrange import flip, repeat, roll, tril, triu  # noqa: F401  (moved)
from autograd_core.tensor import Tensor

# view, expand, contiguous, ... are Tensor methods only (autograd_core.ops binds them).
__all__ = [
    "flatten", "moveaxis", "movedim", "narrow", "permute", "reshape", "squeeze",
    "swapaxes", "swapdims", "t", "transpose", "unflatten", "unsqueeze",
]


class Reshape(Function):
    """y = x with a new shape (a view when numpy can make one)"""

    is_view = True

    @staticmethod
    def forward(ctx, x, shape=None, strides=None):
        ctx.in_shape = x.shape
        if strides is None:
            return x.reshape(shape)
        # view() of a non-contiguous array: the strides PyTorch's rule gives, over x's memory.
        byte_strides = tuple(s * x.itemsize for s in strides)
        return get_array_module(x).lib.stride_tricks.as_strided(x, shape, byte_strides)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape)


# reshape() where no strides can show the input in the new shape: a copy, so not a view
# (no shared version counter or base), shown in the graph under the same name.
_ReshapeCopy = type("Reshape", (Reshape,), {"is_view": False, "__doc__": Reshape.__doc__})


def _reshaped(input: Tensor, target: tuple, op: str = "reshape") -> Tensor:
    """`input` in shape `target`: a view when PyTorch's stride rule allows one, else a copy
    (or, for op 'view', PyTorch's error)."""
    arr = input._data
    if arr.flags.c_contiguous:
        return Reshape.apply(input, shape=target)  # numpy reshapes contiguous memory in place
    strides = _view_strides(arr.shape, tuple(s // arr.itemsize for s in arr.strides), target)
    if strides is not None:
        return Reshape.apply(input, shape=target, strides=strides)
    if op == "view":
        raise RuntimeError(_VIEW_ERROR)
    return _ReshapeCopy.apply(input, shape=target)


def _infer_shape(numel: int, shape: tuple, op: str, in_shape: tuple) -> tuple:
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for i, s in enumerate(shape):
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape "
                                   f"{shape_str(shape)}")
            known *= s
    if -1 in shape:
        if numel == 0 and known == 0:
            raise RuntimeError(f"cannot reshape tensor of 0 elements into shape "
                               f"{shape_str(shape)} because the unspecified dimension size -1 "
                               "can be any value and is ambiguous")
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{shape_str(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{shape_str(shape)}' is invalid for input of size {numel}")
    return shape


def reshape(input: Tensor, *shape: Any, **kw: Any) -> Tensor:
    """The same data in a new shape (a view when the memory allows, else a copy); -1 infers
    one dimension."""
    shape = keyword_sizes(shape, kw, "shape", "reshape") if kw else shape
    target = _infer_shape(input._data.size, _sizes(shape, "reshape", "shape"), "reshape",
                          input._data.shape)
    return _reshaped(input, target)


_VIEW_ERROR = ("view size is not compatible with input tensor's size and stride (at least one "
               "dimension spans across two contiguous subspaces). Use .reshape(...) instead.")


def view(input: Tensor, *shape: Any, **kw: Any) -> Tensor:
    """The same memory seen in a new shape: writes through the view reach the input.

    Like PyTorch, a shape that the input's strides cannot express (a transposed or expanded
    tensor flattened across its strides) raises instead of copying; use reshape() there.
    `view(dtype)` reinterprets the bits as another dtype.
    """
    shape = keyword_sizes(shape, kw, "size", "view") if kw else shape
    if len(shape) == 1 and isinstance(shape[0], np.dtype | dtypes.dtype):
        return _view_dtype(input, np.dtype(shape[0]))
    packed = len(shape) == 1 and isinstance(shape[0], (tuple, list))
    first = (shape[0][0] if packed and shape[0] else shape[0] if shape and not packed else 0)
    if not _is_size(first) or first is True:
        raise TypeError(_view_overloads_error(shape, packed))
    arr = input._data
    target = _infer_shape(arr.size, _sizes(shape, "view", "size"), "view", arr.shape)
    return _reshaped(input, target, "view")


def _view_overloads_error(args: tuple, packed: bool) -> str:
    """PyTorch's words when neither view() overload (a dtype, or sizes) takes `args`; with
    one argument it also says why each overload refused it."""
    got = ", ".join(_type_name(s) for s in args)
    lines = [f"view() received an invalid combination of arguments - got ({got}), but expected "
             "one of:"]
    why = ""
    if len(args) == 1:
        inner = ", ".join(_type_name(s) for s in args[0]) if packed else ""
        bad = (got if not packed else f"tuple of ({inner})" if isinstance(args[0], tuple)
               else f"list of [{inner}]")
        why = f"\n      didn't match because some of the arguments have invalid types: (!{bad}!)"
    lines += [f" * (torch.dtype dtype){why}", f" * (tuple of ints size){why}", ""]
    return "\n".join(lines)


def _view_strides(old: tuple, strides: tuple, new: tuple) -> tuple | None:
    """The strides that show memory of shape `old` with `strides` as shape `new`, or None
    when no strides can (PyTorch's computeStride: each run of dims that is contiguous in
    memory may be regrouped, but no new dim may span two such runs)."""
    if not old:
        return (1,) * len(new)
    numel = int(np.prod(old))
    if numel == 0:
        if old == new:
            return strides
        out = [1] * len(new)
        for d in range(len(new) - 2, -1, -1):
            out[d] = max(new[d + 1], 1) * out[d + 1]
        return tuple(out)
    out = [0] * len(new)
    view_d = len(new) - 1
    base = strides[-1]  # the stride of the current contiguous run's last element
    tensor_numel = view_numel = 1
    for d in range(len(old) - 1, -1, -1):
        tensor_numel *= old[d]
        if d == 0 or (old[d - 1] != 1 and strides[d - 1] != tensor_numel * base):
            # dims d.. form one contiguous run: new dims must tile it exactly.
            while view_d >= 0 and (view_numel < tensor_numel or new[view_d] == 1):
                out[view_d] = view_numel * base
                view_numel *= new[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if d > 0:
                base = strides[d - 1]
                tensor_numel = view_numel = 1
    return tuple(out) if view_d == -1 else None


class ViewDtype(Function):
    """y = the bits of x read as another dtype (not differentiable)"""

    is_view = True
    differentiable = False

    @staticmethod
    def forward(ctx, x, dtype=None):
        return x.view(dtype)


def _view_dtype(input: Tensor, dt: np.dtype) -> Tensor:
    arr = input._data
    old = arr.dtype
    if dt.itemsize != old.itemsize:
        words = (f"to view {scalar_type_name(old)} as {scalar_type_name(dt)} (different "
                 "element sizes)")
        if arr.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 {words}")
        step = arr.strides[-1] // old.itemsize
        if step != 1 and arr.shape[-1] != 1:
            raise RuntimeError(f"self.stride(-1) must be 1 {words}, but got {step}")
        ratio = dt.itemsize // old.itemsize
        if ratio > 1 and arr.shape[-1] % ratio:
            raise RuntimeError(f"self.size(-1) must be divisible by {ratio} {words}, but got "
                               f"{arr.shape[-1]}")
    return ViewDtype.apply(input, dtype=dt)


def view_as(input: Tensor, other: Tensor) -> Tensor:
    """view(other.shape): the same memory in other's shape (PyTorch's view rules)."""
    return view(input, other.shape)


def reshape_as(input: Tensor, other: Tensor) -> Tensor:
    return reshape(input, other.shape)


class Permute(Function):
    """y = x with its axes reordered"""

    is_view = True

    @staticmethod
    def forward(ctx, x, axes=None):
        ctx.axes = axes
        return x.transpose(axes)

    @staticmethod
    def backward(ctx, g):
        axes = ctx.axes
        inverse = [0] * len(axes)
        for i, a in enumerate(axes):
            inverse[a] = i
        return g.transpose(inverse)


def permute(input: Tensor, *dims: Any, **kw: Any) -> Tensor:
    dims = _sizes(keyword_sizes(dims, kw, "dims", "permute") if kw else dims, "permute", "dims")
    n = input.ndim
    if len(dims) != n:
        raise RuntimeError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {n} is not equal "
            f"to len(dims) = {len(dims)}"
        )
    axes = tuple(norm_dim(d, n, "permute") for d in dims)
    if len(set(axes)) != n:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, axes=axes)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    n = input.ndim
    if n == 0:
        return input
    d0, d1 = norm_dim(dim0, n, "transpose"), norm_dim(dim1, n, "transpose")
    axes = list(range(n))
    axes[d0], axes[d1] = axes[d1], axes[d0]
    return Permute.apply(input, axes=tuple(axes))


swapaxes = swapdims = transpose


def t(input: Tensor) -> Tensor:
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D")
    return transpose(input, 0, 1) if input.ndim == 2 else input


def squeeze(input: Tensor, dim: Any = None) -> Tensor:
    shape = input._data.shape
    if dim is None:
        target = tuple(s for s in shape if s != 1)
    else:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        axes = {norm_dim(d, input.ndim, "squeeze") for d in dims}
        target = tuple(s for i, s in enumerate(shape) if not (i in axes and s == 1))
    return input if target == shape else Reshape.apply(input, shape=target)


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    d = norm_dim(dim, input.ndim + 1, "unsqueeze")
    shape = input._data.shape
    return Reshape.apply(input, shape=(*shape[:d], 1, *shape[d:]))


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    shape = input._data.shape
    if not shape:
        return _reshaped(input, (1,))
    s = norm_dim(start_dim, len(shape), "flatten")
    e = norm_dim(end_dim, len(shape), "flatten")
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    n = 1
    for v in shape[s:e + 1]:
        n *= v
    return _reshaped(input, (*shape[:s], n, *shape[e + 1:]))


def unflatten(input: Tensor, dim: int, sizes: Any) -> Tensor:
    shape = input._data.shape
    d = norm_dim(dim, len(shape), "unflatten")
    sizes = tuple(sizes)
    known = int(np.prod([s for s in sizes if s != -1]))
    if (known != shape[d]) if -1 not in sizes else (known and shape[d] % known):
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the "
                           f"size of dim {d} ({shape[d]}) in the input tensor")
    sizes = _infer_shape(shape[d], sizes, "unflatten", shape)
    return _reshaped(input, shape[:d] + sizes + shape[d + 1:])


class Expand(Function):
    """y = x broadcast to a larger shape (a read-only view)"""

    is_view = True

    @staticmethod
    def forward(ctx, x, shape=None):
        ctx.in_shape = x.shape
        return get_array_module(x).broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, g):
        from autograd_core.ops._util import sum_to

        return sum_to(g, ctx.in_shape)


def expand(input: Tensor, *sizes: Any, **kw: Any) -> Tensor:
    sizes = _sizes(keyword_sizes(sizes, kw, "size", "expand") if kw else sizes, "expand", "size")
    shape = input._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to "
            f"the number of dimensions in the tensor ({len(shape)})"
        )
    lead = len(sizes) - len(shape)
    target = []
    for i, s in enumerate(sizes):
        own = shape[i - lead] if i >= lead else None
        if s == -1:
            if own is None:
                raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a "
                                   f"leading, non-existing dimension {i}")
            s = own
        elif own is not None and own != 1 and own != s:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({own}) at "
                f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                f"{list(shape)}"
            )
        target.append(s)
    target_t = tuple(target)
    return input if target_t == shape else Expand.apply(input, shape=target_t)


def expand_as(input: Tensor, other: Tensor) -> Tensor:
    return expand(input, other.shape)


def contiguous(input: Tensor, memory_format: Any = None) -> Tensor:
    """The tensor itself when C-contiguous, else a C-ordered copy (a Clone node, as PyTorch)."""
    if input._data.flags.c_contiguous:
        return input
    from autograd_core.ops.unary import clone

    return clone(input)


def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """The slice [start, start + length) of `dim` (a view)."""
    from autograd_core.ops.indexing import getitem

    axis = norm_dim(dim, input.ndim, "narrow")
    n = input._data.shape[axis]
    start = int(start)
    if not -n <= start <= n:
        raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got "
                         f"{start})")
    start %= n if n else 1
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return getitem(input, (slice(None),) * axis + (slice(start, start + length),))


def movedim(input: Tensor, source: Any, destination: Any) -> Tensor:
    """Move dims `source` to positions `destination`, keeping the others' order."""
    n = input.ndim
    src = [norm_dim(d, n, "movedim") for d in ((source,) if isinstance(source, int) else source)]
    dst = [norm_dim(d, n, "movedim")
           for d in ((destination,) if isinstance(destination, int) else destination)]
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) "
                           f"should contain the same number of dims as destination ({dst} dims)")
    for name, dims in (("source", src), ("destination", dst)):
        if len(set(dims)) != len(dims):  # numpy would say "repeated axis in transpose"
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({dims})")
    rest = iter(d for d in range(n) if d not in src)
    placed = dict(zip(dst, src))
    order = tuple(placed[i] if i in placed else next(rest) for i in range(n))
    return Permute.apply(input, axes=order)


moveaxis = movedim

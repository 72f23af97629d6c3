"""Elementwise ops: arithmetic with broadcasting and PyTorch's type promotion, unary math."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core import dtypes
from autograd_core.backend import Device, get_array_module, module_for_device
from autograd_core.backend import device as as_device
from autograd_core.function import Function
from autograd_core.ops._util import shape_str, sum_to
from autograd_core.tensor import Tensor

_pyscalars = (int, float, bool)


# ------------------------------------------------------------------ operand preparation
def _prepare(a: Any, b: Any, op: str, true_div: bool = False) -> tuple[Any, Any]:
    """Promote two operands (tensors or scalars) to PyTorch's result dtype and check devices."""
    # Fast path (most calls): nothing to promote, two tensors or a float tensor and a number.
    if isinstance(a, Tensor):
        da = a._data
        if isinstance(b, Tensor):
            db = b._data
            if (type(da) is type(db) and da.dtype == db.dtype
                    and not (true_div and da.dtype.kind not in "fc")):
                return a, b
        elif (type(b) is float or type(b) is int) and da.dtype.kind in "fc":
            return a, b
    elif (isinstance(b, Tensor) and (type(a) is float or type(a) is int)
          and b._data.dtype.kind in "fc"):
        return a, b
    if isinstance(a, np.generic):
        a = a.item()
    if isinstance(b, np.generic):
        b = b.item()
    ta, tb = isinstance(a, Tensor), isinstance(b, Tensor)
    if ta and tb:
        if type(a._data) is not type(b._data):
            _device_error(a, b, op)
        if a._data.dtype == b._data.dtype:
            dt = a._data.dtype
            if true_div and dt.kind not in "fc":
                dt = dtypes.default.value
                return cast(a, dt), cast(b, dt)
            return a, b
        dt = dtypes.result_type(a._data, b._data)
    elif ta or tb:
        t, s = (a, b) if ta else (b, a)
        if not isinstance(s, _pyscalars):
            if isinstance(s, (list, tuple, np.ndarray)):
                s = Tensor._make(get_array_module(t._data).asarray(s))
                return _prepare(a if ta else s, s if ta else b, op, true_div)
            raise TypeError(f"{op}: unsupported operand type {type(s).__name__}")
        dt = dtypes.result_type(t._data, s)
        if dt == t._data.dtype and not (true_div and dt.kind not in "fc"):
            return a, b
    else:
        raise TypeError(f"{op}: expected at least one tensor operand")
    if true_div and dt.kind not in "fc":
        dt = dtypes.default.value
    a = cast(a, dt) if ta else a
    b = cast(b, dt) if tb else b
    if not ta:
        a = _scalar_as(a, dt)
    if not tb:
        b = _scalar_as(b, dt)
    return a, b


def _scalar_as(s: Any, dt: np.dtype) -> Any:
    return float(s) if dt.kind == "f" else s


def _device_error(a: Tensor, b: Tensor, op: str) -> None:
    raise RuntimeError(
        "Expected all tensors to be on the same device, but found at least two devices, "
        f"{a.device} and {b.device}! (when checking arguments for {op})"
    )


def _broadcast_error(op: str, a: Any, b: Any) -> RuntimeError:
    sa = getattr(a, "shape", ())
    sb = getattr(b, "shape", ())
    return RuntimeError(
        f"{op}: The size of tensor a {shape_str(sa)} must match the size of tensor b "
        f"{shape_str(sb)} (shapes cannot be broadcast together)"
    )


def _binary(cls: type, a: Any, b: Any, op: str, true_div: bool = False) -> Tensor:
    # _prepare's fast path, repeated here to save its call frame on most calls: two tensors
    # of one dtype and array type, or a float tensor and a Python number.
    if isinstance(a, Tensor):
        da = a._data
        if isinstance(b, Tensor):
            db = b._data
            fast = (type(da) is type(db) and da.dtype == db.dtype
                    and not (true_div and da.dtype.kind not in "fc"))
        else:
            fast = (type(b) is float or type(b) is int) and da.dtype.kind in "fc"
    else:
        fast = False
    if not fast:
        a, b = _prepare(a, b, op, true_div)
    try:
        return cls.apply(a, b)
    except ValueError as exc:
        if "broadcast" in str(exc):
            raise _broadcast_error(op, a, b) from None
        raise


def _shape(x: Any) -> tuple:
    return x.shape if hasattr(x, "shape") else ()


# ------------------------------------------------------------------ binary arithmetic
class Add(Function):
    """z = a + b"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (getattr(a, "shape", ()), getattr(b, "shape", ()))
        return a + b

    @staticmethod
    def backward(ctx, g):
        sa, sb = ctx.shapes
        na, nb = ctx.needs_input_grad
        shape = g.shape  # inputs of the output's shape take g as it is (no sum_to call)
        return ((g if sa == shape else sum_to(g, sa)) if na else None,
                (g if sb == shape else sum_to(g, sb)) if nb else None)


class Sub(Function):
    """z = a - b"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (getattr(a, "shape", ()), getattr(b, "shape", ()))
        return a - b

    @staticmethod
    def backward(ctx, g):
        sa, sb = ctx.shapes
        na, nb = ctx.needs_input_grad
        shape = g.shape
        return ((g if sa == shape else sum_to(g, sa)) if na else None,
                (-g if sb == shape else sum_to(-g, sb)) if nb else None)


class Mul(Function):
    """z = a * b"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        ga = gb = None
        if na:
            ga = g * b
            sa = getattr(a, "shape", ())
            if ga.shape != sa:
                ga = sum_to(ga, sa)
        if nb:
            gb = g * a
            sb = getattr(b, "shape", ())
            if gb.shape != sb:
                gb = sum_to(gb, sb)
        return ga, gb


class Div(Function):
    """z = a / b"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        ga = sum_to(g / b, _shape(a)) if na else None
        gb = sum_to(-g * a / (b * b), _shape(b)) if nb else None
        return ga, gb


class Pow(Function):
    """z = a ** b"""

    @staticmethod
    def forward(ctx, a, b):
        xp = get_array_module(a if hasattr(a, "shape") else b)
        y = xp.power(a, b)
        ctx.save_for_backward(a, b, y)
        return y

    @staticmethod
    def backward(ctx, g):
        a, b, y = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        ga = gb = None
        if na:
            if isinstance(b, (int, float)) and b == 2:
                ga = g * (a * 2)
            else:
                xp = get_array_module(a)
                ga = sum_to(g * b * xp.power(a, b - 1), _shape(a))
        if nb:
            xp = get_array_module(b)
            # d/db a^b = a^b log a, taken as 0 where a == 0 (PyTorch's convention).
            with np.errstate(divide="ignore", invalid="ignore"):
                log_a = xp.where(a == 0, 0, xp.log(xp.where(a == 0, 1, a)))
            gb = sum_to(g * y * log_a, _shape(b))
        return ga, gb


class FloorDivide(Function):
    """z = floor(a / b), not differentiable"""

    differentiable = False

    @staticmethod
    def forward(ctx, a, b):
        return get_array_module(a if hasattr(a, "shape") else b).floor_divide(a, b)


class Remainder(Function):
    """z = a - floor(a / b) * b (Python's sign convention, like torch.remainder)"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return get_array_module(a if hasattr(a, "shape") else b).remainder(a, b)

    @staticmethod
    def backward(ctx, g):
        return _mod_grads(ctx, g, get_array_module(g).floor_divide)


def _mod_grads(ctx: Any, g: Any, quotient: Any) -> tuple:
    """Grads of z = a - quotient(a, b) * b: the quotient is piecewise constant."""
    a, b = ctx.saved_tensors
    na, nb = ctx.needs_input_grad
    gb = sum_to(-g * quotient(a, b), _shape(b)) if nb else None
    return (sum_to(g, _shape(a)) if na else None), gb


class Maximum(Function):
    """z = max(a, b); ties split the gradient equally, as PyTorch does"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return get_array_module(a).maximum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return _minmax_grads(ctx, g, a > b, a == b, a, b)


class Minimum(Function):
    """z = min(a, b)"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return get_array_module(a).minimum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return _minmax_grads(ctx, g, a < b, a == b, a, b)


def _minmax_grads(ctx, g, wins, ties, a, b):
    half = g.dtype.type(0.5)
    wa = wins + ties * half
    na, nb = ctx.needs_input_grad
    ga = sum_to(g * wa.astype(g.dtype, copy=False), _shape(a)) if na else None
    gb = sum_to(g * (1 - wa).astype(g.dtype, copy=False), _shape(b)) if nb else None
    return ga, gb


def add(input: Any, other: Any, alpha: Any = 1) -> Tensor:
    """input + alpha * other, broadcast."""
    if alpha != 1:
        other = mul(other, alpha)
    return _binary(Add, input, other, "add")


def sub(input: Any, other: Any, alpha: Any = 1) -> Tensor:
    """input - alpha * other, broadcast."""
    if alpha != 1:
        other = mul(other, alpha)
    return _binary(Sub, input, other, "sub")


subtract = sub


def mul(input: Any, other: Any) -> Tensor:
    return _binary(Mul, input, other, "mul")


multiply = mul


def div(input: Any, other: Any, rounding_mode: str | None = None) -> Tensor:
    """True division (int / int gives float); rounding_mode 'floor' or 'trunc'."""
    if rounding_mode == "floor":
        return floor_divide(input, other)
    out = _binary(Div, input, other, "div", true_div=True)
    if rounding_mode == "trunc":
        return trunc(out)
    return out


divide = true_divide = div


def pow(input: Any, exponent: Any) -> Tensor:
    return _binary(Pow, input, exponent, "pow")


def floor_divide(input: Any, other: Any) -> Tensor:
    return _binary(FloorDivide, input, other, "floor_divide")


def remainder(input: Any, other: Any) -> Tensor:
    return _binary(Remainder, input, other, "remainder")


class Fmod(Function):
    """z = a - trunc(a / b) * b (C's sign convention, like torch.fmod)"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return get_array_module(a if hasattr(a, "shape") else b).fmod(a, b)

    @staticmethod
    def backward(ctx, g):
        trunc_ = get_array_module(g).trunc
        return _mod_grads(ctx, g, lambda a, b: trunc_(a / b))


def fmod(input: Any, other: Any) -> Tensor:
    return _binary(Fmod, input, other, "fmod")


def maximum(input: Tensor, other: Tensor) -> Tensor:
    return _binary(Maximum, input, other, "maximum")


def minimum(input: Tensor, other: Tensor) -> Tensor:
    return _binary(Minimum, input, other, "minimum")


# ------------------------------------------------------------------ unary math
class Neg(Function):
    """y = -x"""

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, g):
        return -g


class Clone(Function):
    """y = x (a copy with its own memory)"""

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        return g


class Exp(Function):
    """y = e^x"""

    @staticmethod
    def forward(ctx, x):
        y = get_array_module(x).exp(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        return g * ctx.saved_tensors[0]


class Log(Function):
    """y = ln x"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return get_array_module(x).log(x)

    @staticmethod
    def backward(ctx, g):
        with np.errstate(divide="ignore", invalid="ignore"):
            return g / ctx.saved_tensors[0]


class Log1p(Function):
    """y = ln(1 + x)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return get_array_module(x).log1p(x)

    @staticmethod
    def backward(ctx, g):
        with np.errstate(divide="ignore", invalid="ignore"):
            return g / (1 + ctx.saved_tensors[0])


class Sqrt(Function):
    """y = sqrt(x)"""

    @staticmethod
    def forward(ctx, x):
        with np.errstate(invalid="ignore"):
            y = get_array_module(x).sqrt(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        with np.errstate(divide="ignore", invalid="ignore"):
            return g / (2 * ctx.saved_tensors[0])


class Rsqrt(Function):
    """y = 1 / sqrt(x)"""

    @staticmethod
    def forward(ctx, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            y = 1 / get_array_module(x).sqrt(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y = ctx.saved_tensors[0]
        return g * (-0.5 * y * y * y)


class Sin(Function):
    """y = sin x"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return get_array_module(x).sin(x)

    @staticmethod
    def backward(ctx, g):
        return g * get_array_module(g).cos(ctx.saved_tensors[0])


class Cos(Function):
    """y = cos x"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return get_array_module(x).cos(x)

    @staticmethod
    def backward(ctx, g):
        return -g * get_array_module(g).sin(ctx.saved_tensors[0])


class Tanh(Function):
    """y = tanh x"""

    @staticmethod
    def forward(ctx, x):
        y = get_array_module(x).tanh(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y = ctx.saved_tensors[0]
        # g - g*y*y rather than g * (1 - y*y): a Python scalar operand costs numpy as much as
        # a ufunc call on a small array, and the in-place step saves an allocation.
        gyy = g * y
        gyy *= y
        return g - gyy


class Sigmoid(Function):
    """y = 1 / (1 + e^-x)"""

    @staticmethod
    def forward(ctx, x):
        xp = get_array_module(x)
        # tanh form: no overflow warning for large |x| and one pass fewer than exp.
        half = x.dtype.type(0.5)
        y = xp.tanh(x * half)
        y *= half
        y += half
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y = ctx.saved_tensors[0]
        gy = g * y  # g*y - g*y*y: no Python-scalar operand (see Tanh)
        return gy - gy * y


class Relu(Function):
    """y = max(x, 0)"""

    @staticmethod
    def forward(ctx, x):
        y = get_array_module(x).maximum(x, 0)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        # The mask is written straight into the gradient's dtype: no separate bool array
        # (a W3 step's peak memory is set here).
        xp = get_array_module(g)
        out = xp.greater(ctx.saved_tensors[0], 0, out=xp.empty_like(g))
        out *= g
        return out


class Abs(Function):
    """y = |x|"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return get_array_module(x).abs(x)

    @staticmethod
    def backward(ctx, g):
        return g * get_array_module(g).sign(ctx.saved_tensors[0])


class _ZeroGrad(Function):
    """Piecewise-constant ops: gradient zero almost everywhere (PyTorch returns zeros)."""

    ufunc = "sign"

    @classmethod
    def forward(cls, ctx, x):
        return getattr(get_array_module(x), cls.ufunc)(x)

    @staticmethod
    def backward(ctx, g):
        return get_array_module(g).zeros_like(g)


class Sign(_ZeroGrad):
    """y = sign(x)"""

    ufunc = "sign"


class Floor(_ZeroGrad):
    """y = floor(x)"""

    ufunc = "floor"


class Ceil(_ZeroGrad):
    """y = ceil(x)"""

    ufunc = "ceil"


class Round(_ZeroGrad):
    """y = round half to even (as torch.round)"""

    ufunc = "round"


class Trunc(_ZeroGrad):
    """y = trunc(x)"""

    ufunc = "trunc"


class Clamp(Function):
    """y = min(max(x, lo), hi); gradient passes where lo <= x <= hi"""

    @staticmethod
    def forward(ctx, x, lo=None, hi=None):
        xp = get_array_module(x)
        y = xp.clip(x, lo, hi) if lo is not None or hi is not None else x.copy()
        ctx.save_for_backward(x, lo, hi)
        return y

    @staticmethod
    def backward(ctx, g):
        x, lo, hi = ctx.saved_tensors
        mask = True
        if lo is not None:
            mask = x >= lo
        if hi is not None:
            mask = mask & (x <= hi)
        na = ctx.needs_input_grad
        gx = g * mask if na[0] else None
        glo = ghi = None
        if len(na) > 1 and na[1]:
            glo = sum_to(g * (x < lo), lo.shape)
        if len(na) > 2 and na[2]:
            ghi = sum_to(g * (x > hi), hi.shape)
        return gx, glo, ghi


class Where(Function):
    """z = cond ? a : b"""

    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.save_for_backward(cond, _shape(a), _shape(b))
        return get_array_module(cond).where(cond, a, b)

    @staticmethod
    def backward(ctx, g):
        cond, sa, sb = ctx.saved_tensors
        _, na, nb = ctx.needs_input_grad
        ga = sum_to(g * cond, sa) if na else None
        gb = sum_to(g * ~cond, sb) if nb else None
        return None, ga, gb


def _float(x: Tensor) -> Tensor:
    """Float-only math on integer tensors computes in the default dtype, as in PyTorch."""
    if not isinstance(x, Tensor):
        raise TypeError(f"expected a Tensor, got {type(x).__name__}")
    return x if x._data.dtype.kind in "fc" else cast(x, dtypes.default.value)


def neg(input: Tensor) -> Tensor:
    return Neg.apply(input)


negative = neg


def clone(input: Tensor, memory_format: Any = None) -> Tensor:
    """A copy of `input` with its own memory; gradients flow back unchanged."""
    return Clone.apply(input)


def exp(input: Tensor) -> Tensor:
    return Exp.apply(_float(input))


def log(input: Tensor) -> Tensor:
    return Log.apply(_float(input))


def log1p(input: Tensor) -> Tensor:
    return Log1p.apply(_float(input))


def sqrt(input: Tensor) -> Tensor:
    return Sqrt.apply(_float(input))


def rsqrt(input: Tensor) -> Tensor:
    return Rsqrt.apply(_float(input))


def sin(input: Tensor) -> Tensor:
    return Sin.apply(_float(input))


def cos(input: Tensor) -> Tensor:
    return Cos.apply(_float(input))


def tanh(input: Tensor) -> Tensor:
    return Tanh.apply(_float(input))


def sigmoid(input: Tensor) -> Tensor:
    return Sigmoid.apply(_float(input))


def relu(input: Tensor) -> Tensor:
    return Relu.apply(input)


def abs(input: Tensor) -> Tensor:
    return Abs.apply(input)


absolute = abs


def sign(input: Tensor) -> Tensor:
    return Sign.apply(input)


def floor(input: Tensor) -> Tensor:
    return input if input.dtype.kind in "iub" else Floor.apply(input)


def ceil(input: Tensor) -> Tensor:
    return input if input.dtype.kind in "iub" else Ceil.apply(input)


def round(input: Tensor, decimals: int = 0) -> Tensor:
    if decimals:
        scale = 10.0 ** decimals
        return div(Round.apply(mul(input, scale)), scale)
    return input if input.dtype.kind in "iub" else Round.apply(input)


def trunc(input: Tensor) -> Tensor:
    return input if input.dtype.kind in "iub" else Trunc.apply(input)


def square(input: Tensor) -> Tensor:
    return mul(input, input)


def reciprocal(input: Tensor) -> Tensor:
    return div(1.0, _float(input))


def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:
    """Clamp into [min, max]; either bound may be None, a number or a tensor."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        out = input
        if min is not None:
            out = maximum(out, min if isinstance(min, Tensor) else _like(out, min))
        if max is not None:
            out = minimum(out, max if isinstance(max, Tensor) else _like(out, max))
        return out
    if input.dtype.kind in "iub" and any(isinstance(v, float) for v in (min, max)):
        input = cast(input, dtypes.default.value)
    return Clamp.apply(input, lo=min, hi=max)


clip = clamp


def clamp_min(input: Tensor, min: Any) -> Tensor:
    return clamp(input, min=min)


def clamp_max(input: Tensor, max: Any) -> Tensor:
    return clamp(input, max=max)


def _like(t: Tensor, value: Any) -> Tensor:
    return Tensor._make(get_array_module(t._data).asarray(value, dtype=t._data.dtype))


def where(condition: Tensor, input: Any = None, other: Any = None) -> Any:
    """Elementwise choice; `where(cond)` alone returns the indices of true elements."""
    if input is None and other is None:
        from autograd_core.ops.indexing import nonzero

        return nonzero(condition, as_tuple=True)
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        input = _like(condition, input)
        input = cast(input, dtypes.result_type(input))
    a, b = _prepare(input, other, "where")
    ref = a if isinstance(a, Tensor) else b
    if not isinstance(a, Tensor):
        a = _like(ref, a)
    if not isinstance(b, Tensor):
        b = _like(ref, b)
    cond = condition if condition.dtype == dtypes.bool else cast(condition, dtypes.bool)
    try:
        return Where.apply(cond, a, b)
    except ValueError as exc:
        if "broadcast" not in str(exc):
            raise
        shapes = ", ".join(shape_str(t.shape) for t in (cond, a, b))
        raise RuntimeError(f"where: the shapes of condition, input and other ({shapes}) cannot "
                           "be broadcast together") from None


# ------------------------------------------------------------------ comparisons and logic
class _Compare(Function):
    """Boolean result of a comparison ufunc; never differentiable."""

    differentiable = False
    ufunc = "equal"

    @classmethod
    def forward(cls, ctx, a, b):
        xp = get_array_module(a if hasattr(a, "shape") else b)
        return getattr(xp, cls.ufunc)(a, b)


def _compare_class(name: str, ufunc: str) -> type:
    return type(name, (_Compare,), {"ufunc": ufunc, "__doc__": f"z = {ufunc}(a, b)"})


Eq = _compare_class("Eq", "equal")
Ne = _compare_class("Ne", "not_equal")
Lt = _compare_class("Lt", "less")
Le = _compare_class("Le", "less_equal")
Gt = _compare_class("Gt", "greater")
Ge = _compare_class("Ge", "greater_equal")
LogicalAnd = _compare_class("LogicalAnd", "logical_and")
LogicalOr = _compare_class("LogicalOr", "logical_or")
LogicalXor = _compare_class("LogicalXor", "logical_xor")


def _cmp(cls: type, a: Any, b: Any, op: str) -> Tensor:
    a, b = _prepare(a, b, op)  # raises TypeError when neither is a tensor
    try:
        return cls.apply(a, b)
    except ValueError as exc:
        raise _broadcast_error(op, a, b) from exc


def eq(input: Any, other: Any) -> Tensor:
    return _cmp(Eq, input, other, "eq")


def ne(input: Any, other: Any) -> Tensor:
    return _cmp(Ne, input, other, "ne")


def lt(input: Any, other: Any) -> Tensor:
    return _cmp(Lt, input, other, "lt")


def le(input: Any, other: Any) -> Tensor:
    return _cmp(Le, input, other, "le")


def gt(input: Any, other: Any) -> Tensor:
    return _cmp(Gt, input, other, "gt")


def ge(input: Any, other: Any) -> Tensor:
    return _cmp(Ge, input, other, "ge")


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def logical_and(input: Any, other: Any) -> Tensor:
    return _cmp(LogicalAnd, input, other, "logical_and")


def logical_or(input: Any, other: Any) -> Tensor:
    return _cmp(LogicalOr, input, other, "logical_or")


def logical_xor(input: Any, other: Any) -> Tensor:
    return _cmp(LogicalXor, input, other, "logical_xor")


class _Predicate(Function):
    """Boolean elementwise test of one tensor."""

    differentiable = False
    ufunc = "isnan"

    @classmethod
    def forward(cls, ctx, x):
        return getattr(get_array_module(x), cls.ufunc)(x)


LogicalNot = type("LogicalNot", (_Predicate,), {"ufunc": "logical_not"})
IsNan = type("IsNan", (_Predicate,), {"ufunc": "isnan"})
IsInf = type("IsInf", (_Predicate,), {"ufunc": "isinf"})
IsFinite = type("IsFinite", (_Predicate,), {"ufunc": "isfinite"})


def logical_not(input: Tensor) -> Tensor:
    return LogicalNot.apply(input)


def isnan(input: Tensor) -> Tensor:
    return IsNan.apply(input)


def isinf(input: Tensor) -> Tensor:
    return IsInf.apply(input)


def isfinite(input: Tensor) -> Tensor:
    return IsFinite.apply(input)


# ------------------------------------------------------------------ dtype and device moves
class Cast(Function):
    """y = x converted to another dtype; the gradient converts back"""

    @staticmethod
    def forward(ctx, x, dtype=None):
        ctx.src = x.dtype
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return g.astype(ctx.src)


class ToDevice(Function):
    """y = x copied to another device; the gradient is copied back"""

    @staticmethod
    def forward(ctx, x, device=None):
        src_xp = get_array_module(x)
        ctx.src_device = None if src_xp is np else x.device.id
        return _move(x, device)

    @staticmethod
    def backward(ctx, g):
        if ctx.src_device is None:
            return _move(g, Device("cpu"))
        return _move(g, Device("cuda", ctx.src_device))


def _move(arr: Any, dev: Any) -> Any:
    if dev.type == "cpu":
        return arr if type(arr) is np.ndarray else arr.get()
    xp = module_for_device(dev)
    with xp.cuda.Device(dev.index or 0):
        return xp.asarray(arr)


def cast(input: Tensor, dtype: Any) -> Tensor:
    """The tensor in another dtype (a no-op when it already has it)."""
    dt = dtypes.to_dtype(dtype)
    if input._data.dtype == dt:
        return input
    if dt.kind not in "fc" and input.requires_grad:
        # Integer results are never differentiable: cut the graph as PyTorch does.
        return Tensor._make(input._data.astype(dt))
    return Cast.apply(input, dtype=dt)


def to_device(input: Tensor, device: Any) -> Tensor:
    dev = as_device(device)
    if input.device == dev:
        return input
    return ToDevice.apply(input, device=dev)

"""Every op function, by family. Each family is one module; this namespace gathers them.

A family's `__all__` lists its functions that PyTorch has at top level (`torch.add`); only
those reach `autograd_core`. Tensor-method-only ops (`view`, `expand`, ...) and Tensor's own
helpers (`cast`, `getitem`, ...) are attributes here but not in `__all__`.
The names in `TENSOR_METHODS` are also bound as Tensor methods (x.exp(), x.sum(1), ...).
"""

import sys as _sys

from autograd_core.ops.arithmetic import *
from autograd_core.ops.binary_math import *
from autograd_core.ops.bitwise import *
from autograd_core.ops.conversion import *
from autograd_core.ops.conversion import cast, to_device
from autograd_core.ops.einsum import *
from autograd_core.ops.extrema import *
from autograd_core.ops.gather import *
from autograd_core.ops.index_more import *
from autograd_core.ops.indexing import *
from autograd_core.ops.indexing import getitem, setitem
from autograd_core.ops.join import *
from autograd_core.ops.linalg import *
from autograd_core.ops.linalg_legacy import *
from autograd_core.ops.linalg_more import *
from autograd_core.ops.logic import *
from autograd_core.ops.matrix_more import *
from autograd_core.ops.matrix_more import fill_diagonal, put
from autograd_core.ops.misc_api import *
from autograd_core.ops.misc_api import sum_to_size, unfold
from autograd_core.ops.piecewise import *
from autograd_core.ops.rearrange import *
from autograd_core.ops.rearrange import repeat
from autograd_core.ops.reduction import *
from autograd_core.ops.scan import *
from autograd_core.ops.search import *
from autograd_core.ops.shape import *
from autograd_core.ops.shape import contiguous, expand, expand_as, reshape_as, view, view_as
from autograd_core.ops.softmax import *
from autograd_core.ops.sorting import *
from autograd_core.ops.special_math import *
from autograd_core.ops.statistics import *
from autograd_core.ops.stats_more import *
from autograd_core.ops.structure import *
from autograd_core.ops.structure import trace
from autograd_core.ops.unary import *

FAMILIES = (
    "arithmetic",
    "binary_math",
    "bitwise",
    "conversion",
    "einsum",
    "extrema",
    "gather",
    "index_more",
    "indexing",
    "join",
    "linalg",
    "linalg_legacy",
    "linalg_more",
    "logic",
    "matrix_more",
    "misc_api",
    "piecewise",
    "rearrange",
    "reduction",
    "scan",
    "search",
    "shape",
    "softmax",
    "sorting",
    "special_math",
    "statistics",
    "stats_more",
    "structure",
    "unary",
)
# Read from sys.modules: a family and one of its functions can share a name (einsum).
__all__ = [name for f in FAMILIES for name in _sys.modules[f"autograd_core.ops.{f}"].__all__]

# Op functions that are Tensor methods too (PyTorch's method names).
TENSOR_METHODS = [
    # elementwise (arithmetic, unary, piecewise, logic, conversion)
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "pow",
    "floor_divide", "remainder", "fmod", "maximum", "minimum", "neg", "negative", "exp", "log",
    "log1p", "sqrt", "rsqrt", "sin", "cos", "tanh", "sigmoid", "relu", "abs", "absolute",
    "sign", "floor", "ceil", "round", "trunc", "square", "reciprocal", "clamp", "clip",
    "clamp_min", "clamp_max", "where", "eq", "ne", "lt", "le", "gt", "ge", "greater",
    "greater_equal", "less", "less_equal", "not_equal", "logical_and", "logical_or",
    "logical_xor", "logical_not", "isnan", "isinf", "isfinite", "clone",
    "bitwise_not", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift",
    "bitwise_right_shift",
    # reductions
    "sum", "mean", "var", "std", "prod", "cumsum", "logsumexp", "norm", "all", "any", "max",
    "min", "amax", "amin", "argmax", "argmin", "softmax", "log_softmax",
    # sorting
    "sort", "argsort", "topk", "kthvalue",
    # linear algebra
    "matmul", "mm", "bmm", "mv", "addmm", "dot", "outer", "ger",
    # shape
    "reshape", "view", "view_as", "reshape_as", "permute", "transpose", "swapaxes", "swapdims",
    "t", "squeeze", "unsqueeze", "flatten", "unflatten", "expand", "expand_as", "contiguous",
    "repeat", "tile", "split", "chunk", "unbind", "tril", "triu", "flip", "roll", "narrow",
    "movedim", "moveaxis",
    # indexing
    "gather", "index_select", "masked_fill", "nonzero", "scatter", "scatter_add",
    "take_along_dim",
    # more elementwise math (special_math, binary_math)
    "erf", "erfc", "erfinv", "lgamma", "digamma", "expm1", "exp2", "log2", "log10", "sinh",
    "cosh", "tan", "asin", "acos", "atan", "asinh", "acosh", "atanh", "arcsin", "arccos",
    "arctan", "arcsinh", "arccosh", "arctanh", "frac", "sgn", "sinc", "logit", "deg2rad",
    "rad2deg", "mvlgamma", "atan2", "arctan2", "hypot", "logaddexp", "logaddexp2", "copysign",
    "xlogy", "float_power", "fmax", "fmin", "heaviside", "lerp", "addcmul", "addcdiv",
    "nan_to_num",
    # scans and structure (scan, structure)
    "cumprod", "cummax", "cummin", "logcumsumexp", "diff", "diagonal", "diag", "diag_embed",
    "trace", "kron", "fliplr", "flipud", "rot90", "broadcast_to", "tensordot",
    # indexed writes (index_more)
    "index_add", "index_copy", "index_fill", "index_put", "masked_scatter", "masked_select",
    "scatter_reduce",
    # linear algebra (linalg_more)
    "det", "logdet", "slogdet", "inverse", "pinverse", "cholesky", "qr", "svd", "matrix_power",
    "cross", "dist", "select",
    # searching, counting, statistics (search, stats_more)
    "allclose", "aminmax", "argwhere", "bincount", "count_nonzero", "equal", "histc", "isclose",
    "isin", "repeat_interleave", "unique", "unique_consecutive", "addbmm", "addmv", "addr",
    "baddbmm", "median", "mode", "nanmean", "nanmedian", "nanquantile", "nansum", "quantile",
    "renorm",
    # misc_api
    "tensor_split", "hsplit", "vsplit", "dsplit", "ravel", "msort", "take", "inner", "vdot",
    "positive", "signbit", "fix", "diagflat", "is_floating_point", "is_complex", "is_nonzero",
    "unfold", "sum_to_size", "cov", "corrcoef", "put", "matrix_exp",
    # Bessel (special_math) and the legacy solvers (linalg_legacy)
    "i0", "cholesky_solve", "triangular_solve",
]

# Ops whose in-place form `x.name_(...)` writes `name(x, ...)` into x (bound below unless
# Tensor already defines one).
INPLACE_METHODS = [
    "erf", "erfc", "erfinv", "lgamma", "digamma", "expm1", "exp2", "log2", "log10", "sinh",
    "cosh", "tan", "asin", "acos", "atan", "asinh", "acosh", "atanh", "arcsin", "arccos",
    "arctan", "arcsinh", "arccosh", "arctanh", "frac", "sgn", "sinc", "logit", "deg2rad",
    "rad2deg", "atan2", "arctan2", "hypot", "copysign", "xlogy", "float_power", "fmax", "fmin",
    "nan_to_num", "sin", "cos", "tanh", "sigmoid", "log", "log1p", "abs", "floor", "ceil",
    "round", "trunc", "square", "reciprocal", "rsqrt", "sign", "clamp_min", "clamp_max",
    "cumprod", "tril", "triu", "index_add", "index_copy", "index_fill", "index_put",
    "masked_scatter", "scatter_reduce", "scatter", "scatter_add", "addmv", "addbmm", "baddbmm",
    "addr", "renorm", "eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less",
    "less_equal", "not_equal", "logical_not", "logical_and", "logical_or", "logical_xor",
    "absolute", "true_divide", "fix", "negative", "subtract", "multiply", "divide", "put",
    "fill_diagonal", "i0",
]


def _bind_inplace() -> None:
    from autograd_core.tensor import Tensor

    def make(fn: object) -> object:
        def method(self: Tensor, *args: object, **kwargs: object) -> Tensor:
            return self._inplace(fn(self, *args, **kwargs))  # type: ignore[operator]
        return method

    for name in INPLACE_METHODS:
        if not hasattr(Tensor, name + "_"):
            m = make(globals()[name])
            m.__name__ = m.__qualname__ = name + "_"
            setattr(Tensor, name + "_", m)

    def polygamma(self: Tensor, n: int) -> Tensor:
        return special_math.polygamma(n, self)

    def polygamma_(self: Tensor, n: int) -> Tensor:
        return self._inplace(special_math.polygamma(n, self))

    def where_(self: Tensor, condition: Tensor, other: object) -> Tensor:
        return logic.where(condition, self, other)

    def mH(self: Tensor) -> Tensor:
        return shape.transpose(self, -2, -1)

    def H(self: Tensor) -> Tensor:
        if self.ndim != 2:
            raise RuntimeError("tensor.H is only supported on matrices (2-D tensors). Got "
                               f"{self.ndim}-D tensor.")
        return shape.transpose(self, 0, 1)

    Tensor.polygamma, Tensor.polygamma_ = polygamma, polygamma_
    # Tensor.where(condition, other) is where(condition, self, other): self is the values.
    Tensor.where = where_
    Tensor.mH, Tensor.H = property(mH), property(H)

    def bfloat16(self: Tensor, memory_format: object = None) -> Tensor:
        from autograd_core import dtypes

        return conversion.cast(self, dtypes.bfloat16)

    if not hasattr(Tensor, "bfloat16"):
        Tensor.bfloat16 = bfloat16


_bind_inplace()

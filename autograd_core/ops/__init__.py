"""Every op function, by family. Each family is one module; this namespace gathers them.

The names in `TENSOR_METHODS` are also bound as Tensor methods (x.exp(), x.sum(1), ...).
"""

from autograd_core.ops.elementwise import *  # noqa: F403
from autograd_core.ops.indexing import *  # noqa: F403
from autograd_core.ops.linalg import *  # noqa: F403
from autograd_core.ops.reduction import *  # noqa: F403
from autograd_core.ops.shape import *  # noqa: F403

# Op functions that are Tensor methods too (PyTorch's method names).
TENSOR_METHODS = [
    # elementwise
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "pow",
    "floor_divide", "remainder", "fmod", "maximum", "minimum", "neg", "negative", "exp", "log",
    "log1p", "sqrt", "rsqrt", "sin", "cos", "tanh", "sigmoid", "relu", "abs", "absolute",
    "sign", "floor", "ceil", "round", "trunc", "square", "reciprocal", "clamp", "clip",
    "clamp_min", "clamp_max", "where", "eq", "ne", "lt", "le", "gt", "ge", "greater",
    "greater_equal", "less", "less_equal", "not_equal", "logical_and", "logical_or",
    "logical_xor", "logical_not", "isnan", "isinf", "isfinite", "clone",
    # reductions
    "sum", "mean",
    # linear algebra
    "matmul", "mm", "bmm", "dot",
    # shape
    "reshape", "view", "view_as", "reshape_as", "permute", "transpose", "swapaxes", "swapdims",
    "t", "squeeze", "unsqueeze", "flatten", "unflatten", "expand", "expand_as", "contiguous",
]

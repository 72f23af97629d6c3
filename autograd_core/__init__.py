"""autograd_core: a define-by-run autograd engine with PyTorch's API, on numpy (and CuPy).

    import autograd_core as torch      # a PyTorch script runs after this change

The public names are PyTorch's plus these of our own (tests/core/test_public_names.py):
`Device` (the class `device(...)` returns) and `Function` (also `autograd.Function`), and the
submodules `backend`, `creation`, `dtypes`, `engine`, `function`, `grad_mode`, `hooks`,
`random_creation`. Op helpers and classes (`Add`, `sum_to`, `np`) stay in their modules.
"""

import builtins  # `bool` and `int` below are dtypes, as in torch

# Namespaces scripts touch on the CPU (small modules: imported eagerly).
from autograd_core import (
    accelerator,
    amp,
    autograd,
    backends,
    compiler,
    creation,
    distributed,
    dtypes,
    engine,
    fft,
    linalg,
    ops,
    serialization,
    sparse,
    special,
)
from autograd_core._anomaly import (
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_anomaly_enabled,
)
from autograd_core._finfo import finfo, iinfo
from autograd_core._legacy_types import CPU_TYPES as _CPU_TYPES
from autograd_core._printoptions import (
    get_num_interop_threads,
    get_num_threads,
    set_num_interop_threads,
    set_num_threads,
    set_printoptions,
)
from autograd_core._random_more import bernoulli, poisson
from autograd_core._random_more import bind as _bind_random
from autograd_core._settings import (
    are_deterministic_algorithms_enabled,
    get_float32_matmul_precision,
    is_deterministic_algorithms_warn_only_enabled,
    set_float32_matmul_precision,
    use_deterministic_algorithms,
)
from autograd_core.amp import GradScaler, autocast
from autograd_core.backend import Device, device
from autograd_core.backend._malloc import tune as _tune_malloc
from autograd_core.compiler import compile
from autograd_core.creation import (
    arange,
    as_tensor,
    asarray,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    get_default_device,
    linspace,
    logspace,
    multinomial,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    set_default_device,
    tensor,
    zeros,
    zeros_like,
)
from autograd_core.dtypes import (
    bfloat16,
    bool,
    cdouble,
    cfloat,
    channels_last,
    channels_last_3d,
    complex64,
    complex128,
    contiguous_format,
    double,
    dtype,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    layout,
    long,
    memory_format,
    preserve_format,
    promote_types,
    set_default_dtype,
    short,
    sparse_coo,
    strided,
    uint8,
    uint16,
    uint32,
    uint64,
)
from autograd_core.function import Function
from autograd_core.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from autograd_core.ops import *
from autograd_core.random import (
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)
from autograd_core.serialization import load, save
from autograd_core.sparse import sparse_coo_tensor, spmm
from autograd_core.tensor import Size, Tensor
from autograd_core.tensor import bind_methods as _bind_methods

# PyTorch's legacy tensor types (constructors with a fixed dtype): `FloatTensor([1, 2])`.
BoolTensor, ByteTensor, CharTensor, DoubleTensor, FloatTensor, HalfTensor, IntTensor, \
    LongTensor, ShortTensor = (_CPU_TYPES[n] for n in (
        "BoolTensor", "ByteTensor", "CharTensor", "DoubleTensor", "FloatTensor", "HalfTensor",
        "IntTensor", "LongTensor", "ShortTensor"))

_bind_methods(ops, ops.TENSOR_METHODS, backward=engine.backward, creation=creation)
_bind_random(Tensor)
_tune_malloc()  # reuse freed array memory instead of re-faulting it (glibc)


def is_tensor(obj: object) -> builtins.bool:
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> builtins.int:
    return input.numel()


def _lazy(name: str) -> object:
    import importlib

    return importlib.import_module(f"autograd_core.{name}")


def __getattr__(name: str) -> object:
    # nn, optim, trace, cuda, testing, distributions load on first use: `import autograd_core`
    # stays fast (onnx and jit too, as in torch).
    if name in ("nn", "optim", "trace", "cuda", "testing", "utils", "onnx", "distributions",
                "jit"):
        return _lazy(name)
    raise AttributeError(f"module 'autograd_core' has no attribute '{name}'")


__version__ = "0.1.0"

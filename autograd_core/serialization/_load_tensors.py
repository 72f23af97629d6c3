"""What a checkpoint's pickle may name, and the tensors rebuilt from it over shared storages.

The allowlist is PyTorch's weights-only list, cut to what the engine can hold: the tensor
and parameter rebuild functions, storage classes, dtypes, `torch.Size`, `torch.device`,
OrderedDict/Counter and the builtin containers and numbers. A name PyTorch allows but the
engine lacks (quantized, sparse, nested tensors, float8 dtypes) is refused with a
RuntimeError saying so; any other name with PyTorch's UnpicklingError.

bfloat16: the engine has no bfloat16 dtype, so bfloat16 storages load as float32. The
conversion is exact (a bfloat16 is the upper half of a float32); a bfloat16 dtype named in
the file (`torch.bfloat16` as a value) loads as float32 too.
"""

from __future__ import annotations

import math
from collections import Counter, OrderedDict
from typing import Any

import numpy as np

from autograd_core import dtypes
from autograd_core._tensor_convert import Size
from autograd_core.backend import device, get_array_module
from autograd_core.serialization._save_tensors import STORAGE_NAMES, UNTYPED_DTYPES
from autograd_core.serialization._storage import StorageType, TypedStorage
from autograd_core.serialization._unpickler import refusal
from autograd_core.tensor import Tensor

__all__ = ["NEWOBJ_CLASSES", "find_class", "parameter_class"]

_MAX_DIMS = 64  # numpy's limit on dimensions

_UNSUPPORTED = {
    **{f"torch._utils.{f}": f"{what} tensors" for f, what in (
        ("_rebuild_qtensor", "quantized"), ("_rebuild_sparse_tensor", "sparse"),
        ("_rebuild_meta_tensor_no_storage", "meta"), ("_rebuild_nested_tensor", "nested"),
        ("_rebuild_wrapper_subclass", "tensor subclass"),
        ("_rebuild_device_tensor_from_numpy", "device (XLA/MPS)"),
        ("_rebuild_device_tensor_from_cpu_tensor", "device (XLA/MPS)"))},
    **{f"torch.{q}": "quantization schemes" for q in (
        "per_tensor_affine", "per_tensor_symmetric", "per_channel_affine",
        "per_channel_symmetric", "per_channel_affine_float_qparams")},
    **{f"torch.{s}": "quantized storages" for s in (
        "QInt8Storage", "QInt32Storage", "QUInt8Storage", "QUInt4x2Storage",
        "QUInt2x4Storage")},
}
_OTHER_TORCH_DTYPES = (
    "qint8", "qint32", "quint8", "quint4x2", "quint2x4", "complex32", "bits1x8", "bits2x4",
    "bits4x2", "bits8", "bits16", "float8_e4m3fn", "float8_e4m3fnuz", "float8_e5m2",
    "float8_e5m2fnuz", "float8_e8m0fnu", "float4_e2m1fn_x2",
    *(f"uint{n}" for n in range(1, 8)), *(f"int{n}" for n in range(1, 8)))


def _check_shape(storage: Any, offset: Any, size: Any, stride: Any) -> tuple[int, tuple, tuple]:
    """PyTorch's rules for a view of a storage, checked before numpy sees the numbers."""
    if not isinstance(storage, TypedStorage):
        raise RuntimeError(f"load(): a tensor's storage is a {type(storage).__name__}, not a "
                           "storage record")
    ints = (type(offset) is int and isinstance(size, (tuple, list)) and
            isinstance(stride, (tuple, list)) and
            all(type(v) is int for v in (*size, *stride)))
    if not ints or len(size) != len(stride) or len(size) > _MAX_DIMS:
        raise RuntimeError(f"load(): a tensor's offset, size and stride are not integers of "
                           f"one length (offset {offset!r}, size {size!r}, stride {stride!r})")
    if offset < 0 or any(v < 0 for v in (*size, *stride)):
        raise RuntimeError(f"load(): negative offset, size or stride (offset {offset}, size "
                           f"{tuple(size)}, stride {tuple(stride)})")
    numel = len(storage)
    if math.prod(size) >= 2**63:
        raise RuntimeError(f"load(): a tensor of size {tuple(size)} has more elements than an "
                           "int64 counts")
    if math.prod(size):
        last = offset + sum((n - 1) * s for n, s in zip(size, stride))
        fits = last < numel
    else:
        fits = offset <= numel
    if not fits:
        raise RuntimeError(f"load(): a tensor of size {tuple(size)}, stride {tuple(stride)} "
                           f"at offset {offset} reads past its storage of {numel} elements: "
                           "the checkpoint is damaged")
    return offset, tuple(size), tuple(stride)


def _view(storage: TypedStorage, offset: Any, size: Any, stride: Any) -> Any:
    """An array viewing the storage's memory (so tensors over one storage share it)."""
    offset, size, stride = _check_shape(storage, offset, size, stride)
    flat = storage._array
    item = flat.itemsize
    if not math.prod(size):
        return flat[:0].reshape(size)
    strides = tuple(s * item for s in stride)
    xp = get_array_module(flat)
    try:
        if xp is np:
            return np.ndarray(size, flat.dtype, buffer=flat, offset=offset * item,
                              strides=strides)
        return xp.lib.stride_tricks.as_strided(flat[offset:], size, strides)  # CuPy
    except ValueError as exc:  # what numpy refuses beyond the checks above (sizes in bytes)
        raise RuntimeError(f"load(): a tensor of size {size} cannot be made: {exc}") from None


def _check_hooks(backward_hooks: Any) -> None:
    if backward_hooks:
        raise RuntimeError("load(): the checkpoint holds tensor backward hooks (functions); "
                           "they are not loaded from files")


def _tensor(arr: Any, requires_grad: Any) -> Tensor:
    t = Tensor._make(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def rebuild_tensor_v2(storage: Any, storage_offset: Any, size: Any, stride: Any,
                      requires_grad: Any = False, backward_hooks: Any = None,
                      metadata: Any = None) -> Tensor:
    """torch._utils._rebuild_tensor_v2: a view of a typed storage (metadata is ignored)."""
    _check_hooks(backward_hooks)
    return _tensor(_view(storage, storage_offset, size, stride), requires_grad)


def rebuild_tensor(storage: Any, storage_offset: Any, size: Any, stride: Any) -> Tensor:
    """torch._utils._rebuild_tensor (older files)."""
    return rebuild_tensor_v2(storage, storage_offset, size, stride)


def rebuild_tensor_v3(storage: Any, storage_offset: Any, size: Any, stride: Any,
                      requires_grad: Any, backward_hooks: Any, dtype: Any,
                      metadata: Any = None) -> Tensor:
    """torch._utils._rebuild_tensor_v3: a byte storage read as `dtype` (uint16/32/64)."""
    if not isinstance(dtype, dtypes.dtype) or not isinstance(storage, TypedStorage):
        raise RuntimeError(f"load(): _rebuild_tensor_v3 needs a storage and a dtype, got "
                           f"{type(storage).__name__} and {dtype!r}")
    typed = storage._reinterpret(dtype.dtype)
    return rebuild_tensor_v2(typed, storage_offset, size, stride, requires_grad,
                             backward_hooks, metadata)


def rebuild_parameter(data: Any, requires_grad: Any, backward_hooks: Any) -> Any:
    """torch._utils._rebuild_parameter: a Parameter over the rebuilt tensor's storage."""
    _check_hooks(backward_hooks)
    if not isinstance(data, Tensor):
        raise RuntimeError(f"load(): a Parameter over a {type(data).__name__}, not a tensor")
    return parameter_class()(data, bool(requires_grad))


def rebuild_parameter_with_state(data: Any, requires_grad: Any, backward_hooks: Any,
                                 state: Any) -> Any:
    """torch._utils._rebuild_parameter_with_state: only an empty state is accepted."""
    _check_no_state(state)
    return rebuild_parameter(data, requires_grad, backward_hooks)


_REBUILDERS = (rebuild_tensor, rebuild_tensor_v2, rebuild_tensor_v3, rebuild_parameter,
               rebuild_parameter_with_state)


def rebuild_from_type_v2(func: Any, new_type: Any, args: Any, state: Any) -> Any:
    """torch._tensor._rebuild_from_type_v2: a plain Tensor or Parameter, without state."""
    if func not in _REBUILDERS or new_type not in (Tensor, parameter_class()) or \
            type(args) is not tuple:
        raise RuntimeError(f"load(): a tensor subclass ({new_type!r}) is not supported")
    _check_no_state(state)
    result = func(*args)
    if new_type is not Tensor and not isinstance(result, new_type):
        result = new_type(result, result.requires_grad)
    return result


def _check_no_state(state: Any) -> None:
    parts = state if isinstance(state, tuple) else (state,)
    if any(parts):
        raise RuntimeError("load(): tensors with Python attributes (a state of "
                           f"{type(state).__name__}) are not loaded from files")


def parameter_class() -> type:
    from autograd_core.nn.parameter import Parameter  # nn loads lazily

    return Parameter


def _encode(obj: Any, encoding: Any = "utf-8") -> bytes:
    """_codecs.encode as PyTorch pickles bytes: a latin-1 string back to its bytes."""
    if type(obj) is not str or encoding not in ("latin1", "latin-1"):
        raise RuntimeError(f"load(): _codecs.encode is allowed only for latin-1 strings "
                           f"(bytes values), not {type(obj).__name__} with {encoding!r}")
    return obj.encode("latin1")


def _bytearray(*args: Any) -> bytearray:
    if args and type(args[0]) is int:  # bytearray(n) would allocate n bytes the file declares
        raise RuntimeError("load(): bytearray(n) from a file is refused")
    return bytearray(*args)


def _get_layout(name: Any) -> Any:
    found = {"torch.strided": dtypes.strided, "torch.sparse_coo": dtypes.sparse_coo}.get(name)
    if found is None:
        raise RuntimeError(f"load(): unknown layout {name!r}")
    return found


NEWOBJ_CLASSES = (OrderedDict, Counter, set, bytearray, complex, Size)


def _allowed() -> dict[str, Any]:
    table: dict[str, Any] = {
        "collections.OrderedDict": OrderedDict, "collections.Counter": Counter,
        "torch.nn.parameter.Parameter": parameter_class(),
        "torch.serialization._get_layout": _get_layout, "torch.Size": Size,
        "torch.Tensor": Tensor, "torch.device": device, "_codecs.encode": _encode,
        "builtins.bytearray": _bytearray, "builtins.set": set, "builtins.complex": complex,
        "torch._tensor._rebuild_from_type_v2": rebuild_from_type_v2,
    }
    for f in _REBUILDERS:
        table[f"torch._utils._{f.__name__}"] = f
    for np_name, storage in STORAGE_NAMES.items():
        kind = StorageType(storage, np.dtype(np_name))
        table[f"torch.{storage}"] = table[f"torch.cuda.{storage}"] = kind
    bf16 = StorageType("BFloat16Storage", np.dtype(np.uint16), bfloat16=True)
    table["torch.BFloat16Storage"] = table["torch.cuda.BFloat16Storage"] = bf16
    untyped = StorageType("UntypedStorage", np.dtype(np.uint8))
    table["torch.UntypedStorage"] = table["torch.storage.UntypedStorage"] = untyped
    for name in (*STORAGE_NAMES, *UNTYPED_DTYPES):
        table[f"torch.{name}"] = dtypes.wrap(np.dtype(name))
    table["torch.bfloat16"] = dtypes.float32  # the engine has no bfloat16 (module docstring)
    return table


_TABLE: dict[str, Any] = {}


def find_class(module: str, name: str) -> Any:
    """The object a checkpoint's GLOBAL `module name` stands for, if it is allowed.

    Raises:
        pickle.UnpicklingError: naming a global outside the allowlist (as PyTorch does).
        RuntimeError: naming one PyTorch allows whose kind of data the engine lacks.
    """
    if not _TABLE:
        _TABLE.update(_allowed())
    full = f"{module}.{name}"
    found = _TABLE.get(full)
    if found is not None:
        return found
    if full in _UNSUPPORTED or (module == "torch" and name in _OTHER_TORCH_DTYPES):
        what = _UNSUPPORTED.get(full, f"the dtype torch.{name}")
        raise RuntimeError(f"load(): the checkpoint holds {what} ({full}), which autograd_core "
                           "does not support")
    raise refusal(module, name)

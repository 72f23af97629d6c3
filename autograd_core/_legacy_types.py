"""PyTorch's legacy tensor types: `FloatTensor(...)`, `LongTensor(list)`, `cuda.FloatTensor`.

Each is a constructor with the legacy rules of `Tensor(...)` (a shape gives a zero-filled
tensor, data is copied and converted) and a fixed dtype and device; `isinstance(t,
FloatTensor)` asks for that dtype and device, and `t.type(DoubleTensor)` converts, as in
PyTorch. The shape form is zero-filled here, where PyTorch leaves memory uninitialised.
"""

from __future__ import annotations

from typing import Any

from autograd_core import dtypes

__all__ = ["CPU_TYPES", "CUDA_TYPES"]

_DTYPES = {
    "FloatTensor": dtypes.float32, "DoubleTensor": dtypes.float64, "HalfTensor": dtypes.float16,
    "LongTensor": dtypes.int64, "IntTensor": dtypes.int32, "ShortTensor": dtypes.int16,
    "CharTensor": dtypes.int8, "ByteTensor": dtypes.uint8, "BoolTensor": dtypes.bool,
}


class _LegacyType(type):
    """The metaclass: instances are plain Tensors of the type's dtype and device."""

    _legacy: tuple[Any, str]

    def __instancecheck__(cls, obj: object) -> bool:
        from autograd_core.tensor import Tensor

        dt, dev = cls._legacy
        return isinstance(obj, Tensor) and obj.dtype == dt and obj.device.type == dev

    def __repr__(cls) -> str:
        return f"<class '{cls.__module__}.{cls.__qualname__}'>"

    @property
    def dtype(cls) -> Any:
        return cls._legacy[0]

    @property
    def is_cuda(cls) -> bool:
        return cls._legacy[1] == "cuda"


def _construct(cls: _LegacyType, *args: Any, device: Any = None, **kwargs: Any) -> Any:
    from autograd_core import creation, cuda
    from autograd_core._tensor_convert import _legacy_source
    from autograd_core.tensor import Size, Tensor

    dt, dev = cls._legacy
    if dev == "cuda" and not cuda.is_available():
        raise TypeError(f"type {cls.__module__}.{cls.__qualname__} not available. Torch not "
                        "compiled with CUDA enabled.")
    source = _legacy_source(args, kwargs)
    if isinstance(source, Size):
        return creation.zeros(tuple(source), dtype=dt, device=device or dev)
    if isinstance(source, Tensor):
        if source.dtype != dt or source.device.type != dev:
            raise TypeError(f"expected {_options(dt, dev)} (got "
                            f"{_options(source.dtype, source.device.type)})")
        return source
    return creation.tensor(source, dtype=dt, device=device or dev)


_CPP_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half",
              "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
              "uint8": "unsigned char", "bool": "bool"}


def _options(dt: Any, dev: str) -> str:
    """PyTorch's TensorOptions text, which its legacy constructors print in their errors."""
    name = _CPP_NAMES.get(dt.dtype.name, dt.dtype.name)
    return (f"TensorOptions(dtype={name}, device={dev}, layout=Strided, requires_grad=false "
            "(default), pinned_memory=false (default), memory_format=(nullopt))")


def _make_types(module: str, dev: str) -> dict[str, _LegacyType]:
    types = {}
    for name, dt in _DTYPES.items():
        cls = _LegacyType(name, (), {"__module__": module, "__qualname__": name,
                                     "_legacy": (dt, dev), "__new__": _construct,
                                     "__doc__": f"Legacy constructor of {dt} tensors on {dev}."})
        types[name] = cls
    return types


CPU_TYPES = _make_types("torch", "cpu")
CUDA_TYPES = _make_types("torch.cuda", "cuda")

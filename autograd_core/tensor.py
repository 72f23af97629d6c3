"""`Tensor`: an array plus its autograd state, with PyTorch's methods.

Methods delegate to the op functions in `autograd_core.ops`; this module holds only the
tensor's own state (data, requires_grad, grad, grad_fn, version counter) and conversions.
"""

from __future__ import annotations

import builtins
import types
import weakref
from typing import Any

import numpy as np

from autograd_core import dtypes, function, grad_mode
from autograd_core.backend import Device, device, device_of, get_array_module, module_for_device
from autograd_core.function import AccumulateGrad, _RemovableHandle

_ops: Any = None  # autograd_core.ops, bound by autograd_core/__init__ (ops import Tensor)
_DTYPES = dtypes._BY_NP  # numpy dtype -> torch-style dtype object, for Tensor.dtype
_ndarray = np.ndarray
_new = object.__new__


class Tensor:
    """A multi-dimensional array that can record the ops applied to it for autograd."""

    __slots__ = (
        "__weakref__",
        "_accumulator",
        "_base",  # set on view-op outputs only (read with getattr): the viewed tensor
        "_data",
        "_grad",
        "_hooks",
        "_output_nr",
        "_retains_grad",
        "_version",
        "grad_fn",
        "requires_grad",
    )
    # numpy defers to our reflected operators (ndarray * Tensor -> Tensor.__rmul__).
    __array_ufunc__ = None

    def __init__(self, *args: Any, device: Any = None, **kwargs: Any) -> None:
        """PyTorch's legacy constructor: `Tensor()`, `Tensor(2, 3)` (a shape, zero-filled),
        `Tensor(Size)`, `Tensor(data)` (copied as the default float dtype) or `Tensor(tensor)`
        (an alias). It takes no dtype or requires_grad: use `autograd_core.tensor(...)`."""
        source = _legacy_source(args, kwargs)
        if isinstance(source, Tensor):
            self._init(source._data)
            self._version = source._version  # an alias: same storage, same version counter
        else:
            self._init(_legacy_array(source))
        if device is not None:
            self._data = to_array_on(self._data, None, _as_device(device))

    def _init(self, data: Any) -> None:
        self._data = data
        self.requires_grad = False
        self._grad: Tensor | None = None
        self.grad_fn: Any = None
        self._output_nr = 0
        self._version = [0]
        self._hooks: Any = None
        self._accumulator: Any = None
        self._retains_grad = False

    @staticmethod
    def _make(data: Any) -> Tensor:
        """Wrap an array without any checks (the hot path of every op)."""
        t = _new(Tensor)
        t._data = data
        t.requires_grad = False
        t._grad = None
        t.grad_fn = None
        t._output_nr = 0
        t._version = [0]
        t._hooks = None
        t._accumulator = None
        t._retains_grad = False
        return t

    # ---------------------------------------------------------------- metadata
    @property
    def shape(self) -> tuple[int, ...]:
        return Size(self._data.shape)

    @property
    def dtype(self) -> dtypes.dtype:
        dt = self._data.dtype
        return _DTYPES.get(dt) or dtypes.wrap(dt)

    @property
    def device(self) -> Device:
        return device_of(self._data)

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def data(self) -> Tensor:
        """A tensor sharing this one's storage, outside the graph (PyTorch's `.data`).

        Unlike `detach()`, it has its own version counter: writes through it are invisible
        to autograd's in-place checks, as in PyTorch.
        """
        return Tensor._make(self._data)

    @data.setter
    def data(self, value: Tensor) -> None:
        self._data = value._data if isinstance(value, Tensor) else _to_array(value, None)

    @property
    def grad(self) -> Tensor | None:
        """The accumulated gradient (leaves, and non-leaves after retain_grad())."""
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            _check_grad(self, value)
        self._grad = value

    @property
    def T(self) -> Tensor:
        return _ops.permute(self, tuple(range(self.ndim - 1, -1, -1)))

    @property
    def mT(self) -> Tensor:
        return _ops.transpose(self, -2, -1)

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        return self._data.nbytes

    def size(self, dim: int | None = None) -> Any:
        return Size(self._data.shape) if dim is None else self._data.shape[dim]

    def dim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return int(self._data.size)

    def nelement(self) -> int:
        return int(self._data.size)

    def element_size(self) -> int:
        return self._data.itemsize

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_contiguous(self, memory_format: Any = None) -> bool:
        return bool(self._data.flags.c_contiguous)

    def data_ptr(self) -> int:
        """The address of the first element (views of one tensor share its memory)."""
        arr = self._data
        return int(arr.ctypes.data if type(arr) is _ndarray else arr.data.ptr)

    def storage_offset(self) -> int:
        """Elements between the start of the viewed tensor's memory and this view's first."""
        root = _view_root(self)
        return (self.data_ptr() - root.data_ptr()) // self._data.itemsize

    def stride(self, dim: int | None = None) -> Any:
        """Steps in elements between neighbours along each dim (0 along an expanded dim)."""
        size = self._data.itemsize
        strides = tuple(s // size for s in self._data.strides)
        if dim is None:
            return strides
        n = max(len(strides), 1)
        if not -n <= dim < n:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, "
                             f"{n - 1}], but got {dim})")
        return strides[dim] if strides else 1

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    # ---------------------------------------------------------------- conversion
    def item(self) -> Any:
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.item()

    def numpy(self, force: bool = False) -> np.ndarray:
        if self.requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        if type(self._data) is not _ndarray:
            if not force:
                raise TypeError(
                    f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() "
                    "to copy the tensor to host memory first."
                )
            return self._data.get()
        return self._data

    def tolist(self) -> Any:
        return _host(self._data).tolist()

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        arr = _host(self._data)
        return arr if dtype is None else arr.astype(dtype)

    def __float__(self) -> float:
        return float(self._scalar())

    def __int__(self) -> int:
        return int(self._scalar())

    def _scalar(self) -> Any:
        """The one element, for float()/int() (PyTorch raises ValueError there, unlike item)."""
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self._data.item()

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self) -> bool:
        if self._data.size != 1:
            many = "more than one value" if self._data.size else "no values"
            raise RuntimeError(f"Boolean value of Tensor with {many} is ambiguous")
        return bool(self.item())

    def __hash__(self) -> int:
        return id(self)

    def __iter__(self) -> Any:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(_ops.unbind(self, 0))

    def __repr__(self) -> str:
        return _format(self)

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (_rebuild, (_host(self._data), self.requires_grad))

    def __deepcopy__(self, memo: dict) -> Tensor:
        """A copy of a leaf with its own memory, requires_grad and `.grad` (as in PyTorch)."""
        if self.grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the "
                "deepcopy protocol at the moment."
            )
        t = Tensor._make(self._data.copy())
        t.requires_grad = self.requires_grad
        if self._grad is not None:
            t._grad = Tensor._make(self._grad._data.copy())
        memo[id(self)] = t
        return t

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """to(dtype) / to(device) / to(device, dtype) / to(other_tensor); copy=False."""
        dev, dt = _parse_to(args, kwargs)
        out = self
        if dt is not None and dt != self._data.dtype:
            out = _ops.cast(out, dt)
        if dev is not None and dev != out.device:
            out = _ops.to_device(out, dev)
        if kwargs.get("copy") and out is self:
            out = self.clone()
        return out

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def cuda(self, device_index: int | None = None) -> Tensor:
        return self.to(device("cuda", device_index))

    def float(self) -> Tensor:
        return self.to(dtypes.float32)

    def double(self) -> Tensor:
        return self.to(dtypes.float64)

    def half(self) -> Tensor:
        return self.to(dtypes.float16)

    def long(self) -> Tensor:
        return self.to(dtypes.int64)

    def int(self) -> Tensor:
        return self.to(dtypes.int32)

    def bool(self) -> Tensor:
        return self.to(dtypes.bool)

    def type(self, dtype: Any = None) -> Any:
        if dtype is None:
            return _TYPE_NAMES.get(self._data.dtype.name, self._data.dtype.name)
        return self.to(dtypes.to_dtype(dtype))

    def type_as(self, other: Tensor) -> Tensor:
        return self.to(other.dtype)

    def new_tensor(self, data: Any, *, dtype: Any = None, device: Any = None,
                   requires_grad: bool = False, **options: Any) -> Tensor:
        from autograd_core.creation import tensor

        return tensor(data, dtype=dtype or self.dtype, device=device or self.device,
                      requires_grad=requires_grad, **options)

    def new_zeros(self, *size: Any, dtype: Any = None, device: Any = None,
                  **options: Any) -> Tensor:
        """zeros(size) with this tensor's dtype and device unless given (PyTorch's options)."""
        from autograd_core.creation import zeros

        return zeros(*size, dtype=dtype or self.dtype, device=device or self.device, **options)

    def new_ones(self, *size: Any, dtype: Any = None, device: Any = None,
                 **options: Any) -> Tensor:
        from autograd_core.creation import ones

        return ones(*size, dtype=dtype or self.dtype, device=device or self.device, **options)

    def new_full(self, size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None,
                 **options: Any) -> Tensor:
        from autograd_core.creation import full

        return full(size, fill_value, dtype=dtype or self.dtype, device=device or self.device,
                    **options)

    def new_empty(self, *size: Any, dtype: Any = None, device: Any = None,
                  **options: Any) -> Tensor:
        from autograd_core.creation import empty

        return empty(*size, dtype=dtype or self.dtype, device=device or self.device, **options)

    # ---------------------------------------------------------------- autograd
    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if self.grad_fn is not None and not requires_grad:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        if requires_grad and self._data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = requires_grad
        return self

    def detach(self) -> Tensor:
        t = Tensor._make(self._data)
        t._version = self._version
        return t

    def detach_(self) -> Tensor:
        self.grad_fn = None
        self.requires_grad = False
        return self

    def retain_grad(self) -> None:
        """Keep `.grad` on this non-leaf tensor after backward."""
        if self.grad_fn is None:
            return
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._retains_grad:
            return
        self._retains_grad = True
        # The engine stores the grad after the node's user hooks ran (engine._run_pre_hooks).
        retained = self.grad_fn.__dict__.setdefault("_retain", {})
        if self.grad_fn._pre_hooks is None:
            self.grad_fn._pre_hooks = {}  # a hooked node: the engine leaves its fast path
        retained[self._output_nr] = weakref.ref(self)

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def register_hook(self, hook: Any) -> _RemovableHandle:
        """Call hook(grad) when this tensor's gradient is computed; it may return a new grad."""
        if not self.requires_grad:
            raise RuntimeError(
                "cannot register a hook on a tensor that doesn't require gradient"
            )
        return self._add_grad_hook(hook)

    def _add_grad_hook(self, hook: Any) -> _RemovableHandle:
        if self.grad_fn is None:
            if self._hooks is None:
                self._hooks = []
            self._hooks.append(hook)
            return _RemovableHandle(self._hooks, hook)
        node = self.grad_fn
        if node._pre_hooks is None:
            node._pre_hooks = {}
        lst = node._pre_hooks.setdefault(self._output_nr, [])
        lst.append(hook)
        return _RemovableHandle(lst, hook)

    def _grad_accumulator(self) -> AccumulateGrad:
        acc = self._accumulator
        if acc is None:
            acc = self._accumulator = AccumulateGrad(self)
        return acc

    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        from autograd_core.engine import backward

        backward([self], None if gradient is None else [gradient], retain_graph,
                 create_graph, inputs)

    # ---------------------------------------------------------------- in place
    def _check_inplace(self) -> None:
        if not grad_mode.state.enabled:
            return
        if self.requires_grad and self.grad_fn is None:
            raise RuntimeError(
                "a leaf Variable that requires grad is being used in an in-place operation."
            )
        root = _view_root(self)
        if root is not self and root.requires_grad and root.grad_fn is None:
            raise RuntimeError(
                "a view of a leaf Variable that requires grad is being used in an in-place "
                "operation."
            )

    def _inplace(self, result: Tensor) -> Tensor:
        """Write `result` into self's memory (views see it); with a graph, take its history."""
        self._check_inplace()
        data = self._data
        new = result._data
        if new.shape != data.shape or (new.dtype != data.dtype and dtypes._category(new.dtype)
                                       > dtypes._category(data.dtype)):
            _inplace_error(data, new)
        node = result.grad_fn
        if node is not None and node._saved:
            # The op may have saved self's array, which the write below overwrites: it keeps
            # a copy instead (PyTorch saves the original self of an in-place op the same way).
            node._saved = tuple(data.copy() if a is data else a for a in node._saved)
        try:
            get_array_module(data).copyto(data, new, casting="unsafe")
        except ValueError:
            raise RuntimeError(
                "unsupported operation: more than one element of the written-to tensor refers "
                "to a single memory location. Please clone() the tensor before performing the "
                "operation."
            ) from None
        self._version[0] += 1
        if node is not None:
            root = _view_root(self)
            if root is not self:
                _rebase_view_root(root, self, result)
            # The tensor takes the result's history (PyTorch rebases it onto the new node).
            self.grad_fn = node
            self._output_nr = result._output_nr
            self.requires_grad = True
            if node._versions is not None:
                # The node kept a private copy of self (above), if anything: later writes to
                # self cannot reach what it saved.
                node._versions = [e for e in node._versions if e[0] is not self._version]
        return self

    def copy_(self, src: Any, non_blocking: bool = False) -> Tensor:
        src_t = src if isinstance(src, Tensor) else Tensor(src)
        if grad_mode.state.enabled and (src_t.requires_grad or self.requires_grad):
            return self._inplace(Copy.apply(self, _ops.to_device(src_t, self.device)))
        self._check_inplace()
        xp = get_array_module(self._data)
        arr = src_t._data
        if type(arr) is not type(self._data):
            arr = xp.asarray(_host(arr))
        xp.copyto(self._data, arr, casting="unsafe")
        self._version[0] += 1
        return self

    def fill_(self, value: Any) -> Tensor:
        if grad_mode.state.enabled and (self.requires_grad or getattr(value, "requires_grad",
                                                                       False)):
            # Recorded, so the overwritten values get no gradient (PyTorch's FillBackward).
            if not isinstance(value, Tensor):
                value = Tensor._make(get_array_module(self._data).asarray(value, self.dtype))
            return self._inplace(Copy.apply(self, value))
        self._check_inplace()
        self._data[...] = value._data if isinstance(value, Tensor) else value
        self._version[0] += 1
        return self

    def zero_(self) -> Tensor:
        return self.fill_(0)

    def add_(self, other: Any, alpha: Any = 1) -> Tensor:
        if alpha != 1:
            other = _ops.mul(other, alpha)
        return self._inplace(_ops.add(self, other))

    def sub_(self, other: Any, alpha: Any = 1) -> Tensor:
        if alpha != 1:
            other = _ops.mul(other, alpha)
        return self._inplace(_ops.sub(self, other))

    def mul_(self, other: Any) -> Tensor:
        return self._inplace(_ops.mul(self, other))

    def div_(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        return self._inplace(_ops.div(self, other, rounding_mode=rounding_mode))

    def pow_(self, other: Any) -> Tensor:
        return self._inplace(_ops.pow(self, other))

    def floor_divide_(self, other: Any) -> Tensor:
        return self._inplace(_ops.floor_divide(self, other))

    def remainder_(self, other: Any) -> Tensor:
        return self._inplace(_ops.remainder(self, other))

    def fmod_(self, other: Any) -> Tensor:
        return self._inplace(_ops.fmod(self, other))

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:
        return self._inplace(_ops.clamp(self, min, max))

    clip_ = clamp_

    def addcmul_(self, t1: Any, t2: Any, value: Any = 1) -> Tensor:
        return self._inplace(_ops.add(self, _ops.mul(_ops.mul(t1, t2), value)))

    def addcdiv_(self, t1: Any, t2: Any, value: Any = 1) -> Tensor:
        return self._inplace(_ops.add(self, _ops.mul(_ops.div(t1, t2), value)))

    def lerp_(self, end: Any, weight: Any) -> Tensor:
        return self._inplace(_ops.add(self, _ops.mul(_ops.sub(end, self), weight)))

    def masked_fill_(self, mask: Any, value: Any) -> Tensor:
        return self._inplace(_ops.masked_fill(self, mask, value))

    def relu_(self) -> Tensor:
        return self._inplace(_ops.relu(self))

    def exp_(self) -> Tensor:
        return self._inplace(_ops.exp(self))

    def sqrt_(self) -> Tensor:
        return self._inplace(_ops.sqrt(self))

    def neg_(self) -> Tensor:
        return self._inplace(_ops.neg(self))

    def normal_(self, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Tensor:
        from autograd_core import random

        return self._fill_random(random.normal_array(self._data, mean, std, generator))

    def uniform_(self, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
        from autograd_core import random

        return self._fill_random(random.uniform_array(self._data, a, b, generator))

    def bernoulli_(self, p: float = 0.5, generator: Any = None) -> Tensor:
        from autograd_core import random

        return self._fill_random(random.uniform_array(self._data, 0.0, 1.0, generator) < p)

    def _fill_random(self, values: Any) -> Tensor:
        if self.requires_grad and grad_mode.state.enabled:
            return self._inplace(Copy.apply(self, Tensor._make(values)))
        self._check_inplace()
        get_array_module(self._data).copyto(self._data, values, casting="unsafe")
        self._version[0] += 1
        return self

    def __setitem__(self, index: Any, value: Any) -> None:
        _ops.setitem(self, index, value)

    # ---------------------------------------------------------------- operators
    def __add__(self, other: Any) -> Tensor:
        return _ops.add(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return _ops.add(other, self)

    def __iadd__(self, other: Any) -> Tensor:
        return self.add_(other)

    def __sub__(self, other: Any) -> Tensor:
        return _ops.sub(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return _ops.sub(other, self)

    def __isub__(self, other: Any) -> Tensor:
        return self.sub_(other)

    def __mul__(self, other: Any) -> Tensor:
        return _ops.mul(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return _ops.mul(other, self)

    def __imul__(self, other: Any) -> Tensor:
        return self.mul_(other)

    def __truediv__(self, other: Any) -> Tensor:
        return _ops.div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return _ops.div(other, self)

    def __itruediv__(self, other: Any) -> Tensor:
        return self.div_(other)

    def __floordiv__(self, other: Any) -> Tensor:
        return _ops.floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return _ops.floor_divide(other, self)

    def __ifloordiv__(self, other: Any) -> Tensor:
        return self.floor_divide_(other)

    def __mod__(self, other: Any) -> Tensor:
        return _ops.remainder(self, other)

    def __rmod__(self, other: Any) -> Tensor:
        return _ops.remainder(other, self)

    def __imod__(self, other: Any) -> Tensor:
        return self.remainder_(other)

    def __pow__(self, other: Any) -> Tensor:
        return _ops.pow(self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return _ops.pow(other, self)

    def __ipow__(self, other: Any) -> Tensor:
        return self.pow_(other)

    def __matmul__(self, other: Any) -> Tensor:
        return _ops.matmul(self, other) if isinstance(other, Tensor) else NotImplemented

    def __rmatmul__(self, other: Any) -> Tensor:
        return _ops.matmul(other, self) if isinstance(other, Tensor) else NotImplemented

    def __neg__(self) -> Tensor:
        return _ops.neg(self)

    def __pos__(self) -> Tensor:
        if self._data.dtype.kind == "b":
            raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
        return self

    def __abs__(self) -> Tensor:
        return _ops.abs(self)

    # Bitwise operators: integer and bool tensors only, as in PyTorch (on bool they are the
    # logical ops). Operands other than tensors and numbers give Python's own TypeError.
    def __invert__(self) -> Tensor:
        from autograd_core.ops.bitwise import invert

        return invert(self)

    def __and__(self, other: Any) -> Tensor:
        return _ops.bitwise_and(self, other) if _bitwise_operand(other) else NotImplemented

    def __rand__(self, other: Any) -> Tensor:
        return _ops.bitwise_and(other, self) if _bitwise_operand(other) else NotImplemented

    def __iand__(self, other: Any) -> Tensor:
        return self.bitwise_and_(other) if _bitwise_operand(other) else NotImplemented

    def __or__(self, other: Any) -> Tensor:
        return _ops.bitwise_or(self, other) if _bitwise_operand(other) else NotImplemented

    def __ror__(self, other: Any) -> Tensor:
        return _ops.bitwise_or(other, self) if _bitwise_operand(other) else NotImplemented

    def __ior__(self, other: Any) -> Tensor:
        return self.bitwise_or_(other) if _bitwise_operand(other) else NotImplemented

    def __xor__(self, other: Any) -> Tensor:
        return _ops.bitwise_xor(self, other) if _bitwise_operand(other) else NotImplemented

    def __rxor__(self, other: Any) -> Tensor:
        return _ops.bitwise_xor(other, self) if _bitwise_operand(other) else NotImplemented

    def __ixor__(self, other: Any) -> Tensor:
        return self.bitwise_xor_(other) if _bitwise_operand(other) else NotImplemented

    def __lshift__(self, other: Any) -> Tensor:
        return (_ops.bitwise_left_shift(self, other) if _bitwise_operand(other)
                else NotImplemented)

    def __rlshift__(self, other: Any) -> Tensor:
        return (_ops.bitwise_left_shift(other, self) if _bitwise_operand(other)
                else NotImplemented)

    def __ilshift__(self, other: Any) -> Tensor:
        return self.bitwise_left_shift_(other) if _bitwise_operand(other) else NotImplemented

    def __rshift__(self, other: Any) -> Tensor:
        return (_ops.bitwise_right_shift(self, other) if _bitwise_operand(other)
                else NotImplemented)

    def __rrshift__(self, other: Any) -> Tensor:
        return (_ops.bitwise_right_shift(other, self) if _bitwise_operand(other)
                else NotImplemented)

    def __irshift__(self, other: Any) -> Tensor:
        return self.bitwise_right_shift_(other) if _bitwise_operand(other) else NotImplemented

    def bitwise_not_(self) -> Tensor:
        return self._inplace(_ops.bitwise_not(self))

    def bitwise_and_(self, other: Any) -> Tensor:
        return self._inplace(_ops.bitwise_and(self, other))

    def bitwise_or_(self, other: Any) -> Tensor:
        return self._inplace(_ops.bitwise_or(self, other))

    def bitwise_xor_(self, other: Any) -> Tensor:
        return self._inplace(_ops.bitwise_xor(self, other))

    def bitwise_left_shift_(self, other: Any) -> Tensor:
        return self._inplace(_ops.bitwise_left_shift(self, other))

    def bitwise_right_shift_(self, other: Any) -> Tensor:
        return self._inplace(_ops.bitwise_right_shift(self, other))

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _ops.eq(self, other) if _compares_with(other) else NotImplemented

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _ops.ne(self, other) if _compares_with(other) else NotImplemented

    def __lt__(self, other: Any) -> Tensor:
        return _ops.lt(self, other) if _compares_with(other) else NotImplemented

    def __le__(self, other: Any) -> Tensor:
        return _ops.le(self, other) if _compares_with(other) else NotImplemented

    def __gt__(self, other: Any) -> Tensor:
        return _ops.gt(self, other) if _compares_with(other) else NotImplemented

    def __ge__(self, other: Any) -> Tensor:
        return _ops.ge(self, other) if _compares_with(other) else NotImplemented

    def __getitem__(self, index: Any) -> Tensor:
        return _ops.getitem(self, index)

    def __getattr__(self, name: str) -> Any:
        # Every op function in autograd_core.ops whose first argument is a tensor is also a
        # method (x.exp(), x.sum(dim=1), x.view(2, 3), ...), as in PyTorch.
        fn = _METHODS.get(name)
        if fn is None:
            raise AttributeError(f"'Tensor' object has no attribute '{name}'")
        return _BoundOp(fn, self)


def _compares_with(other: Any) -> bool:
    """Whether a comparison operator takes `other`. Else Python decides, as for a torch
    tensor: `t == [1, 2]` and `t == None` are False, `t < [1, 2]` a TypeError."""
    return isinstance(other, (Tensor, int, float, complex, np.ndarray, np.generic))


def _bitwise_operand(other: Any) -> bool:
    """Whether a bitwise operator takes `other` (else Python raises its own TypeError)."""
    return isinstance(other, (Tensor, int, float, np.generic))


class _BoundOp:
    """An op function bound to a tensor as its first argument: `x.sum` -> ops.sum(x, ...)."""

    __slots__ = ("_fn", "_self")

    def __init__(self, fn: Any, tensor: Tensor) -> None:
        self._fn = fn
        self._self = tensor

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._fn(self._self, *args, **kwargs)


# Filled by bind_methods(): method name -> op function taking the tensor first.
_METHODS: dict[str, Any] = {}


def bind_methods(ops_module: Any, names: list[str]) -> None:
    """Expose the op functions `names` as Tensor methods (called by autograd_core/__init__)."""
    global _ops
    _ops = ops_module
    for name in names:
        fn = getattr(ops_module, name)
        _METHODS[name] = fn
        # A real method on the class is faster than the __getattr__ fallback.
        if not hasattr(Tensor, name):
            setattr(Tensor, name, _as_method(fn))
    # The common operators call their op function directly: one call frame fewer per op.
    for dunder, name in _DIRECT_OPERATORS.items():
        fn = getattr(ops_module, name, None)
        if isinstance(fn, types.FunctionType):
            setattr(Tensor, dunder, fn)


_DIRECT_OPERATORS = {
    "__add__": "add", "__sub__": "sub", "__mul__": "mul", "__truediv__": "div",
    "__pow__": "pow", "__neg__": "neg",
}  # (not __matmul__: `x @ 2` returns NotImplemented, for Python's TypeError, as in PyTorch)


def _as_method(fn: Any) -> Any:
    if isinstance(fn, types.FunctionType):
        return fn  # a plain function binds as a method itself: one call frame fewer per op

    def method(self: Tensor, *args: Any, **kwargs: Any) -> Any:
        return fn(self, *args, **kwargs)

    method.__name__ = fn.__name__
    method.__doc__ = fn.__doc__
    return method


class Size(tuple):
    """The shape of a tensor: a tuple that prints like PyTorch's `torch.Size([2, 3])`."""

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n


_TYPE_NAMES = {
    "float32": "torch.FloatTensor", "float64": "torch.DoubleTensor",
    "int64": "torch.LongTensor", "int32": "torch.IntTensor", "bool": "torch.BoolTensor",
    "float16": "torch.HalfTensor", "uint8": "torch.ByteTensor",
}


_LEGACY_HINT = ("Tensor() takes only device= as a keyword; use autograd_core.tensor(data, "
                "dtype=..., requires_grad=...) for the rest")
_as_device = device  # Tensor.__init__'s `device` parameter shadows the function


def _legacy_source(args: tuple, kwargs: dict) -> Any:
    """What a legacy `Tensor(...)` call describes: a Tensor, data, or a shape (a Size)."""
    extra = [k for k in kwargs if k not in ("data", "size")]
    if extra:
        raise TypeError(f"Tensor() got an unexpected keyword argument '{extra[0]}' "
                        f"({_LEGACY_HINT})")
    if kwargs:
        if args or len(kwargs) > 1:
            raise TypeError(f"Tensor() got multiple values for argument '{next(iter(kwargs))}'")
        key, value = next(iter(kwargs.items()))
        if key == "data":
            return value
        return Size(_legacy_shape(tuple(value) if isinstance(value, (tuple, list)) else (value,)))
    if not args:
        return Size((0,))
    if len(args) > 1 or _is_int(args[0]):
        return Size(_legacy_shape(args))
    first = args[0]
    if isinstance(first, str):
        raise TypeError("new(): invalid data type 'str'")
    if first is None or isinstance(first, (builtins.bool, float, complex)):
        raise TypeError(f"new(): data must be a sequence (got {type(first).__name__})")
    return first


def _is_int(value: Any) -> builtins.bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, builtins.bool)


def _legacy_shape(args: tuple) -> tuple[int, ...]:
    for pos, value in enumerate(args):
        if not _is_int(value):
            raise TypeError(f"new(): argument 'size' failed to unpack the object at pos "
                            f'{pos + 1} with error "type must be tuple of ints,but got '
                            f'{type(value).__name__}"')
    shape = [int(v) for v in args]
    for dim in shape:
        if dim < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {dim}: {shape}")
    return tuple(shape)


def _legacy_array(source: Any) -> Any:
    if isinstance(source, Size):
        from autograd_core._factory import _allocating  # it imports this module

        shape, dt = _legacy_shape(tuple(source)), dtypes.default.value
        with _allocating(shape, dt, _as_device("cpu")):
            return np.zeros(shape, dt)
    # Data of any dtype becomes the default float dtype, as in PyTorch's legacy constructor.
    arr = _to_array(source, dtypes.default.value)
    if isinstance(source, np.ndarray) and np.shares_memory(arr, source):
        arr = arr.copy()
    return arr


def _host(arr: Any) -> np.ndarray:
    return arr if type(arr) is _ndarray else (arr.get() if hasattr(arr, "get") else
                                                np.asarray(arr))


def _to_array(data: Any, dt: Any) -> Any:
    """Turn nested lists, scalars, arrays and tensors into an array with PyTorch's dtypes."""
    if isinstance(data, Tensor):
        arr = data._data
    elif isinstance(data, (list, tuple)) and any(isinstance(d, Tensor) for d in _flat(data)):
        arr = np.array([_host(d._data) if isinstance(d, Tensor) else d for d in data])
    else:
        arr = data
    if isinstance(arr, (list, tuple)):
        _check_nesting(arr, 0)
    if dt is None:
        arr = _host(arr)
        kind = arr.dtype.kind
        if kind in "Ou" and not hasattr(data, "dtype"):
            # numpy keeps ints beyond int64 as uint64 or objects; PyTorch reads them as int64
            # (an overflow) unless a float among them makes the whole tensor floating.
            arr = _big_ints(data, arr)
            kind = arr.dtype.kind
        if kind in "OUS":
            raise TypeError(f"Could not infer dtype of {type(data).__name__}")
        if hasattr(data, "dtype"):  # an array or tensor keeps its dtype
            return arr
        # Python numbers and lists take PyTorch's defaults.
        if kind == "f":
            arr = arr.astype(dtypes.default.value)
        elif kind in "iu":
            arr = arr.astype(np.int64)
        elif kind == "c":
            # Python complex -> the complex dtype matching the default float dtype.
            arr = arr.astype(np.complex64 if dtypes.default.value == np.float32
                             else np.complex128)
        return arr
    np_dt = dtypes.to_dtype(dt)
    try:
        return np.asarray(arr, dtype=np_dt)
    except OverflowError:  # a Python int beyond the integer dtype (numpy's text names C long)
        raise ValueError("Overflow when unpacking long long") from None


def _big_ints(data: Any, arr: Any) -> Any:
    """Python data holding ints beyond int64: floats if a float is among them, else PyTorch's
    overflow error; `arr` (numpy's reading) is returned when no such int is there."""
    values = list(_flat(data)) if isinstance(data, (list, tuple)) else [data]
    big = any(isinstance(v, int) and not -(1 << 63) <= v < (1 << 63) for v in values)
    if not big:
        return arr
    if any(isinstance(v, float) for v in values):
        return np.asarray(data, dtype=np.float64)
    raise ValueError("Overflow when unpacking long long")


def _check_nesting(seq: Any, dim: int) -> None:
    """PyTorch's error for ragged nested lists (numpy's own message names no dimension)."""
    first = seq[0] if len(seq) else None
    if not isinstance(first, (list, tuple)):
        return
    for item in seq:
        if not isinstance(item, (list, tuple)) or len(item) != len(first):
            got = len(item) if isinstance(item, (list, tuple)) else type(item).__name__
            raise ValueError(
                f"expected sequence of length {len(first)} at dim {dim + 1} (got {got})"
            )
        _check_nesting(item, dim + 1)


def _flat(data: Any) -> Any:
    for d in data:
        if isinstance(d, (list, tuple)):
            yield from _flat(d)
        else:
            yield d


def _parse_to(args: tuple, kwargs: dict) -> tuple[Device | None, Any]:
    dev = kwargs.get("device")
    dt = kwargs.get("dtype")
    for a in args:
        if isinstance(a, Tensor):
            dev, dt = a.device, a.dtype
        elif isinstance(a, (str, Device)) and not (isinstance(a, str) and
                                                     a.removeprefix("torch.") in dtypes._ALIASES):
            dev = a
        elif a is not None:
            dt = a
    return (device(dev) if dev is not None else None,
            dtypes.to_dtype(dt) if dt is not None else None)


def _format(t: Tensor) -> str:
    from autograd_core._tensor_str import tensor_str

    dev = t.device
    return tensor_str(_host(t._data), dtypes.default.value,
                      None if dev.type == "cpu" else str(dev),
                      None if t.grad_fn is None else t.grad_fn.name(), t.requires_grad)


class Copy(function.Function):
    """dst = src (broadcast and cast to dst): dst's old value gets a zero gradient"""

    @staticmethod
    def forward(ctx: Any, dst: Any, src: Any) -> Any:
        ctx.src_meta = (src.shape, src.dtype)
        xp = get_array_module(dst)
        try:
            return xp.broadcast_to(src, dst.shape).astype(dst.dtype)
        except ValueError:
            raise RuntimeError(
                f"copy_: the size of src {list(src.shape)} must be broadcastable to the size of "
                f"the destination {list(dst.shape)}"
            ) from None

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        from autograd_core.ops._util import sum_to

        shape, dtype = ctx.src_meta
        need_dst, need_src = ctx.needs_input_grad
        g_dst = get_array_module(g).zeros_like(g) if need_dst else None
        g_src = sum_to(g, shape).astype(dtype, copy=False) if need_src else None
        return g_dst, g_src


def _view_root(t: Tensor) -> Tensor:
    """The tensor whose memory `t` views (through any chain of view ops), or t itself."""
    base = getattr(t, "_base", None)
    while base is not None:
        t = base
        base = getattr(t, "_base", None)
    return t


class CopySlices(function.Function):
    """base' = base with the region a view sees replaced by the view's new values"""

    name_suffix = ""  # PyTorch's node is plain "CopySlices"

    @staticmethod
    def forward(ctx: Any, base: Any, values: Any, region: Any = None) -> Any:
        ctx.region = region  # (shape, byte strides, element offset) of the view in base
        return base  # the in-place write already put the values into base's memory

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        shape, strides, offset = ctx.region
        xp = get_array_module(g)
        g_base = xp.array(g, order="C", copy=True)
        view = xp.lib.stride_tricks.as_strided(g_base.reshape(-1)[offset:], shape, strides)
        g_values = view.copy()
        view[...] = 0
        need_base, need_values = ctx.needs_input_grad
        return (g_base if need_base else None), (g_values if need_values else None)


def _rebase_view_root(root: Tensor, view: Tensor, result: Tensor) -> None:
    """After an in-place op through `view`, give `root` the history PyTorch gives it
    (CopySlices): its other elements keep their old history, the view's come from `result`."""
    base, data = root._data, view._data
    xp = get_array_module(base)
    if not (base.flags.c_contiguous and xp.may_share_memory(base, data)):
        return  # the "view" is a copy (a reshape of a strided tensor): base is untouched
    start = base.ctypes.data if xp is np else base.data.ptr
    here = data.ctypes.data if xp is np else data.data.ptr
    old = Tensor._make(base)
    old.requires_grad = root.requires_grad
    old.grad_fn = root.grad_fn
    old._output_nr = root._output_nr
    old._accumulator = root._accumulator
    region = (data.shape, data.strides, (here - start) // base.itemsize)
    out = CopySlices.apply(old, result, region=region)
    root.grad_fn = out.grad_fn
    root._output_nr = 0
    root.requires_grad = True


def _inplace_error(data: Any, new: Any) -> None:
    if new.shape != data.shape:
        raise RuntimeError(
            f"output with shape {list(data.shape)} doesn't match the broadcast shape "
            f"{list(new.shape)}"
        )
    raise RuntimeError(
        f"result type {_SCALAR_NAMES.get(new.dtype.name, new.dtype.name)} can't be cast to the "
        f"desired output type {_SCALAR_NAMES.get(data.dtype.name, data.dtype.name)}"
    )


_SCALAR_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
                 "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
                 "bool": "Bool"}


def _check_grad(t: Tensor, g: Any) -> None:
    """PyTorch's checks on `x.grad = g`: a tensor of x's size, dtype and device."""
    if not isinstance(g, Tensor):
        raise TypeError(
            f"assigned grad expected to be a Tensor or None but got grad of type "
            f"{type(g).__name__}"
        )
    if g._data.shape != t._data.shape:
        raise RuntimeError(
            f"attempting to assign a gradient of size '{list(g._data.shape)}' to a tensor of "
            f"size '{list(t._data.shape)}'. Please ensure that the gradient and the tensor are "
            "the same size"
        )
    if g._data.dtype != t._data.dtype:
        raise RuntimeError(
            f"attempting to assign a gradient with dtype '{g._data.dtype}' to a tensor with "
            f"dtype '{t._data.dtype}'. Please ensure that the gradient and the tensor have the "
            "same dtype"
        )
    if g.device != t.device:
        raise RuntimeError(
            f"attempting to assign a gradient located on device '{g.device}' to a tensor "
            f"located on device '{t.device}'. Please ensure that the gradient and the tensor "
            "are on the same device"
        )


def _rebuild(arr: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._make(arr)
    t.requires_grad = requires_grad
    return t


def to_array_on(data: Any, dt: Any, dev: Device) -> Any:
    """Array for `data` with dtype `dt` on device `dev` (used by the creation functions)."""
    arr = _to_array(data, dt)
    if dev.type != "cpu":
        xp = module_for_device(dev)
        with xp.cuda.Device(dev.index or 0):
            arr = xp.asarray(arr)
    return arr


function._bind_tensor(Tensor)

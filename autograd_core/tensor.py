"""`Tensor`: an array plus its autograd state, with PyTorch's methods.

Methods delegate to the op functions in `autograd_core.ops`; this module holds only the
tensor's own state (data, requires_grad, grad, grad_fn, version counter) and autograd methods.
Its base classes hold the rest: operators (`_tensor_operators`), conversions
(`_tensor_conversion`), in-place writes and views (`_tensor_inplace`); array conversion
helpers are in `_tensor_convert`.

Imports go one way: ops, creation and the engine import Tensor, and Tensor imports none of
them; autograd_core/__init__ hands their functions over once, through `bind_methods`.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from autograd_core import (
    _tensor_conversion,
    _tensor_convert,
    _tensor_inplace,
    _tensor_operators,
    dtypes,
    function,
)
from autograd_core._grad_field import check_grad, warn_non_leaf_grad
from autograd_core._tensor_conversion import ConversionMethods
from autograd_core._tensor_conversion import _parse_to as _parse_to  # re-exported
from autograd_core._tensor_convert import _SCALAR_NAMES as _SCALAR_NAMES  # re-exported
from autograd_core._tensor_convert import (
    Size,
    _host,
    _legacy_array,
    _legacy_source,
    _to_array,
    to_array_on,
)
from autograd_core._tensor_inplace import InplaceMethods, _view_root
from autograd_core._tensor_inplace import bump_version as bump_version  # re-exported
from autograd_core._tensor_operators import (
    _DIRECT_OPERATORS,
    _METHODS,
    OperatorMethods,
    _as_method,
    _BoundOp,
)
from autograd_core.backend import Device, device, device_of
from autograd_core.function import AccumulateGrad, _RemovableHandle

_ops: Any = None  # autograd_core.ops, bound by autograd_core/__init__ (ops import Tensor)
_backward: Any = None  # engine.backward, bound the same way (the engine imports Tensor)
_DTYPES = dtypes._BY_NP  # numpy dtype -> torch-style dtype object, for Tensor.dtype
_ndarray = np.ndarray
_new = object.__new__
_as_device = device  # Tensor.__init__'s `device` parameter shadows the function


class Tensor(OperatorMethods, ConversionMethods, InplaceMethods):
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
        g = self._grad
        if g is None and self.grad_fn is not None and not self._retains_grad:
            warn_non_leaf_grad()  # PyTorch's hint: the usual mistake behind a None here
        return g

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            check_grad(self, value)
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
    def __hash__(self) -> int:
        return id(self)

    def __iter__(self) -> Any:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(_ops.unbind(self, 0))

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
        # The engine stores the grad after the node's user hooks ran (_grad_hooks.run_pre_hooks).
        retained = self.grad_fn.__dict__.setdefault("_retain", {})
        self.grad_fn.hook_table()  # hooked: the engine's slow path stores retained grads
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
        lst = self.grad_fn.hook_table().setdefault(self._output_nr, [])
        lst.append(hook)
        return _RemovableHandle(lst, hook)

    def _grad_accumulator(self) -> AccumulateGrad:
        acc = self._accumulator
        if acc is None:
            acc = self._accumulator = AccumulateGrad(self)
        return acc

    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        _backward([self], None if gradient is None else [gradient], retain_graph,
                 create_graph, inputs)

    def __setitem__(self, index: Any, value: Any) -> None:
        _ops.setitem(self, index, value)

    def __getattr__(self, name: str) -> Any:
        # Every op function in autograd_core.ops whose first argument is a tensor is also a
        # method (x.exp(), x.sum(dim=1), x.view(2, 3), ...), as in PyTorch.
        fn = _METHODS.get(name)
        if fn is None:
            raise AttributeError(f"'Tensor' object has no attribute '{name}'")
        return _BoundOp(fn, self)


def bind_methods(ops_module: Any, names: list[str], *, backward: Any, creation: Any) -> None:
    """Expose the op functions `names` as Tensor methods, and give Tensor the engine's
    `backward` and the creation module (for `new_zeros()` and the like). Called once by
    autograd_core/__init__: those modules import Tensor, so Tensor does not import them."""
    global _ops, _backward
    _ops, _backward = ops_module, backward
    _bind_method_modules(_ops=ops_module, _creation=creation)
    for name in names:
        fn = getattr(ops_module, name)
        _METHODS[name] = fn
        # A real method on the class is faster than the __getattr__ fallback.
        if not hasattr(Tensor, name):
            setattr(Tensor, name, _as_method(fn))
    # The common operators call their op function directly: one call frame fewer per op.
    for dunder, name in _DIRECT_OPERATORS.items():
        setattr(Tensor, dunder, _as_method(getattr(ops_module, name)))


def _rebuild(arr: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._make(arr)
    t.requires_grad = requires_grad
    return t


function._bind_tensor(Tensor)
_tensor_convert.bind_tensor(Tensor)
def _bind_method_modules(**names: Any) -> None:
    """Give Tensor's method modules (its base classes) the names they read as globals: the
    Tensor class once it exists, the ops namespace and the creation module once bound."""
    for module in (_tensor_conversion, _tensor_inplace, _tensor_operators):
        vars(module).update(names)


_bind_method_modules(Tensor=Tensor)


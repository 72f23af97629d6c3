"""`autograd_core.autograd`: grad(), backward(), custom Function with tensors, Variable, and
anomaly detection (`detect_anomaly`, `set_detect_anomaly`)."""

from __future__ import annotations

from typing import Any

from autograd_core import _anomaly_mode as anomaly_mode
from autograd_core import _autograd_functional as functional
from autograd_core import _graph_walk, grad_mode
from autograd_core import function as _function
from autograd_core._anomaly_mode import detect_anomaly, set_detect_anomaly
from autograd_core.engine import backward, grad
from autograd_core.function import Node
from autograd_core.grad_mode import enable_grad, no_grad, set_grad_enabled
from autograd_core.tensor import Tensor
from autograd_core.testing import gradcheck, gradgradcheck

__all__ = ["Function", "Variable", "anomaly_mode", "backward", "detect_anomaly", "enable_grad",
           "functional", "grad", "gradcheck", "gradgradcheck", "no_grad", "set_detect_anomaly",
           "set_grad_enabled"]


class Function(_function.Function):
    """A user-defined op, as in PyTorch: forward and backward see Tensors, not arrays.

    Example:
        class Square(Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x
            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return 2 * x * g
        y = Square.apply(x)
    """

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        # needs_input_grad is readable in forward too, as in PyTorch (the engine fills it in
        # only after forward).
        on = grad_mode.state.enabled
        needs = tuple(on and isinstance(a, Tensor) and a.requires_grad for a in args)
        return _function.apply(_TensorIO.for_user(cls), args, {**kwargs, _NEEDS: needs})


class _TensorIO(_function.Function):
    """Adapter that lets the array-level engine run a tensor-level user Function."""

    user: type = Function
    name_suffix = "Backward"  # PyTorch names a custom Function's node "<Name>Backward"
    _cache: dict[type, type] = {}

    @classmethod
    def for_user(cls, user: type) -> type:
        adapter = cls._cache.get(user)
        if adapter is None:
            # Named after the user's class: the inspector shows it on the node.
            adapter = type(user.__name__, (cls,), {"user": user, "__doc__": user.__doc__})
            cls._cache[user] = adapter
        return adapter

    @classmethod
    def forward(cls, ctx: Node, *arrays: Any, **kwargs: Any) -> Any:
        ctx.needs_input_grad = kwargs.pop(_NEEDS)
        ctx._input_shapes = tuple(a.shape if _is_array(a) else None for a in arrays)
        tensors = [Tensor._make(a) if _is_array(a) else a for a in arrays]
        with grad_mode.no_grad():
            out = cls.user.forward(ctx, *tensors, **kwargs)
        # Which saved tensors are inputs or outputs, for create_graph (see _user_formula).
        ctx._io_ids = (tuple(id(a) for a in arrays),
                       tuple(id(o._data) for o in (out if isinstance(out, tuple) else (out,))
                             if isinstance(o, Tensor)))
        if isinstance(out, tuple):
            return tuple(o._data if isinstance(o, Tensor) else o for o in out)
        return out._data if isinstance(out, Tensor) else out

    @classmethod
    def backward(cls, ctx: Node, *grads: Any) -> Any:
        gs = [Tensor._make(g) if g is not None else None for g in grads]
        out = cls.user.backward(ctx, *gs)
        if not isinstance(out, tuple):
            out = (out,)
        return _check_grads(cls, ctx._input_shapes, out)


_NEEDS = "_autograd_needs_input_grad"


class _UserGraphCtx(_graph_walk.GraphCtx):
    """A user Function's ctx under create_graph: saved inputs and outputs come back linked to
    the graph, so the user's backward (Tensor ops, run with grad mode on) records its ops."""

    __slots__ = ()

    @property
    def saved_tensors(self) -> tuple:
        in_ids, out_ids = self.node._io_ids
        out = []
        for t in self.node.saved_tensors:
            key = id(t._data) if isinstance(t, Tensor) else None
            if key in in_ids:
                t = self.input(in_ids.index(key), t._data)
            elif key in out_ids:
                t = self.output(t._data, out_ids.index(key))
            out.append(t)
        return tuple(out)


@_graph_walk.formula(_TensorIO)
def _user_formula(ctx: _UserGraphCtx, *grads: Any) -> tuple:
    out = ctx.fn.user.backward(_UserGraphCtx(ctx.node), *grads)
    out = out if isinstance(out, tuple) else (out,)
    _check_grads(ctx.fn, ctx.node._input_shapes, out)  # PyTorch's count and shape checks
    return out


def _check_grads(cls: type, shapes: tuple, grads: tuple) -> tuple:
    """PyTorch's checks on what a custom backward returned: one gradient per input, shaped
    like it (trailing extra Nones are allowed)."""
    name = cls.__name__ + cls.name_suffix
    n = len(shapes)
    if len(grads) < n or any(g is not None for g in grads[n:]):
        raise RuntimeError(
            f"function {name} returned an incorrect number of gradients (expected {n}, "
            f"got {len(grads)})"
        )
    out = []
    for i, (g, shape) in enumerate(zip(grads, shapes)):
        arr = g._data if isinstance(g, Tensor) else g
        if arr is not None and shape is not None and tuple(arr.shape) != tuple(shape):
            raise RuntimeError(
                f"Function {name} returned an invalid gradient at index {i} - got "
                f"{list(arr.shape)} but expected shape compatible with {list(shape)}"
            )
        out.append(arr)
    return tuple(out)


def _is_array(a: Any) -> bool:
    return hasattr(a, "shape") and hasattr(a, "dtype") and not isinstance(a, (int, float))


def Variable(data: Any, requires_grad: bool = False, volatile: bool = False) -> Tensor:
    """The legacy wrapper: PyTorch kept Variable as an alias that returns a tensor."""
    t = data if isinstance(data, Tensor) else Tensor(data)
    if requires_grad and not t.requires_grad:
        t = t.detach()
        t.requires_grad_(True)
    return t

"""`Function` (an op: static forward/backward on raw arrays) and `Node` (its ctx and grad_fn).

`Op.apply(*args, **kwargs)` unwraps tensors, runs `forward(ctx, *arrays, **kwargs)`, wraps the
outputs and, when any input requires grad, links a `Node` into the graph. Positional
arguments are the differentiable inputs (tensors or Python numbers); configuration goes in
keyword arguments, so `backward` returns exactly one gradient (or None) per positional input.
"""

from __future__ import annotations

from time import perf_counter_ns as _clock
from typing import Any

import numpy as np

from autograd_core import grad_mode, hooks
from autograd_core._complex_grad import complex_grad_error
from autograd_core._handles import _RemovableHandle
from autograd_core._saved_versions import fast_versions, saved_versions
from autograd_core.backend import get_array_module

# Set by autograd_core.tensor at import (_bind_tensor): the two modules need each other.
Tensor: Any = None
_make: Any = None
_ndarray = np.ndarray
_hooks_state = hooks.state
_grad_state = grad_mode.state
_NO_EDGE = (None, 0)
_ONE_NEEDED = (True,)
_new = object.__new__

_FREED = object()  # marks a node whose saved arrays the backward pass has dropped
_FLOAT_KINDS = frozenset("fc")


class Node:
    """One recorded op: PyTorch's ctx and grad_fn in one object.

    `next_functions` holds one (node, output_nr) pair per positional input: the producer's
    Node, an `AccumulateGrad` for a leaf that requires grad, or (None, 0).
    """

    # `shapes` is the one op attribute with a slot: the broadcasting ops (Add, Sub) keep their
    # input shapes there, so they need no __dict__ (nor its scan when the node is freed).
    __slots__ = ("__dict__", "__weakref__", "_pre_hooks", "_saved", "_versions", "fn", "meta",
                 "n_outputs", "needs_input_grad", "next_functions", "shapes")
    next_functions: tuple  # ((producer node, output_nr), ...), one per positional input
    needs_input_grad: tuple  # (bool, ...), as PyTorch's ctx has it

    # Multi-output nodes only set it: a class default (in __dict__ where set) saves one store.
    out_meta: Any = None  # ((shape, dtype), ...) of a multi-output node's outputs

    def __init__(self, fn: type[Function]) -> None:
        # Function.apply builds its nodes inline, with these same stores.
        self.fn = fn
        self._saved: Any = ()
        # ((version counter, value when saved), ...) of the inputs and of saved outputs
        self._versions: Any = None
        self._pre_hooks: Any = None  # see hook_table(): None means "not hooked"
        self.n_outputs = 1
        self.meta: Any = None  # free for an observer (the trace keeps its node key here)

    # -- the ctx side, used by ops ------------------------------------------------------
    def save_for_backward(self, *arrays: Any) -> None:
        """Keep what backward reads; the engine drops it once this node's backward ran."""
        self._saved = arrays

    @property
    def saved_tensors(self) -> tuple:
        saved = self._saved
        if saved is _FREED:
            raise RuntimeError(_FREED_MESSAGE)
        return saved

    def mark_non_differentiable(self, *outputs: Any) -> None:
        """Accepted for PyTorch compatibility: integer outputs never require grad here."""

    # -- the grad_fn side, used by users and the inspector ------------------------------
    def name(self) -> str:
        return self.fn.__name__ + self.fn.name_suffix

    def register_hook(self, fn: Any) -> Any:
        """Call fn(grad_inputs, grad_outputs) after this node's backward ran."""
        hooks_list = self.__dict__.setdefault("_post_hooks", [])
        self.hook_table()  # the engine must take the path that runs post hooks
        hooks_list.append(fn)
        return _RemovableHandle(hooks_list, fn)

    def hook_table(self) -> dict:
        """This node's `{output_nr: [hook]}`, made on first use. Having one, even empty
        (retain_grad, a post hook), makes the node *hooked*: the engine leaves its fast path."""
        if self._pre_hooks is None:
            self._pre_hooks = {}
        return self._pre_hooks

    @property
    def hooked(self) -> bool:
        return self._pre_hooks is not None  # set only by hook_table()

    def __repr__(self) -> str:
        return f"<{self.name()} object at {id(self):#x}>"


class AccumulateGrad:
    """The graph node of a leaf tensor that requires grad: adds incoming grads to `.grad`."""

    __slots__ = ("__weakref__", "meta", "variable")

    next_functions: tuple = ()
    n_outputs = 1
    _pre_hooks = None
    hooked = False

    def __init__(self, variable: Any) -> None:
        self.variable = variable
        self.meta: Any = None

    def name(self) -> str:
        return "AccumulateGrad"

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {id(self):#x}>"


_FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)


class Function:
    """Base class of every op. Subclasses define static `forward` and `backward`.

    Example:
        class Tanh(Function):
            '''y = tanh(x)'''
            @staticmethod
            def forward(ctx, x):
                y = get_array_module(x).tanh(x)
                ctx.save_for_backward(y)
                return y
            @staticmethod
            def backward(ctx, gy):
                (y,) = ctx.saved_tensors
                return gy * (1 - y * y)
    """

    # View ops return arrays sharing memory with their input: the output shares the input's
    # version counter, so an in-place write through either is seen by both.
    is_view = False
    # Ops whose outputs are never differentiable (comparisons, argmax, ...).
    differentiable = True
    # grad_fn.name() is the class name plus this: PyTorch's built-in ops print "Backward0",
    # a user's autograd.Function "Backward".
    name_suffix = "Backward0"

    @staticmethod
    def forward(ctx: Node, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Node, *grad_outputs: Any) -> Any:
        raise NotImplementedError

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run the op. The fast path: one or two inputs, one array out, no observer."""
        n = len(args)
        if n == 2:
            if _hooks_state.observer is not None:
                return _observed(cls, args, kwargs)
            a, b = args
            ta = isinstance(a, Tensor)
            tb = isinstance(b, Tensor)
            ra = ta and a.requires_grad
            rb = tb and b.requires_grad
            ctx = _new(Node)  # Node(cls), without the __init__ call
            ctx.fn = cls
            ctx._saved = ()
            ctx._versions = None
            ctx._pre_hooks = None
            ctx.n_outputs = 1
            ctx.meta = None
            ctx.needs_input_grad = (ra, rb)  # before forward: ops keep only what is needed
            xa = a._data if ta else a
            xb = b._data if tb else b
            # A call without **{} is cheaper: most ops get no keyword arguments.
            raw = cls.forward(ctx, xa, xb, **kwargs) if kwargs else cls.forward(ctx, xa, xb)
        elif n == 1 and isinstance(a := args[0], Tensor):
            if _hooks_state.observer is not None:
                return _observed(cls, args, kwargs)
            ta = True
            ra = a.requires_grad
            tb = rb = False
            ctx = _new(Node)
            ctx.fn = cls
            ctx._saved = ()
            ctx._versions = None
            ctx._pre_hooks = None
            ctx.n_outputs = 1
            ctx.meta = None
            raw = cls.forward(ctx, a._data, **kwargs) if kwargs else cls.forward(ctx, a._data)
        else:
            return apply(cls, args, kwargs)
        if type(raw) is not _ndarray:
            if type(raw) is tuple:
                return _finish_multi(cls, ctx, raw, (ra or rb) and _grad_state.enabled
                                     and cls.differentiable, args)
            raw = get_array_module(raw).asarray(raw)  # numpy reductions return scalars
        out = _make(raw)
        if cls.is_view and ta:
            out._version = a._version
            out._base = a
        if (ra or rb) and _grad_state.enabled and cls.differentiable:
            # _link and _remember_versions, unrolled for one or two inputs
            if ra:
                fn = a.grad_fn
                ea = (fn, a._output_nr) if fn is not None else (a._accumulator
                                                                 or a._grad_accumulator(), 0)
            else:
                ea = _NO_EDGE
            if n == 2:
                if rb:
                    fn = b.grad_fn
                    eb = (fn, b._output_nr) if fn is not None else (b._accumulator
                                                                     or b._grad_accumulator(), 0)
                else:
                    eb = _NO_EDGE
                ctx.next_functions = (ea, eb)
            else:
                ctx.next_functions = (ea,)
                ctx.needs_input_grad = _ONE_NEEDED
            if raw.dtype.kind in _FLOAT_KINDS:
                if raw.dtype.kind == "c":
                    raise complex_grad_error(cls)
                out.requires_grad = True
                out.grad_fn = ctx
            if ctx._saved:
                ctx._versions = fast_versions(ctx, a, b if n == 2 else None, out)
        return out


_apply_fast = Function.apply.__func__  # type: ignore[attr-defined]


def _observed(cls: type, args: tuple, kwargs: dict) -> Any:
    """`Function.apply`'s fast path with the observer told: the op runs on the untraced fast
    path (the observer is detached for its duration; a built-in op's forward works on arrays
    and runs no other op), timed here, then one `op_end` call."""
    state = _hooks_state
    obs = state.observer
    begin = obs.op_begin
    token = begin(cls) if begin is not None else None
    state.observer = None
    t0 = _clock()
    try:
        result = _apply_fast(cls, *args, **kwargs) if kwargs else _apply_fast(cls, *args)
    finally:
        t1 = _clock()
        state.observer = obs
    if type(result) is tuple:
        outputs: tuple = result
        node = next((o.grad_fn for o in result if o.grad_fn is not None), None)
    else:
        outputs = (result,)
        node = result.grad_fn
    obs.op_end(token, cls, t0, t1, node, args, outputs)
    return result


def apply(cls: type, args: tuple, kwargs: dict) -> Any:
    """Run op `cls` on `args`: the general path (any arity, observer attached)."""
    obs = _hooks_state.observer
    if obs is not None:
        begin = obs.op_begin
        token = begin(cls) if begin is not None else None
        t0 = _clock()
    arrays = [a._data if isinstance(a, Tensor) else a for a in args]
    requires = _grad_state.enabled and cls.differentiable and any(
        isinstance(a, Tensor) and a.requires_grad for a in args
    )
    ctx = Node(cls)
    raw = cls.forward(ctx, *arrays, **kwargs)
    if type(raw) is tuple:
        outputs = _finish_multi(cls, ctx, raw, requires, args)
        result: Any = outputs
    else:
        if requires:
            _link(ctx, args)
        result = _wrap(cls, ctx, raw, 0, requires, args)
        outputs = (result,)
        if requires and ctx._saved:
            _remember_versions(ctx, args, outputs)
    if obs is not None:
        obs.op_end(token, cls, t0, _clock(), ctx if requires else None, args, outputs)
    return result


def _finish_multi(cls: type, ctx: Node, raw: tuple, requires: bool, args: tuple) -> tuple:
    """Wrap the outputs of a multi-output op and link its node."""
    if requires:
        _link(ctx, args)
    outputs = tuple(_wrap(cls, ctx, r, i, requires, args) for i, r in enumerate(raw))
    ctx.n_outputs = len(outputs)
    ctx.out_meta = tuple((r.shape, r.dtype) for r in (o._data for o in outputs))
    if requires and ctx._saved:
        _remember_versions(ctx, args, outputs)
    return outputs


def _remember_versions(ctx: Node, args: tuple, outputs: tuple) -> None:
    # Remember versions now, so an in-place write before backward is caught: of the inputs
    # and outputs the node saved (`y = a @ w; y += b` and `b = a.exp(); a += 1` are fine).
    ctx._versions = saved_versions(ctx, args + outputs)


def _edge(a: Any) -> tuple[Any, int]:
    """The (node, output_nr) a gradient for input `a` flows to, or (None, 0)."""
    if isinstance(a, Tensor) and a.requires_grad:
        fn = a.grad_fn
        if fn is not None:
            return (fn, a._output_nr)
        acc = a._accumulator
        return (acc if acc is not None else a._grad_accumulator(), 0)
    return _NO_EDGE


def _link(ctx: Node, args: tuple) -> None:
    """Fill next_functions and needs_input_grad from the positional inputs."""
    if len(args) == 1:
        e = _edge(args[0])
        ctx.next_functions = (e,)
        ctx.needs_input_grad = (e[0] is not None,)
    elif len(args) == 2:
        e0 = _edge(args[0])
        e1 = _edge(args[1])
        ctx.next_functions = (e0, e1)
        ctx.needs_input_grad = (e0[0] is not None, e1[0] is not None)
    else:
        nexts = ctx.next_functions = tuple(map(_edge, args))
        ctx.needs_input_grad = tuple(e[0] is not None for e in nexts)


def _wrap(cls: type, ctx: Node, raw: Any, index: int, requires: bool, args: tuple) -> Any:
    if type(raw) is not _ndarray:
        raw = get_array_module(raw).asarray(raw)  # numpy reductions return scalars
    out = Tensor._make(raw)
    if requires and raw.dtype.kind in _FLOAT_KINDS:
        if raw.dtype.kind == "c":
            raise complex_grad_error(cls)
        out.requires_grad = True
        out.grad_fn = ctx
        out._output_nr = index
    if cls.is_view and index == 0 and isinstance(args[0], Tensor):
        out._version = args[0]._version
        out._base = args[0]
    return out


def _bind_tensor(tensor_cls: Any) -> None:
    """Called by autograd_core.tensor at import: the two modules need each other."""
    global Tensor, _make
    Tensor, _make = tensor_cls, tensor_cls._make

"""The backward walk with `create_graph=True`: gradients are Tensors and the formulas record ops.

The plain walk (engine.py) runs each node's `backward` on raw arrays with grad mode off. This
walk runs, for each node, its *graph formula* instead: the same derivative written with public
Tensor ops (`autograd_core/ops/_graph_grads*.py`), with grad mode on, so the gradients it
returns have a grad_fn and can be differentiated again (gradient penalties, Hessian-vector
products, MAML). A formula reads the node's saved arrays through a `GraphCtx`, which turns them
back into Tensors linked to the graph (`ctx.input(i, array)`, `ctx.output(array)`).

An op without a formula still gets its first-order gradient (computed on arrays), but that
gradient's grad_fn is a `DoubleBackwardUnsupported` node: differentiating through it raises
"double backward is not supported for <Op>". Never a silently detached result.
"""

from __future__ import annotations

from collections.abc import Callable
from time import perf_counter_ns as _clock
from typing import Any

import numpy as np

from autograd_core import _anomaly, grad_mode, hooks
from autograd_core._deferred import TYPES as _DEFERRED
from autograd_core.function import _FREED, _FREED_MESSAGE, AccumulateGrad, Function, Node
from autograd_core.tensor import Tensor

__all__ = ["FORMULAS", "UNSUPPORTED", "GraphCtx", "formula", "run", "unsupported"]

# A formula returns this for a case it does not cover (an option of the op, a GPU-fused
# path): the node then falls back to `unsupported`.
UNSUPPORTED = object()

# Function class -> its graph formula f(ctx: GraphCtx, *grads: Tensor) -> grads of the inputs.
FORMULAS: dict[type, Callable[..., Any]] = {}


def formula(*classes: type) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a graph formula for one or more Function classes (and their subclasses)."""
    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        for cls in classes:
            FORMULAS[cls] = fn
        return fn
    return register


def find_formula(cls: type) -> Callable[..., Any] | None:
    for klass in cls.__mro__:
        f = FORMULAS.get(klass)
        if f is not None:
            return f
    return None


class GraphCtx:
    """A node as its graph formula sees it: attributes and saved arrays of the node, plus
    the saved arrays turned back into Tensors that are linked to the graph."""

    __slots__ = ("node",)

    def __init__(self, node: Node) -> None:
        self.node = node

    def __getattr__(self, name: str) -> Any:
        return getattr(self.node, name)  # shapes, axes, needs_input_grad, ...

    def __setattr__(self, name: str, value: Any) -> None:
        # A user Function's backward may keep things on ctx, as it can on the node itself.
        if name == "node":
            object.__setattr__(self, name, value)
        else:
            setattr(self.node, name, value)

    @property
    def saved(self) -> tuple:
        return self.node.saved_tensors

    def input(self, i: int, value: Any) -> Any:
        """`value` (an array holding input i's values, in its shape) as a Tensor whose
        gradient flows where input i's does; a Python number stays a number."""
        if not hasattr(value, "shape"):
            return value
        value = _array(value)
        fn, nr = self.node.next_functions[i]
        if type(fn) is AccumulateGrad:
            leaf = fn.variable
            if leaf._data is value:
                return leaf
            t = Tensor._make(value)
            t.requires_grad = True
            t._accumulator = fn
            return t
        t = Tensor._make(value)
        if fn is not None:
            t.requires_grad = True
            t.grad_fn = fn
            t._output_nr = nr
        return t

    def output(self, value: Any, k: int = 0) -> Tensor:
        """`value` (output k's array) as a Tensor whose gradient flows back into this node."""
        t = Tensor._make(_array(value))
        t.requires_grad = True
        t.grad_fn = self.node
        t._output_nr = k
        return t


def _array(value: Any) -> Any:
    """A saved value as an array: a Tensor's data, a numpy scalar (a reduction's) as 0-d."""
    if isinstance(value, Tensor):
        return value._data
    return np.asarray(value) if isinstance(value, np.generic) else value


class DoubleBackwardUnsupported(Function):
    """The grad_fn of a gradient computed by an op that has no graph formula."""

    name_suffix = ""

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> Any:
        raise RuntimeError(f"double backward is not supported for {ctx.op_name}")


def unsupported(node: Node, grads_out: tuple) -> tuple:
    """First-order gradients of an op without a graph formula, marked so that differentiating
    them again raises (rather than silently treating them as constants)."""
    with grad_mode.no_grad():
        raw = node.fn.backward(node, *(None if g is None else g._data for g in grads_out))
    if type(raw) is not tuple:
        raw = (raw,)
    guard = Node(DoubleBackwardUnsupported)
    guard.next_functions = ()
    guard.needs_input_grad = ()
    guard.op_name = node.name()
    out = []
    for r in raw:
        if r is None:
            out.append(None)
            continue
        t = Tensor._make(r.materialize() if type(r) in _DEFERRED else r)
        if t._data.dtype.kind in "fc":
            t.requires_grad = True
            t.grad_fn = guard
        out.append(t)
    return tuple(out)


def run(roots: list[tuple[Any, int, Tensor]], retain_graph: bool, captured: dict | None) -> dict:
    """The walk with create_graph. Returns the gradients (Tensors) that reached the
    `captured` (node, output_nr) targets; without targets, accumulates into leaves' `.grad`."""
    from autograd_core.engine import _topological_order
    from autograd_core.ops import _graph_grads  # noqa: F401  (registers the formulas)

    buffers: dict = {}
    for node, nr, g in roots:
        _add(buffers, node, nr, g)
    results: dict = {}
    order = _topological_order([r[0] for r in roots])
    through = None  # every node's backward runs
    if captured is not None:
        order, through = _needed(order, {key[0] for key in captured})
    obs = hooks.state.observer
    if obs is not None:
        obs.phase("backward")
    prev_mode = grad_mode.state.enabled
    grad_mode.state.enabled = True  # the formulas record their ops
    node = None  # the failing node, for anomaly mode's report
    try:
        for node in order:
            g = buffers.pop(node, None)
            if g is None:
                continue
            if type(node) is AccumulateGrad:
                g = _leaf_hooks(node.variable, g)
                if captured is not None:
                    if (node, 0) in captured:
                        results[(node, 0)] = g
                else:
                    accumulate(node.variable, g)
                continue
            if captured is not None:
                _capture(node, g, captured, results)
                if node not in through:  # a target that leads to no other target:
                    if node._pre_hooks is not None:  # its hooks run (retain_grad), not
                        _pre_hooks(node, g)  # its backward
                    continue
            _run_node(node, g, buffers, retain_graph, obs)
    except Exception:
        if _anomaly.state.enabled:
            _anomaly.report(node)
        raise
    finally:
        grad_mode.state.enabled = prev_mode
    return results


def _needed(order: list, targets: set) -> tuple[list, set]:
    """The nodes on a path to a target, and those whose backward leads to one: autograd.grad
    need not walk the whole graph (and a formula's inner grad() stops at its tensors)."""
    needed: set = set()
    through: set = set()
    for node in reversed(order):  # children before parents
        if any(c in needed for c, _ in node.next_functions if c is not None):
            through.add(node)
            needed.add(node)
        elif node in targets:
            needed.add(node)
    return [n for n in order if n in needed], through


def _add(buffers: dict, node: Any, nr: int, g: Tensor) -> None:
    """Accumulate g for output `nr` of node: out of place, so the sum is differentiable."""
    if node.n_outputs == 1:
        prev = buffers.get(node)
        buffers[node] = g if prev is None else prev + g
        return
    slots = buffers.get(node)
    if slots is None:
        slots = buffers[node] = [None] * node.n_outputs
    slots[nr] = g if slots[nr] is None else slots[nr] + g


def _capture(node: Any, g: Any, captured: dict, results: dict) -> None:
    grads = (g,) if node.n_outputs == 1 else g
    for i, gi in enumerate(grads):
        if gi is not None and (node, i) in captured:
            results[(node, i)] = gi


def _run_node(node: Node, g: Any, buffers: dict, retain_graph: bool, obs: Any) -> None:
    from autograd_core.engine import _check_versions

    if node._saved is _FREED:
        raise RuntimeError(_FREED_MESSAGE)
    if node._versions is not None:
        _check_versions(node)
    if node._pre_hooks is not None:
        g = _pre_hooks(node, g)
    grads_out = (g,) if node.n_outputs == 1 else _materialize(node, g)
    if obs is not None:
        begin = obs.backward_begin
        token = begin(node) if begin is not None else None
        t0 = _clock()
        hooks.state.observer = None  # the formula's ops belong to this backward node
    try:
        grads_in = _grads_of(node, grads_out)
    finally:
        if obs is not None:
            hooks.state.observer = obs
    if obs is not None:
        obs.backward_end(token, node, t0, _clock(), _arrays(grads_out), _arrays(grads_in))
    post = node.__dict__.get("_post_hooks")
    if post:
        for hook in list(post):
            new = hook(grads_in, grads_out)
            if new is not None:
                grads_in = tuple(new) if isinstance(new, (tuple, list)) else (new,)
    for (nxt, nr), gi in zip(node.next_functions, grads_in):
        if nxt is not None and gi is not None:
            _add(buffers, nxt, nr, gi)
    if not retain_graph:
        from autograd_core.engine import _free

        _free(node)


def _grads_of(node: Node, grads_out: tuple) -> tuple:
    """The node's input gradients as Tensors (or None), through its graph formula."""
    f = find_formula(node.fn)
    if f is None:
        return unsupported(node, grads_out)
    grads_in = f(GraphCtx(node), *grads_out)
    if grads_in is UNSUPPORTED:
        return unsupported(node, grads_out)
    if type(grads_in) is not tuple:
        grads_in = (grads_in,)
    needs = node.needs_input_grad
    return tuple(None if gi is None or not needs[i] else
                 (gi if isinstance(gi, Tensor) else Tensor._make(gi))
                 for i, gi in enumerate(grads_in[:len(needs)]))


def _arrays(ts: tuple) -> tuple:
    return tuple(None if t is None else t._data for t in ts)


def _materialize(node: Node, g: list) -> tuple:
    """Zeros for the outputs of a multi-output node that received no gradient."""
    from autograd_core.backend import get_array_module

    xp = get_array_module(next(x for x in g if x is not None)._data)
    return tuple(gi if gi is not None else Tensor._make(xp.zeros(shape, dtype))
                 for gi, (shape, dtype) in zip(g, node.out_meta))


def _pre_hooks(node: Node, g: Any) -> Any:
    """Tensor hooks of non-leaf outputs (may replace the gradient) and retain_grad."""
    single = node.n_outputs == 1
    grads = [g] if single else list(g)
    for nr, hook_list in node._pre_hooks.items():
        if grads[nr] is None:
            continue
        for hook in list(hook_list):
            new = hook(grads[nr])
            if new is not None:
                grads[nr] = new
    for nr, ref in node.__dict__.get("_retain", {}).items():
        t = ref()
        if t is not None and grads[nr] is not None:
            accumulate(t, grads[nr])
    return grads[0] if single else grads


def _leaf_hooks(t: Tensor, g: Tensor) -> Tensor:
    if t._hooks:
        for hook in list(t._hooks):
            new = hook(g)
            if new is not None:
                g = new
    return g


def accumulate(t: Tensor, g: Tensor) -> None:
    """Store g into t's `.grad` as PyTorch's AccumulateGrad does with grad mode on: a clone
    the first time (so two leaves never share one gradient tensor), then `grad + g`."""
    from autograd_core.ops.conversion import cast
    from autograd_core.ops.unary import clone

    if g._data.dtype != t._data.dtype:
        g = cast(g, t._data.dtype)
    t._grad = clone(g) if t._grad is None else t._grad + g

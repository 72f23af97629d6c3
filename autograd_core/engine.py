"""The backward pass: walk the graph in reverse topological order and accumulate gradients.

`backward()` (Tensor.backward) accumulates into leaves' `.grad`; `grad()` (autograd.grad)
returns the gradients of chosen inputs instead. Each node's saved arrays are dropped as soon
as its backward has run, unless `retain_graph`.

Each walk keeps its state in its own `InputBuffer` (_input_buffer.py), so a backward run
from inside a hook is a walk of its own; the user's hooks run through _grad_hooks.py.
Gradients a backend computes late (_deferred.py) are materialized wherever anything but a
buffer sum would see them. With `create_graph=True` the walk is _graph_walk.py's instead:
gradients are Tensors and each node's derivative is computed with ops, so it records a graph.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from operator import attrgetter
from time import perf_counter_ns as _clock
from typing import Any

import numpy as np

from autograd_core import _anomaly, _graph_walk, grad_mode, hooks
from autograd_core._deferred import TYPES as _DEFERRED
from autograd_core._grad_hooks import accumulate_leaf, leaf_hooks, run_post_hooks, run_pre_hooks
from autograd_core._input_buffer import InputBuffer
from autograd_core.backend import get_array_module
from autograd_core.function import _FREED, _FREED_MESSAGE, AccumulateGrad, Node
from autograd_core.tensor import Tensor

# Public reads of the engine's per-tensor and per-node bookkeeping, for observers such as the
# trace recorder (C-level getters: as cheap as the attribute reads they stand for).
output_nr: Any = attrgetter("_output_nr")  # output_nr(t): which output of t.grad_fn t is
saved_arrays: Any = attrgetter("_saved")  # saved_arrays(node): arrays kept for its backward


def backward(tensors: Sequence[Tensor], grad_tensors: Sequence[Any] | None = None,
             retain_graph: bool | None = None, create_graph: bool = False,
             inputs: Any = None) -> None:
    """Accumulate d(tensors)/d(leaf) into every leaf's `.grad` (or only `inputs`')."""
    roots = _roots(tensors, grad_tensors)
    captured = None
    if inputs is not None:
        inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
        captured = {_target(t): t for t in inputs}
    if create_graph:
        results = _graph_walk.run(_graph_roots(roots, grad_tensors),
                                  create_graph if retain_graph is None else bool(retain_graph),
                                  captured)
        for key, t in (captured or {}).items():
            if results.get(key) is not None and not t._retains_grad:
                _graph_walk.accumulate(t, results[key])
        return
    buffers = InputBuffer()
    results = _run(roots, bool(retain_graph), captured, buffers)
    if captured is not None:
        for key, t in captured.items():
            g = results.get(key)
            # A non-leaf that retains its grad got it from its retain_grad hook already.
            if g is not None and not t._retains_grad:
                accumulate_leaf(t, g, buffers.stored)


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, only_inputs: bool = True, allow_unused: bool | None = None,
         is_grads_batched: bool = False,
         materialize_grads: bool = False) -> tuple[Tensor | None, ...]:
    """Return d(outputs)/d(inputs) without touching any `.grad` (PyTorch's autograd.grad).

    The parameters are PyTorch's, in its order; `only_inputs` is ignored as there (WGAN-GP
    code still passes it), `is_grads_batched=True` (vmap) is not supported."""
    _legacy_grad_flags(only_inputs, is_grads_batched)
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    single = isinstance(inputs, Tensor)
    inputs = [inputs] if single else list(inputs)
    if grad_outputs is not None and isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs]
    for t in inputs:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    roots = _roots(outputs, grad_outputs)
    keys = [_target(t) for t in inputs]
    if create_graph:
        # PyTorch's default: retain_graph follows create_graph.
        retain = create_graph if retain_graph is None else bool(retain_graph)
        results = _graph_walk.run(_graph_roots(roots, grad_outputs), retain, dict.fromkeys(keys))
    else:
        results = _run(roots, bool(retain_graph), dict.fromkeys(keys), InputBuffer())
    out: list[Tensor | None] = []
    for t, key in zip(inputs, keys):
        g = results.get(key)
        if g is None:
            if materialize_grads:
                g = get_array_module(t._data).zeros_like(t._data)
            elif not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {len(out)} appears to not have been "
                    "used in the graph. Set allow_unused=True if this is the desired behavior."
                )
        if isinstance(g, np.generic):  # a 0-d ufunc result: wrap arrays, never scalars
            g = np.asarray(g)
        out.append(g if g is None or isinstance(g, Tensor) else Tensor._make(g))
    return tuple(out)


def _legacy_grad_flags(only_inputs: bool, is_grads_batched: bool) -> None:
    if not only_inputs:
        warnings.warn("only_inputs argument is deprecated and is ignored now (defaults to True). "
                      "To accumulate gradient for other parts of the graph, please use "
                      "torch.autograd.backward.", FutureWarning, stacklevel=3)
    if is_grads_batched:
        raise TypeError("grad() argument 'is_grads_batched=True' is not supported by "
                        "autograd_core (it needs vmap)")


def _graph_roots(roots: list[tuple[Any, int, Any]], grads: Any) -> list[tuple[Any, int, Any]]:
    """The seeds as Tensors for the create_graph walk: a seed the caller passed as a Tensor
    stays that Tensor (it may require grad itself, as gradgradcheck's do)."""
    out = []
    for i, (node, nr, g) in enumerate(roots):
        given = None if grads is None else grads[i]
        if isinstance(given, Tensor) and given._data is g:
            out.append((node, nr, given))
        else:
            out.append((node, nr, Tensor._make(g)))
    return out


def _target(t: Tensor) -> tuple[Any, int]:
    """Where the gradient of tensor t shows up during the walk: (node, output_nr)."""
    if t.grad_fn is None:
        return (t._grad_accumulator(), 0)
    return (t.grad_fn, t._output_nr)


def _roots(tensors: Sequence[Tensor], grads: Sequence[Any] | None) -> list[tuple[Any, int, Any]]:
    """Check the outputs and their seed gradients; return (node, output_nr, grad) triples."""
    roots = []
    for i, t in enumerate(tensors):
        if not t.requires_grad:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )
        g = None if grads is None else grads[i]
        if g is None:
            if t._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            g = get_array_module(t._data).ones_like(t._data)
        else:
            g = g._data if isinstance(g, Tensor) else get_array_module(t._data).asarray(g)
            if g.shape != t._data.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {tuple(g.shape)} and "
                    f"output[{i}] has a shape of {tuple(t._data.shape)}."
                )
            if g.dtype != t._data.dtype:
                g = g.astype(t._data.dtype)  # PyTorch casts the seed to the output's dtype
        node, nr = _target(t)
        roots.append((node, nr, g))
    return roots


def _topological_order(start: list[Any]) -> list[Any]:
    """Nodes reachable from `start`, each before every node it feeds gradients to."""
    order: list[Any] = []
    seen: set[Any] = set()  # nodes hash by identity
    add = seen.add
    for root in start:
        if root in seen:
            continue
        add(root)
        stack = [(root, iter(root.next_functions))]
        push = stack.append
        while stack:
            node, children = stack[-1]
            for child, _ in children:
                if child is not None and child not in seen:
                    add(child)
                    push((child, iter(child.next_functions)))
                    break
            else:
                stack.pop()
                order.append(node)
    order.reverse()
    return order


def _run(roots: list[tuple[Any, int, Any]], retain_graph: bool, captured: dict | None,
         buffers: InputBuffer) -> dict:
    """The walk. Returns the gradients that reached the `captured` (node, output_nr) targets."""
    buffers.stored.update(id(r[2]) for r in roots)  # seeds are the caller's: copy to store
    for node, nr, g in roots:
        buffers.add(node, nr, g)
    results: dict = {}
    obs = hooks.state.observer
    if obs is not None:
        obs.phase("backward")
        begin = obs.backward_begin
    prev_mode = grad_mode.state.enabled
    grad_mode.state.enabled = False  # backward formulas build no graph (no create_graph)
    node = None  # the failing node, for anomaly mode's report
    try:
        pop = buffers.pop
        for node in _topological_order([r[0] for r in roots]):
            g = pop(node, None)
            if g is None:
                continue
            if type(g) in _DEFERRED:
                g = g.materialize()
            if captured is not None:
                _capture(node, g, captured, results)
            if type(node) is AccumulateGrad:
                if captured is None:
                    accumulate_leaf(node.variable, g, buffers.stored)
            elif node._pre_hooks is None and node.n_outputs == 1:  # not node.hooked, inlined
                if obs is None:
                    _run_plain_node(node, g, buffers, retain_graph)
                else:  # timed here, one observer call (see hooks.py)
                    token = begin(node) if begin is not None else None
                    t0 = _clock()
                    gi = _run_plain_node(node, g, buffers, retain_graph)
                    obs.backward_end(token, node, t0, _clock(), (g,),
                                     gi if type(gi) is tuple else (gi,))
            else:
                _run_node(node, g, buffers, retain_graph, obs)
    except Exception:
        if _anomaly.state.enabled:  # read only when a node failed: the loop pays nothing
            _anomaly.report(node)
        raise
    finally:
        grad_mode.state.enabled = prev_mode
    return results


def _capture(node: Any, g: Any, captured: dict, results: dict) -> None:
    if node.n_outputs == 1:
        if (node, 0) in captured:
            results[(node, 0)] = (leaf_hooks(node.variable, g) if type(node) is AccumulateGrad
                                  else g)
        return
    for i, gi in enumerate(g):
        if gi is not None and (node, i) in captured:
            results[(node, i)] = gi


def _run_plain_node(node: Node, g: Any, buffers: InputBuffer, retain_graph: bool) -> Any:
    """_run_node's fast path: one output, no hooks. Returns the node's input gradients."""
    versions = node._versions
    if versions is not None:
        for counter, expected in versions:
            if counter[0] != expected:
                _check_versions(node)  # raises, naming the node
    elif node._saved is _FREED:
        raise RuntimeError(_FREED_MESSAGE)
    grads_in = node.fn.backward(node, g)
    # Pass the gradients on; unary and binary nodes without zip or tuple building.
    nexts = node.next_functions
    n = len(nexts)
    if n == 1:
        (nxt, nr), = nexts
        gi = grads_in[0] if type(grads_in) is tuple else grads_in
        if nxt is not None and gi is not None:
            if nxt.n_outputs == 1:  # buffers.add, inline
                prev = buffers.get(nxt)
                buffers[nxt] = gi if prev is None else buffers.sum(nxt, prev, gi)
            else:
                buffers.add(nxt, nr, gi)
    elif n == 2 and type(grads_in) is tuple and len(grads_in) == 2:
        (nxt, nr), (nxt1, nr1) = nexts
        gi, gi1 = grads_in
        if nxt is not None and gi is not None:
            if nxt.n_outputs == 1:
                prev = buffers.get(nxt)
                buffers[nxt] = gi if prev is None else buffers.sum(nxt, prev, gi)
            else:
                buffers.add(nxt, nr, gi)
        if nxt1 is not None and gi1 is not None:
            buffers.add(nxt1, nr1, gi1)
    else:
        if type(grads_in) is not tuple:
            grads_in = (grads_in,)
        for (nxt, nr), gi in zip(nexts, grads_in):
            if nxt is not None and gi is not None:
                buffers.add(nxt, nr, gi)
    if not retain_graph:
        if node.__dict__:
            _free(node)  # arrays kept as ctx attributes go too
        elif node._saved:
            node._saved = _FREED
            node._versions = None
    return grads_in


def _run_node(node: Node, g: Any, buffers: InputBuffer, retain_graph: bool, obs: Any) -> None:
    """Run one node's backward and pass its input gradients on."""
    if node._saved is _FREED:
        raise RuntimeError(_FREED_MESSAGE)
    if node._versions is not None:
        _check_versions(node)
    if node._pre_hooks is not None:  # node.hooked, inlined: this runs for every slow-path node
        g = run_pre_hooks(node, g, buffers.stored)
    grads_out = g if node.n_outputs == 1 else _materialize(node, g)
    if obs is not None:
        begin = obs.backward_begin
        token = begin(node) if begin is not None else None
        t0 = _clock()
    if node.n_outputs == 1:
        grads_in = node.fn.backward(node, grads_out)
    else:
        grads_in = node.fn.backward(node, *grads_out)
    if type(grads_in) is not tuple:
        grads_in = (grads_in,)
    # Hooks and observers see arrays, never a deferred grad (_deferred.py).
    grads_in = tuple(gi.materialize() if type(gi) in _DEFERRED else gi for gi in grads_in)
    if obs is not None:
        obs.backward_end(token, node, t0, _clock(),
                         grads_out if node.n_outputs > 1 else (grads_out,), grads_in)
    post = node.__dict__.get("_post_hooks")
    if post:
        grads_in = run_post_hooks(post, grads_in, grads_out, node.n_outputs)
    for (nxt, nr), gi in zip(node.next_functions, grads_in):
        if nxt is not None and gi is not None:
            buffers.add(nxt, nr, gi)
    if not retain_graph:
        _free(node)


# Types of ctx attributes that are never arrays: _free skips its hasattr checks for them.
_PLAIN = frozenset((tuple, list, dict, int, float, bool, str, type(None), type))


def _free(node: Node) -> None:
    """Drop what the node kept for backward; a later backward through it then fails clearly."""
    d = node.__dict__
    freed = bool(node._saved)
    if d:
        # Arrays an op kept on ctx go too; plain attributes (shapes, dtypes) stay, so a graph
        # that saved no array can be walked again, as in PyTorch (`(x + x).sum()` twice).
        arrays = [k for k, v in d.items() if k[0] != "_" and type(v) not in _PLAIN
                  and hasattr(v, "dtype") and hasattr(v, "shape")]
        for key in arrays:
            del d[key]
        freed = freed or bool(arrays)
    if freed:
        node._saved = _FREED
        node._versions = None


def _materialize(node: Node, g: list) -> tuple:
    """Zeros for the outputs of a multi-output node that received no gradient."""
    out = []
    for gi, (shape, dtype) in zip(g, node.out_meta):
        if gi is None:
            xp = get_array_module(next(x for x in g if x is not None))
            gi = xp.zeros(shape, dtype)
        out.append(gi)
    return tuple(out)


def _check_versions(node: Node) -> None:
    for counter, expected in node._versions:
        if counter[0] != expected:
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: output of or input to {node.name()} is at version "
                f"{counter[0]}; expected version {expected} instead. Hint: the backtrace further "
                "above can point to the operation that failed to compute its gradient."
            )

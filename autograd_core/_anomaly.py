"""Anomaly detection's machinery (PyTorch's `torch.autograd.detect_anomaly`).

While it is on, `_AnomalyObserver` sits in the engine's one observer slot (hooks.py), in front
of whatever observer is attached (the trace recorder, the runner's controller), to which it
passes every call on. Being an observer, it costs the engine nothing while off: the forward
fast path and the backward walk already test that slot once per op and once per walk. It

- keeps, on each graph node made by a forward op, where in the user's code the op ran (the
  frames as (file, line, function) triples; the source lines are read only for a warning);
- checks, when `check_nan`, each node's computed input gradients for NaN after its backward
  and raises PyTorch's RuntimeError naming the node and the output.

The engine's walks (engine.py, _graph_walk.py) call `report(node)` when a node's backward
raises with the mode on: PyTorch's UserWarning "Error detected in <node>. Traceback of forward
call that caused the error: ...". Its public switches are the top-level
`is_anomaly_enabled`, `is_anomaly_check_nan_enabled` and `set_anomaly_enabled`; the context
managers are in _anomaly_mode.py.

Like any attached observer, it turns off the paths that only run unobserved (the fused
one-op LSTM/GRU layer, late BLAS gradients): the mode is for debugging, as in PyTorch.

Nodes that backward formulas make under `create_graph=True` run with the observer detached
(their ops belong to the node being differentiated), so they carry no forward trace: an error
in them is reported as "No forward pass information available", as PyTorch does for a node
made while the mode was off.
"""

from __future__ import annotations

import os
import sys
import traceback
import warnings
from typing import Any

from autograd_core import hooks
from autograd_core.backend import get_array_module

_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep
_TRACE = "_anomaly_trace"  # the key of a node's forward frames in its __dict__


class _AnomalyState:
    __slots__ = ("check_nan", "enabled")

    def __init__(self) -> None:
        self.enabled = False
        self.check_nan = True


state = _AnomalyState()


def is_anomaly_enabled() -> bool:
    """Whether anomaly detection is on (PyTorch's `torch.is_anomaly_enabled`)."""
    return state.enabled


def is_anomaly_check_nan_enabled() -> bool:
    """Whether anomaly detection checks backward results for NaN."""
    return state.check_nan


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    """Turn anomaly detection on or off (PyTorch's `torch.set_anomaly_enabled`)."""
    enabled = bool(enabled)
    if enabled and not state.enabled:
        # Observer's optional hooks are attributes here (the inner observer's, or None).
        hooks.state.observer = _AnomalyObserver(hooks.state.observer)  # type: ignore[assignment]
        hooks.state.wrap = _AnomalyObserver
    elif not enabled and state.enabled:
        hooks.state.observer = hooks.get_observer()
        hooks.state.wrap = None
    state.enabled = enabled
    state.check_nan = bool(check_nan)


class _AnomalyObserver:
    """The engine's observer while anomaly detection is on; `inner` is the attached one."""

    __slots__ = ("backward_begin", "inner", "op_begin")

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        # The inner observer's optional hooks, as they are (None: the engine skips them).
        self.op_begin = None if inner is None else inner.op_begin
        self.backward_begin = None if inner is None else inner.backward_begin

    def op_end(self, token: Any, fn: type, t0: int, t1: int, node: Any, inputs: tuple,
               outputs: tuple) -> None:
        if node is not None:
            node.__dict__[_TRACE] = _user_frames()
        if self.inner is not None:
            self.inner.op_end(token, fn, t0, t1, node, inputs, outputs)

    def backward_end(self, token: Any, node: Any, t0: int, t1: int, grad_outputs: tuple,
                     grad_inputs: tuple) -> None:
        if self.inner is not None:  # the recorder sees the NaN before the error stops the walk
            self.inner.backward_end(token, node, t0, t1, grad_outputs, grad_inputs)
        if state.check_nan:
            _check_nan(node, grad_inputs)

    def module_enter(self, module: Any) -> Any:
        return None if self.inner is None else self.inner.module_enter(module)

    def module_exit(self, token: Any, module: Any, output: Any) -> None:
        if self.inner is not None:
            self.inner.module_exit(token, module, output)

    def phase(self, name: str) -> None:
        if self.inner is not None:
            self.inner.phase(name)


def _user_frames() -> list[tuple[str, int, str]]:
    """The calling stack, outermost first, without the engine's own innermost frames (as
    PyTorch's ends at the Python line that called into C++)."""
    frame: Any = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back
    frames = []
    while frame is not None:
        code = frame.f_code
        frames.append((code.co_filename, frame.f_lineno, code.co_name))
        frame = frame.f_back
    frames.reverse()
    return frames


def _check_nan(node: Any, grad_inputs: tuple) -> None:
    """PyTorch's check after a node's backward: a NaN in a gradient that flows on is an
    error. Gradients for inputs that need none are not looked at (PyTorch computes none)."""
    for i, (g, (nxt, _)) in enumerate(zip(grad_inputs, node.next_functions)):
        if g is None or nxt is None or getattr(g, "dtype", None) is None:
            continue
        if g.dtype.kind in "fc" and bool(get_array_module(g).isnan(g).any()):
            raise RuntimeError(
                f"Function '{node.name()}' returned nan values in its {i}th output.")


def report(node: Any) -> None:
    """PyTorch's warning for an error raised in `node`'s backward, with its forward trace."""
    if node is None:
        return
    name = node.name()
    frames = getattr(node, "__dict__", {}).get(_TRACE)
    if frames is None:
        message = (f"Error detected in {name}. No forward pass information available. Enable "
                   "detect anomaly during forward pass for more information.")
    else:
        lines = traceback.StackSummary.from_list([(*f, None) for f in frames]).format()
        message = (f"Error detected in {name}. Traceback of forward call that caused the "
                   "error:\n" + "".join(lines))
    warnings.warn(message, UserWarning, stacklevel=_user_level())


def _user_level() -> int:
    """The stacklevel of `report`'s warning that names the user's line (backward() or
    autograd.grad()), not the engine's."""
    level = 2  # 1 would be report() itself; start at its caller
    frame: Any = sys._getframe(2)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back
        level += 1
    return level

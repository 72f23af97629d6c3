"""The engine's one optional observer: told when an op ran, a backward node ran, a Module ran.

The trace recorder (autograd_core.trace) implements `Observer`; the engine, `Function.apply`
and `Module.__call__` read `hooks.observer` once per call, so with none attached the cost is
one attribute test. Timing lives in the hook protocol, never in ops: with an observer attached
the engine reads `time.perf_counter_ns()` just before and just after each op and backward node
and passes both readings to `op_end` / `backward_end`, so an observer that needs only the
elapsed time costs one call per op and per node. An observer that must act before an op or a
node runs (CUDA events, a stop check) defines `op_begin` / `backward_begin`; their return value
(a token) comes back in the matching `*_end`. An observer without them sets them to None.
"""

from __future__ import annotations

from typing import Any, Protocol


class Observer(Protocol):
    """What the engine calls.

    `op_begin` and `backward_begin` may be None (as class attributes): the engine then skips
    them and passes None as the token.
    """

    def op_begin(self, fn: type) -> Any:
        """Op `fn` is about to run (optional: None when not needed)."""

    def op_end(self, token: Any, fn: type, t0: int, t1: int, node: Any, inputs: tuple,
               outputs: tuple) -> None:
        """Op `fn` ran forward between `t0` and `t1` (perf_counter_ns). `node` is its backward
        node (None when no graph was recorded); `inputs` are the positional arguments (Tensors
        or Python values), `outputs` Tensors."""

    def backward_begin(self, node: Any) -> Any:
        """A node's backward is about to run (optional: None when not needed)."""

    def backward_end(self, token: Any, node: Any, t0: int, t1: int, grad_outputs: tuple,
                     grad_inputs: tuple) -> None:
        """A node's backward ran between `t0` and `t1` (perf_counter_ns; the time includes
        handing its gradients on): `grad_outputs` arrived, `grad_inputs` (arrays or None,
        one per `node.next_functions` entry) leave towards its inputs."""

    def module_enter(self, module: Any) -> Any: ...

    def module_exit(self, token: Any, module: Any, output: Any) -> None: ...

    def phase(self, name: str) -> None:
        """The user's program moved to another phase: 'forward', 'backward' or 'update'."""


class _Hooks:
    __slots__ = ("observer", "wrap")

    def __init__(self) -> None:
        self.observer: Observer | None = None
        # While anomaly detection is on (_anomaly.py), its observer class: it sits in the slot
        # in front of the attached observer (its `inner`), and stays there across attaches.
        self.wrap: Any = None


state = _Hooks()


def set_observer(observer: Observer | None) -> Observer | None:
    """Attach `observer` (or detach with None); returns the one it replaced."""
    previous = get_observer()
    wrap = state.wrap
    state.observer = observer if wrap is None else wrap(observer)
    return previous


def get_observer() -> Observer | None:
    """The attached observer (anomaly detection's layer in front of it is not one)."""
    obs = state.observer
    if state.wrap is not None and obs is not None:
        return obs.inner  # type: ignore[attr-defined]
    return obs

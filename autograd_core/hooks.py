"""The engine's one optional observer: told when an op ran, a backward node ran, a Module ran.

The trace recorder (autograd_core.trace) implements `Observer`; the engine, `Function.apply`
and `Module.__call__` read `hooks.observer` once per call, so with none attached the cost is
one attribute test. Timing lives in the observer (the `*_begin` calls return a token, usually a
start time), never in ops.
"""

from __future__ import annotations

from typing import Any, Protocol


class Observer(Protocol):
    """What the engine calls. Tokens returned by `*_begin` come back in the matching `*_end`."""

    def op_begin(self, fn: type) -> Any: ...

    def op_end(self, token: Any, node: Any, inputs: tuple, outputs: tuple) -> None:
        """An op ran forward. `node` is its backward node (None when no graph was recorded);
        `inputs` are the positional arguments (Tensors or Python values), `outputs` Tensors."""

    def backward_begin(self, node: Any) -> Any: ...

    def backward_end(self, token: Any, node: Any, grad_outputs: tuple,
                     grad_inputs: tuple) -> None:
        """A node's backward ran: `grad_outputs` arrived, `grad_inputs` (arrays or None, one
        per `node.next_functions` entry) leave towards its inputs."""

    def module_enter(self, module: Any) -> Any: ...

    def module_exit(self, token: Any, module: Any, output: Any) -> None: ...

    def phase(self, name: str) -> None:
        """The user's program moved to another phase: 'forward', 'backward' or 'update'."""


class _Hooks:
    __slots__ = ("observer",)

    def __init__(self) -> None:
        self.observer: Observer | None = None


state = _Hooks()


def set_observer(observer: Observer | None) -> Observer | None:
    """Attach `observer` (or detach with None); returns the one it replaced."""
    previous = state.observer
    state.observer = observer
    return previous


def get_observer() -> Observer | None:
    return state.observer

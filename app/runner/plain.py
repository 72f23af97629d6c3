"""A plain PyTorch script (no `model`/`step`): run top to bottom, cut into iterations.

The script runs as `__main__` in a thread of its own; `PlainScript.step(i)` lets it run to its
next iteration boundary and returns that iteration's loss, so the worker drives it exactly as
it drives a model script's `step(i)` (captures, pause, stepping, stop). While the worker is
idle the script thread waits at the boundary; Stop, a Restart or the end of the worker ends
it there with `StopRequested` (its `finally` blocks run, nothing after the boundary does).

Boundaries come from the engine's hook, through the worker's Controller (`Boundaries`): an
`optimizer.step()` (the "update" phase) ends an iteration, and, while the script has no
optimizer, so does a backward pass (with one, a GAN's two backward passes before its step stay
one iteration, and `errD = errD_real + errD_fake` after them is not a new one). The engine
announces neither end, so the boundary is taken at the program's next engine event: after an
update, any op, module call or backward; after a backward, the next op or module call run with
gradients on (so `clip_grad_norm_` or a manual `no_grad` update between `backward()` and
`step()` stays in the iteration). The script's end closes an iteration that ran a backward or
an update.
"""

from __future__ import annotations

import inspect
import sys
import threading
import types
import weakref
from collections.abc import Iterator
from typing import Any

from app.runner.stepping import StopRequested
from autograd_core import grad_mode
from autograd_core.optim import optimizer

__all__ = ["Boundaries", "PlainScript", "ScriptEnded", "ScriptModules"]

_FORWARD, _BACKWARD, _UPDATE = 0, 1, 2


class ScriptEnded(Exception):  # noqa: N818 - not an error: the script is over
    """`step(i)` found the script already at its end (it ran out, failed or was stopped)."""

    def __init__(self, iterations: int, why: str) -> None:
        super().__init__(why)
        self.iterations = iterations  # iterations the script completed
        self.why = why


class Boundaries:
    """Watches engine events for the end of an iteration; calls `cut()` at each one.

    The Controller calls `before_op`, `before_module` and `phase` before it
    forwards the event to the recorder, so an event past a boundary is recorded in the next
    iteration. `cut()` returns when the next iteration may start (or raises StopRequested).
    """

    __slots__ = ("cut", "depth", "loss", "modules", "state")

    def __init__(self, cut: Any) -> None:
        self.cut = cut
        self.state = _FORWARD
        self.loss: Any = None  # the tensor the iteration's top-level backward() started from
        self.modules = ScriptModules()
        self.depth = 0  # module calls open now

    def _boundary(self) -> None:
        self.state = _FORWARD
        self.cut()

    def before_op(self) -> None:
        state = self.state
        if state == _UPDATE or (state == _BACKWARD and grad_mode.state.enabled
                                and not optimizer.any_alive()):
            self._boundary()

    def before_module(self, module: Any) -> bool:
        """A module is called; True when it is a top-level one seen for the first time."""
        self.before_op()
        self.depth += 1
        return self.depth == 1 and self.modules.add(module)

    def after_module(self) -> None:
        self.depth = max(self.depth - 1, 0)

    def phase(self, name: str) -> None:
        if name == "backward":
            called, root = _backward_call(sys._getframe(1))
            if not called:  # autograd.grad (a gradient penalty): part of the forward pass
                return
            if self.state == _UPDATE:
                self._boundary()
            self.state = _BACKWARD
            self.loss = root
        elif name == "update":
            self.state = _UPDATE

    def trained(self) -> bool:
        """Whether the open iteration ran a backward pass or an update."""
        return self.state != _FORWARD


def _backward_call(frame: types.FrameType | None) -> tuple[bool, Any]:
    """Whether `engine.backward` (Tensor.backward, autograd.backward) is on the stack, not
    only `autograd.grad`; and the first tensor of the outermost call (None if unknown)."""
    from autograd_core import engine

    code, called, root = inspect.unwrap(engine.backward).__code__, False, None
    while frame is not None:
        if frame.f_code is code:
            called, tensors = True, frame.f_locals.get("tensors")
            root = tensors[0] if isinstance(tensors, list | tuple) and tensors else root
        frame = frame.f_back
    return called, root


class ScriptModules:
    """The model of a plain script: the top-level modules its iterations called, each named
    by its class (`Net`, its children `Net.fc1`), so captures name parameters (`Net.fc1.weight`)
    as they do for a model script's `model`. Held weakly: a script that builds a new model
    every iteration does not keep the old ones alive."""

    def __init__(self) -> None:
        self._top: dict[int, weakref.ref] = {}

    def add(self, module: Any) -> bool:
        """Remember a top-level module; True if it was new."""
        ref = self._top.get(id(module))
        if ref is not None and ref() is module:
            return False
        self._top = {k: r for k, r in self._top.items() if r() is not None}
        try:
            self._top[id(module)] = weakref.ref(module)
        except TypeError:  # a module-like object without weak references: left unnamed
            return False
        return True

    def _live(self) -> list[Any]:
        return [m for m in (r() for r in self._top.values()) if m is not None]

    def named_modules(self) -> Iterator[tuple[str, Any]]:
        for module in self._live():
            yield from module.named_modules(prefix=type(module).__name__)

    def named_parameters(self) -> Iterator[tuple[str, Any]]:
        for module in self._live():
            yield from module.named_parameters(prefix=type(module).__name__)

    def parameters(self) -> Iterator[Any]:
        for _, param in self.named_parameters():
            yield param


class PlainScript:
    """A compiled plain script; `step(i)` runs it to its next iteration boundary.

    Attributes match `script.Script`: `model` is the `ScriptModules` its iterations called,
    no ITERATIONS, the device from `DEVICE`.
    """

    iterations: int | None = None

    def __init__(self, path: str, code: types.CodeType, device: str | None) -> None:
        self.path = path
        self.device = device
        self.code = code
        self.module = types.ModuleType("__main__")
        self.module.__file__ = path
        self.namespace = self.module.__dict__
        self.boundaries = Boundaries(self._cut)
        self.model = self.boundaries.modules
        self.completed = 0  # iterations the script finished
        self._go = threading.Semaphore(0)    # worker -> script: run to the next boundary
        self._done = threading.Semaphore(0)  # script -> worker: at a boundary, or ended
        self._outcome: tuple[str, Any] = ("", None)
        self._thread: threading.Thread | None = None
        self._ended: str | None = None  # why the script is over ('ran to its end', ...)
        self._stop = False
        self._main: Any = None  # the worker's own __main__ module, while the script runs

    # ------------------------------------------------------------------ worker side
    def step(self, i: int) -> Any:
        """Run the script to the end of its next iteration; returns the iteration's loss.

        Raises:
            ScriptEnded: the script has no iteration left (it is over).
            StopRequested, or what the script raised: the iteration did not finish.
        """
        if self._ended is not None:
            raise ScriptEnded(self.completed, self._ended)
        if self._thread is None:
            self._start()
        else:
            self._go.release()
        self._done.acquire()
        kind, value = self._outcome
        if kind == "boundary":
            self.completed += 1
            return value
        if kind == "ended":
            self._ended = "ran to its end"
            raise ScriptEnded(self.completed, self._ended)
        self._ended = "was stopped" if isinstance(value, StopRequested) else "failed"
        raise value

    def close(self) -> None:
        """End a script waiting at a boundary (its `finally` blocks run), then restore
        `__main__`."""
        thread = self._thread
        if thread is not None and thread.is_alive() and self._ended is None:
            self._stop = True
            self._ended = "was stopped"
            self._go.release()
            thread.join(2.0)  # a script that ignores StopRequested is a daemon: left behind
        if self._main is not None:
            sys.modules["__main__"] = self._main
            self._main = None

    def _start(self) -> None:
        # `if __name__ == "__main__":` runs, and classes the script defines (their
        # __module__ is "__main__") are found where pickle and dataclasses look for them.
        self._main = sys.modules.get("__main__")
        sys.modules["__main__"] = self.module
        self._thread = threading.Thread(target=self._run, name="gradscope-script",
                                        daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ script thread
    def _run(self) -> None:
        try:
            exec(self.code, self.namespace)
            self._finish()
        except SystemExit as exc:
            if exc.code in (None, 0):  # `sys.exit(main())` after a normal run
                self._finish()
            else:
                self._outcome = ("raised", exc)
        except BaseException as exc:  # the script's own, or StopRequested: the worker's
            self._outcome = ("raised", exc)
        finally:
            self._done.release()

    def _finish(self) -> None:
        """The script ended: its open iteration counts if it trained, else nothing does."""
        if self.boundaries.trained():
            self._outcome = ("boundary", self._take_loss())
            self.boundaries.state = _FORWARD
            self._done.release()  # that iteration is reported; the next step() ends
            self._go.acquire()
        self._outcome = ("ended", None)

    def _take_loss(self) -> Any:
        loss, self.boundaries.loss = self.boundaries.loss, None
        return loss

    def _cut(self) -> None:
        """At a boundary (script thread): hand the iteration over, wait for the next."""
        self._outcome = ("boundary", self._take_loss())
        self._done.release()
        self._go.acquire()
        if self._stop:
            raise StopRequested

"""`torch.utils.checkpoint` with PyTorch's signatures and checks, as a documented pass-through.

`checkpoint(fn, *args)` runs `fn` once and keeps its graph: the gradients are the ones
PyTorch's recomputation gives (it recomputes the same function), gradients of gradients work,
and the inspector shows the function's ops. What is not reproduced is the memory saving:
activations inside `fn` stay alive until backward, as without checkpointing.

PyTorch's reentrant variant (`use_reentrant=True`, also the default when the argument is
left out, with its warning) builds no graph when no tensor argument requires grad; that is
kept, as are its refusals of keyword arguments and `context_fn`.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from autograd_core.grad_mode import is_grad_enabled, no_grad
from autograd_core.tensor import Tensor

__all__ = ["CheckpointError", "checkpoint", "checkpoint_sequential", "detach_variable",
           "noop_context_fn", "set_checkpoint_debug_enabled", "set_checkpoint_early_stop"]

_REENTRANT_WARNING = (
    "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. "
    "Starting in PyTorch 2.9, calling checkpoint without use_reentrant will raise an "
    "exception. use_reentrant=False is recommended, but if you need to preserve the current "
    "default behavior, you can pass use_reentrant=True. Refer to docs for more details on "
    "the differences between the two variants.")


class CheckpointError(RuntimeError):
    """PyTorch's error for a non-reentrant checkpoint whose recomputation differs."""


def noop_context_fn() -> tuple[contextlib.nullcontext, contextlib.nullcontext]:
    """The default `context_fn`: no context around the forward or the recomputation."""
    return contextlib.nullcontext(), contextlib.nullcontext()


def _resolve_reentrant(use_reentrant: bool | None) -> bool:
    if use_reentrant is None:
        warnings.warn(_REENTRANT_WARNING, UserWarning, stacklevel=3)
        return True
    return bool(use_reentrant)


def checkpoint(function: Callable[..., Any], *args: Any, use_reentrant: bool | None = None,
               context_fn: Callable[[], Any] = noop_context_fn,
               determinism_check: str = "default", debug: bool = False,
               early_stop: bool = True, **kwargs: Any) -> Any:
    """Run `function(*args, **kwargs)` (a pass-through: see the module docstring).

    Example:
        >>> y = checkpoint(block, x, use_reentrant=False)
    """
    kwargs.pop("preserve_rng_state", None)  # RNG state is not replayed: nothing reruns
    if _resolve_reentrant(use_reentrant):
        if context_fn is not noop_context_fn or debug:
            raise ValueError("Passing `context_fn` or `debug` is only supported when "
                             "use_reentrant=False.")
        if kwargs:
            raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
        if is_grad_enabled() and not any(isinstance(a, Tensor) and a.requires_grad
                                         for a in args):
            warnings.warn("None of the inputs have requires_grad=True. Gradients will be None",
                          UserWarning, stacklevel=2)
            with no_grad():
                return function(*args)
        return function(*args)
    if determinism_check not in ("default", "none"):
        raise ValueError(f"determinism_check should be one of ['default', 'none'], but got "
                         f"{determinism_check}")
    forward_context, _ = context_fn()
    with forward_context:
        return function(*args, **kwargs)


def checkpoint_sequential(functions: Any, segments: int, input: Any,
                          use_reentrant: bool | None = None, **kwargs: Any) -> Any:
    """Run a Sequential (or list of modules) on `input`, segment by segment."""
    reentrant = _resolve_reentrant(use_reentrant)
    kwargs.pop("preserve_rng_state", None)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    if hasattr(functions, "children") and callable(functions.children):
        functions = list(functions.children())
    funcs: list = list(functions) if isinstance(functions, Iterable) else [functions]

    def run(start: int, end: int) -> Callable[[Any], Any]:
        def forward(x: Any) -> Any:
            for fn in funcs[start:end + 1]:
                x = fn(x)
            return x
        return forward

    # PyTorch's split: segments - 1 checkpointed runs of equal size, then the rest directly.
    size = len(funcs) // segments
    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(run(start, end), input, use_reentrant=reentrant)
    return run(end + 1, len(funcs) - 1)(input)


def detach_variable(inputs: tuple) -> tuple:
    """Each tensor detached, keeping its requires_grad flag (other items as they are)."""
    if not isinstance(inputs, tuple):
        raise RuntimeError("Only tuple of tensors is supported. Got Unsupported input type: "
                           f"{type(inputs).__name__}")
    out = []
    for x in inputs:
        if isinstance(x, Tensor):
            d = x.detach()
            d.requires_grad = x.requires_grad
            out.append(d)
        else:
            out.append(x)
    return tuple(out)


@contextlib.contextmanager
def set_checkpoint_early_stop(enable: bool) -> Iterator[None]:
    """Accepted for PyTorch's API; nothing is recomputed here, so nothing stops early."""
    yield


@contextlib.contextmanager
def set_checkpoint_debug_enabled(enabled: bool | None) -> Iterator[None]:
    """Accepted for PyTorch's API; there is no recomputation to debug."""
    yield

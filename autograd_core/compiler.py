"""`torch.compile` and `torch.compiler`: a documented no-op (there is no graph compiler).

`compile(model)` returns the function or module itself, unchanged; as a decorator it works
with and without arguments. Results and speed are the eager engine's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["compile", "disable", "is_compiling", "is_dynamo_compiling", "reset"]


def compile(model: Any = None, *, fullgraph: bool = False, dynamic: bool | None = None,
            backend: Any = None, mode: str | None = None, options: dict | None = None,
            disable: bool = False, **kwargs: Any) -> Any:
    """Return `model` unchanged (or, called without it, a decorator that does).

    Example:
        model = autograd_core.compile(model)          # the same module object

        @autograd_core.compile(mode="reduce-overhead")
        def step(x): ...
    """
    if model is None:
        return lambda fn: fn
    if not callable(model):
        raise RuntimeError("torch.compile: model must be callable")
    return model


def is_compiling() -> bool:
    """False: code never runs under a compiler here."""
    return False


is_dynamo_compiling = is_compiling


def disable(fn: Callable | None = None, recursive: bool = True, *, reason: str | None = None
            ) -> Any:
    """`torch.compiler.disable`: returns the function itself (nothing is compiled anyway)."""
    if fn is None:
        return lambda f: f
    return fn


def reset() -> None:
    """Nothing to reset."""

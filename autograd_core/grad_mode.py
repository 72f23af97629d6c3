"""Global autograd switches: `no_grad`, `enable_grad`, `set_grad_enabled`."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _GradState:
    __slots__ = ("enabled",)

    def __init__(self) -> None:
        self.enabled = True


state = _GradState()


def is_grad_enabled() -> bool:
    return state.enabled


class _GradModeContext:
    """Base for the grad-mode context managers; also usable as decorators."""

    _target = True

    def __init__(self) -> None:
        self._prev: list[bool] = []

    def __enter__(self) -> None:
        self._prev.append(state.enabled)
        state.enabled = self._target

    def __exit__(self, *exc: object) -> None:
        state.enabled = self._prev.pop()

    def __call__(self, fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.__class__():
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class _BareDecoratable(_GradModeContext):
    """Also usable without parentheses, `@no_grad`, as PyTorch allows."""

    def __new__(cls, orig_func: Any = None) -> Any:
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)

    def __init__(self, orig_func: Any = None) -> None:
        super().__init__()


class no_grad(_BareDecoratable):  # noqa: N801 - PyTorch's name
    """Ops inside record no graph: `with no_grad(): ...`, `@no_grad()` or `@no_grad`."""

    _target = False


class enable_grad(_BareDecoratable):  # noqa: N801 - PyTorch's name
    """Turn graph recording back on inside a `no_grad` block."""

    _target = True


class set_grad_enabled(_GradModeContext):  # noqa: N801 - PyTorch's name
    """Set grad mode to `mode` for the block (takes effect at construction, like PyTorch)."""

    def __init__(self, mode: bool) -> None:
        super().__init__()
        self._target = bool(mode)
        self._prev.append(state.enabled)
        state.enabled = self._target

    def __enter__(self) -> None:
        pass

    def __call__(self, fn: F) -> F:
        state.enabled = self._prev.pop()
        mode = self._target

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class inference_mode(_GradModeContext):  # noqa: N801 - PyTorch's name
    """Same as `no_grad` here: we keep no extra inference-only state."""

    def __new__(cls, mode: Any = True) -> Any:
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)  # bare `@inference_mode`

    def __init__(self, mode: Any = True) -> None:
        super().__init__()
        self._target = not mode

    def __call__(self, fn: F) -> F:
        mode = not self._target

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with inference_mode(mode):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

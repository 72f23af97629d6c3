"""The handle `register_hook` on a tensor or a graph node returns (`handle.remove()`)."""

from __future__ import annotations

from typing import Any

__all__ = ["_RemovableHandle"]


class _RemovableHandle:
    """Handle returned by register_hook: `handle.remove()` unregisters the hook."""

    __slots__ = ("_fn", "_list")

    def __init__(self, hook_list: list, fn: Any) -> None:
        self._list = hook_list
        self._fn = fn

    def remove(self) -> None:
        if self._fn in self._list:
            self._list.remove(self._fn)
